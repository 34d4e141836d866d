import Foundation
import GRDB
import HatcheryTestSupport
import Shards
import XCTest

@testable import HatcheryCore

final class ProvenanceStoreTests: XCTestCase {
  var folder: String!

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "hatchery-store-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: folder)
  }

  func testPublishedSchemaFileMatchesTheMigrations() throws {
    let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
      "../../schemas/provenance.sql")
    let published = try String(contentsOf: file.standardizedFileURL, encoding: .utf8)
    XCTAssertEqual(
      published, ProvenanceSchema.publishedSQL, "regenerate with: hatchery schema > schemas/provenance.sql")
  }

  func testStoreUsesWALAndHasEveryTable() throws {
    let store = try ProvenanceStore(path: folder + "/hatchery.db")
    let (mode, tables, foreignKeys) = try store.read { db in
      (
        try String.fetchOne(db, sql: "PRAGMA journal_mode"),
        try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
        try Bool.fetchOne(db, sql: "PRAGMA foreign_keys")
      )
    }
    XCTAssertEqual(mode, "wal")
    XCTAssertEqual(foreignKeys, true)
    for table in [
      "sources", "documents", "license_findings", "decisions", "stage_runs", "shards", "shard_map", "training_runs",
      "energy_samples", "rejects", "ingest_parts",
    ] {
      XCTAssertTrue(tables.contains(table), table)
    }
    // Opening again applies no migration twice.
    XCTAssertNoThrow(try ProvenanceStore(path: folder + "/hatchery.db"))
  }

  func testSourceRegistrationKeepsItsFirstDatesUnlessGiven() throws {
    let store = try ProvenanceStore(path: folder + "/hatchery.db")
    let first = try store.registerSource(
      name: "books", uri: "[\"/a\"]", kind: "auto", declaredLicense: "CC0-1.0", retrievedAt: nil, addedAt: nil)
    let second = try store.registerSource(
      name: "books", uri: "[\"/b\"]", kind: "text", declaredLicense: "MIT", retrievedAt: nil, addedAt: nil)
    XCTAssertEqual(first.id, second.id)
    XCTAssertEqual(second.addedAt, first.addedAt)
    XCTAssertEqual(second.uri, "[\"/b\"]")
    XCTAssertEqual(second.declaredLicense, "MIT")
    let third = try store.registerSource(
      name: "books", uri: "[\"/b\"]", kind: "text", declaredLicense: nil, retrievedAt: "2020-01-01T00:00:00Z",
      addedAt: "2021-01-01T00:00:00Z")
    XCTAssertEqual(third.addedAt, "2021-01-01T00:00:00Z")
    XCTAssertEqual(third.retrievedAt, "2020-01-01T00:00:00Z")
  }

  func testCommitPartReplacesThePartsRowsInOneGo() throws {
    let (store, source, run) = try storeWithIngestRun()
    func document(_ id: String, line: Int) -> DocumentRecord {
      plainDocument(id, source: source.id, part: 0, line: line)
    }
    func part(documents: Int) -> PartRecord {
      PartRecord(
        sourceID: source.id, part: 0, path: "docs/s/part-00000.jsonl.zst", fingerprint: "f", documents: documents,
        rejected: 1, inputBytes: 10, outputBytes: 5, sha256: "d", stageRunID: run)
    }
    for ids in [["a", "b"], ["c"]] {
      let staged = try StagedRows(path: folder + "/staged.db")
      for (line, id) in ids.enumerated() { try staged.insert(document(id, line: line)) }
      try staged.insert(
        RejectRecord(
          stage: "ingest", sourceID: source.id, part: 0, path: "bad.txt", line: 3, byteOffset: 7, reason: "not-json",
          detail: "bad.txt:3: not JSON"), stageRunID: run)
      try store.commitPart(part(documents: ids.count), staged: staged)
      XCTAssertEqual(try store.documents(sourceID: source.id).map(\.id), ids)
      XCTAssertEqual(try store.rejects(stage: "ingest").count, 1)
      XCTAssertEqual(try store.parts(sourceID: source.id), [part(documents: ids.count)])
    }
    try store.finishStageRun(id: run, status: .completed, counts: JSONObject([("documents", .int(1))]))
    let runs = try store.stageRuns(stage: "ingest")
    XCTAssertEqual(runs.map(\.status), [.completed])
    XCTAssertEqual(runs.first?.counts, #"{"documents":1}"#)
    try store.removePart(sourceID: source.id, part: 0)
    XCTAssertEqual(try store.documents(sourceID: source.id), [])
    XCTAssertEqual(try store.partFingerprints(sourceID: source.id), [:])
  }

  /// New parts are committed without SQLite's statement journal, their references checked by
  /// query: rows that would break a constraint or a foreign key are refused as before, and the
  /// store keeps nothing of the refused commit.
  func testACommitOfNewPartsStillRefusesBrokenConstraintsAndKeepsNothing() throws {
    let (store, source, run) = try storeWithIngestRun()
    func document(_ id: String, part: Int, source: Int64 = source.id) -> DocumentRecord {
      plainDocument(id, source: source, part: part, line: 0)
    }
    func commit(_ document: DocumentRecord, part: Int, rejectRun: Int64? = nil) throws {
      let staged = try StagedRows(path: folder + "/staged-\(part).db")
      let source = document.sourceID
      try staged.insert(document)
      if let rejectRun {
        try staged.insert(
          RejectRecord(
            stage: "ingest", sourceID: source, part: part, path: "bad.txt", line: 1, byteOffset: 0, reason: "not-json",
            detail: "bad.txt:1: not JSON"), stageRunID: rejectRun)
      }
      try store.commitPart(
        PartRecord(
          sourceID: source, part: part, path: "docs/s/part-\(part).jsonl.zst", fingerprint: "f", documents: 1,
          rejected: 0, inputBytes: 1, outputBytes: 1, sha256: "d", stageRunID: run), staged: staged)
    }
    try commit(document("a", part: 0), part: 0)
    // An id another part already has.
    XCTAssertThrowsError(try commit(document("a", part: 1), part: 1)) {
      XCTAssertEqual(($0 as? DatabaseError)?.extendedResultCode, .SQLITE_CONSTRAINT_UNIQUE, "\($0)")
    }
    // A reject naming a stage run that does not exist, and a document of a source that does not.
    XCTAssertThrowsError(try commit(document("b", part: 2), part: 2, rejectRun: run + 99)) {
      XCTAssertEqual(($0 as? DatabaseError)?.extendedResultCode, .SQLITE_CONSTRAINT_FOREIGNKEY, "\($0)")
    }
    XCTAssertThrowsError(try commit(document("c", part: 3, source: source.id + 5), part: 3)) {
      XCTAssertEqual(($0 as? DatabaseError)?.extendedResultCode, .SQLITE_CONSTRAINT_FOREIGNKEY, "\($0)")
    }
    XCTAssertEqual(try store.documents(sourceID: source.id).map(\.id), ["a"])
    XCTAssertEqual(try store.parts(sourceID: source.id).map(\.part), [0])
    XCTAssertEqual(try store.rejects(stage: "ingest").count, 0)
    try commit(document("b", part: 1), part: 1)
    XCTAssertEqual(try store.documents(sourceID: source.id).map(\.id), ["a", "b"])
  }

  /// A merge of new parts that bring at least as many documents as the store holds drops the id
  /// index and builds it again: the index is back after it, a repeated id is still refused —
  /// naming the id, with none of the merge's parts kept — and a merge of fewer documents than
  /// the store holds goes row by row through the index.
  func testAMergeThatRebuildsTheIdIndexStillRefusesARepeatedID() throws {
    let (store, source, run) = try storeWithIngestRun()
    func taskPart(_ part: Int, ids: [String]) throws -> (record: PartRecord, path: String) {
      let staged = try StagedRows(path: folder + "/staging-\(part).db")
      for (line, id) in ids.enumerated() {
        try staged.insert(plainDocument(id, source: source.id, part: part, line: line))
      }
      let record = PartRecord(
        sourceID: source.id, part: part, path: "docs/s/part-\(part).jsonl.zst", fingerprint: "f", documents: ids.count,
        rejected: 0, inputBytes: 1, outputBytes: 1, sha256: "d", stageRunID: nil)
      let path = folder + "/tasks/part-\(part).db"
      try staged.finish(part: record, movingTo: path)
      return (record, path)
    }
    func hasIndex() throws -> Bool {
      try store.read { db in
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'documents_by_id')")
      } ?? false
    }
    // Eleven parts: more than one batch of attached files.
    try store.commitTaskParts(try (0..<11).map { try taskPart($0, ids: ["a\($0)", "b\($0)"]) }, stageRunID: run)
    XCTAssertTrue(try hasIndex())
    XCTAssertEqual(try store.documents(sourceID: source.id).count, 22)
    // 24 new documents against 22 held: rebuilt; part 20 repeats part 3's id.
    let repeating = try (11..<23).map { try taskPart($0, ids: $0 == 20 ? ["a3", "x"] : ["a\($0)", "b\($0)"]) }
    XCTAssertThrowsError(try store.commitTaskParts(repeating, stageRunID: run)) { error in
      XCTAssertEqual(error as? StoreError, .repeatedDocumentID("a3"))
    }
    XCTAssertTrue(try hasIndex())
    XCTAssertEqual(try store.documents(sourceID: source.id).count, 22)
    XCTAssertEqual(try store.parts(sourceID: source.id).map(\.part), Array(0..<11))
    // Two new documents against 22 held: row by row, and the index refuses the repeat itself.
    XCTAssertThrowsError(try store.commitTaskParts([try taskPart(30, ids: ["a4"])], stageRunID: run)) { error in
      XCTAssertEqual((error as? DatabaseError)?.extendedResultCode, .SQLITE_CONSTRAINT_UNIQUE, "\(error)")
    }
    try store.commitTaskParts([try taskPart(31, ids: ["c"])], stageRunID: run)
    XCTAssertEqual(try store.documents(sourceID: source.id).count, 23)
  }

  /// One process's first ingest loads without the id index and builds it at the end; a load
  /// of parts the store already has, or of less input than it holds, keeps the index; a repeated
  /// id found when the index is built takes the loaded parts out again and names the id.
  func testABulkLoadBuildsTheIdIndexAtItsEndAndRefusesARepeatedID() throws {
    let (store, source, _) = try storeWithIngestRun()
    func hasIndex() throws -> Bool {
      try store.read { db in
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'documents_by_id')")
      } ?? false
    }
    func load(_ part: Int, ids: [String], inputBytes: Int = 10) throws {
      let staged = try StagedRows(path: folder + "/staged-\(part).db")
      for (line, id) in ids.enumerated() {
        try staged.insert(plainDocument(id, source: source.id, part: part, line: line))
      }
      try store.commitPart(
        PartRecord(
          sourceID: source.id, part: part, path: "docs/s/part-\(part).jsonl.zst", fingerprint: "f",
          documents: ids.count,
          rejected: 0, inputBytes: inputBytes, outputBytes: 1, sha256: "d", stageRunID: nil), staged: staged)
    }
    XCTAssertTrue(try store.beginBulkDocumentLoad(parts: [(source.id, 0), (source.id, 1)], inputBytes: 20))
    XCTAssertFalse(try hasIndex())
    try load(0, ids: ["a", "b"])
    try load(1, ids: ["c"])
    try store.endBulkDocumentLoad(undoing: [(source.id, 0), (source.id, 1)])
    XCTAssertTrue(try hasIndex())
    XCTAssertEqual(try store.documents(sourceID: source.id).map(\.id), ["a", "b", "c"])
    // Part 1 is held already; and 19 bytes of input against the 20 held.
    XCTAssertFalse(try store.beginBulkDocumentLoad(parts: [(source.id, 1), (source.id, 2)], inputBytes: 40))
    XCTAssertFalse(try store.beginBulkDocumentLoad(parts: [(source.id, 2)], inputBytes: 19))
    XCTAssertTrue(try hasIndex())
    // Part 3 repeats part 0's id: both new parts are taken out again, the held ones stay.
    XCTAssertTrue(try store.beginBulkDocumentLoad(parts: [(source.id, 2), (source.id, 3)], inputBytes: 20))
    try load(2, ids: ["d"])
    try load(3, ids: ["a"])
    XCTAssertThrowsError(try store.endBulkDocumentLoad(undoing: [(source.id, 2), (source.id, 3)])) { error in
      XCTAssertEqual(error as? StoreError, .repeatedDocumentID("a"))
    }
    XCTAssertTrue(try hasIndex())
    XCTAssertEqual(try store.documents(sourceID: source.id).map(\.id), ["a", "b", "c"])
    XCTAssertEqual(try store.parts(sourceID: source.id).map(\.part), [0, 1])
  }

  /// A merge stopped while the index was dropped leaves the store without it: the next open
  /// builds it again, and if a stopped merge left an id twice, the parts with the later copy lose
  /// their rows (and their part row, so ingest makes them again) rather than the store failing.
  func testOpeningAStoreLeftWithoutItsIdIndexBuildsItAgain() throws {
    let path = folder + "/hatchery.db"
    do {
      let (store, source, _) = try storeWithIngestRun()
      for part in 0..<3 {
        let staged = try StagedRows(path: folder + "/staged-\(part).db")
        try staged.insert(plainDocument("d\(part)", source: source.id, part: part, line: 0))
        try store.commitPart(
          PartRecord(
            sourceID: source.id, part: part, path: "docs/s/part-\(part).jsonl.zst", fingerprint: "f", documents: 1,
            rejected: 0, inputBytes: 1, outputBytes: 1, sha256: "d", stageRunID: nil), staged: staged)
      }
    }
    let queue = try DatabaseQueue(path: path)
    try queue.writeWithoutTransaction { db in
      // Without the index, a foreign key that names `documents` cannot be checked.
      try db.execute(sql: "PRAGMA foreign_keys = OFF")
      try db.execute(sql: "DROP INDEX documents_by_id")
      // Part 1's document a second time, as a stopped merge could leave it.
      try db.execute(sql: "INSERT INTO documents SELECT * FROM documents WHERE part = 1")
    }
    try queue.close()
    let store = try ProvenanceStore(path: path)
    XCTAssertEqual(try store.documents(sourceID: 1).map(\.id), ["d0", "d2"])
    XCTAssertEqual(try store.parts(sourceID: 1).map(\.part), [0, 2])
    XCTAssertTrue(
      try store.read { db in
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE name = 'documents_by_id')")
      } ?? false)
  }

  /// The shard map is written without a lookup per row, and the store's foreign keys are on
  /// again after it.
  func testTheShardMapIsWrittenAndForeignKeysAreOnAfter() throws {
    let (store, source, run) = try storeWithIngestRun()
    let staged = try StagedRows(path: folder + "/staged-0.db")
    try staged.insert(plainDocument("d0", source: source.id, part: 0, line: 0))
    try store.commitPart(
      PartRecord(
        sourceID: source.id, part: 0, path: "docs/s/part-0.jsonl.zst", fingerprint: "f", documents: 1, rejected: 0,
        inputBytes: 1, outputBytes: 1, sha256: "d", stageRunID: nil), staged: staged)
    let shard = ShardRecord(
      split: "train", path: "shards/a", tokens: 9, documents: 1, dtype: "uint16", bytes: 1, sha256: "h",
      tokenizerSHA256: "t")
    try store.replaceShards(
      [shard],
      map: { row in
        try Array("d0".utf8).withUnsafeBytes { try row((shard: 0, tokenOffset: 0, documentID: $0, tokenCount: 9)) }
      }, stageRunID: run)
    XCTAssertEqual(try store.shardDocument(path: "shards/a", token: 3)?.documentID, "d0")
    XCTAssertEqual(try store.pool.writeWithoutTransaction { db in try Int.fetchOne(db, sql: "PRAGMA foreign_keys") }, 1)
    XCTAssertThrowsError(
      try store.pool.write { db in
        try db.execute(
          sql: "INSERT INTO decisions (document_id, stage, action, reason) VALUES ('nobody', 'x', 'drop', 'y')")
      }
    ) { XCTAssertEqual(($0 as? DatabaseError)?.extendedResultCode, .SQLITE_CONSTRAINT_FOREIGNKEY, "\($0)") }
  }

  /// A new store with one source and a running ingest stage run.
  private func storeWithIngestRun() throws -> (ProvenanceStore, SourceRecord, Int64) {
    let store = try ProvenanceStore(path: folder + "/hatchery.db")
    let source = try store.registerSource(
      name: "s", uri: "[]", kind: "auto", declaredLicense: nil, retrievedAt: nil, addedAt: nil)
    let run = try store.beginStageRun(
      stage: "ingest", scope: "s", task: 0, tasks: 1, config: "{}", configHash: "h", toolVersion: "t")
    return (store, source, run)
  }

  /// A part's documents are one run of rowids found from its `ingest_parts` row, with no index by
  /// part: a part committed again goes to the end and reads back in part order; removing a part
  /// takes its run and nothing else; a staged file naming other counts or parts is refused.
  func testAPartsDocumentsAreOneRunOfRowsFoundFromItsPartRow() throws {
    let (store, source, run) = try storeWithIngestRun()
    func commit(part: Int, ids: [String], recorded: Int? = nil, stagedPart: Int? = nil) throws {
      let staged = try StagedRows(path: folder + "/staged-\(part).db")
      for (line, id) in ids.enumerated() {
        try staged.insert(plainDocument(id, source: source.id, part: stagedPart ?? part, line: line))
      }
      try store.commitPart(
        PartRecord(
          sourceID: source.id, part: part, path: "docs/s/part-\(part).jsonl.zst", fingerprint: "f",
          documents: recorded ?? ids.count,
          rejected: 0, inputBytes: 1, outputBytes: 1, sha256: "d", stageRunID: run), staged: staged)
    }
    try commit(part: 0, ids: ["a0", "a1"])
    try commit(part: 1, ids: ["b0", "b1", "b2"])
    try commit(part: 0, ids: ["c0", "c1", "c2", "c3"])
    XCTAssertEqual(try store.documents(sourceID: source.id).map(\.id), ["c0", "c1", "c2", "c3", "b0", "b1", "b2"])
    XCTAssertEqual(try store.documents(sourceID: source.id).map(\.partLine), [0, 1, 2, 3, 0, 1, 2])
    let firstRows = try store.read { try Int64.fetchAll($0, sql: "SELECT first_row FROM ingest_parts ORDER BY part") }
    XCTAssertEqual(firstRows, [6, 3])
    XCTAssertEqual(try store.textBytes(sourceID: source.id, part: 0), 4)
    XCTAssertEqual(try store.partLines(sourceID: source.id, part: 1, file: 0), [0, 1, 2])
    try store.removePart(sourceID: source.id, part: 1)
    XCTAssertEqual(try store.documents(sourceID: source.id).map(\.id), ["c0", "c1", "c2", "c3"])
    XCTAssertThrowsError(try commit(part: 2, ids: ["d0"], recorded: 2)) {
      guard case .stagedCountMismatch(_, 1, _, 2, 2)? = $0 as? StoreError else { return XCTFail("\($0)") }
    }
    XCTAssertThrowsError(try commit(part: 2, ids: ["d0"], stagedPart: 3)) {
      guard case .stagedForAnotherPart(_, nil, _, 2, _, 3)? = $0 as? StoreError else { return XCTFail("\($0)") }
    }
    XCTAssertEqual(try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM documents") }, 4)
  }

  /// SQLite copies a staged part's documents without decoding them only from a table of the same
  /// columns: names, types and NOT NULL.
  func testTheStagedDocumentsTableHasTheStoresColumns() throws {
    let store = try ProvenanceStore(path: folder + "/hatchery.db")
    let staged = try StagedRows(path: folder + "/staged.db")
    try staged.close()
    func columns(_ db: Database) throws -> [String] {
      try Row.fetchAll(db, sql: "PRAGMA table_info(documents)").map {
        "\($0["name"] as String) \($0["type"] as String) \($0["notnull"] as Int)"
      }
    }
    let stagedColumns = try DatabaseQueue(path: staged.path).read(columns)
    XCTAssertEqual(stagedColumns.count, 17)
    XCTAssertEqual(stagedColumns, try store.read(columns))
  }

  /// A one-byte text document of `a.txt`.
  private func plainDocument(_ id: String, source: Int64, part: Int, line: Int) -> DocumentRecord {
    DocumentRecord(
      id: id, sourceID: source, part: part, partLine: line, path: "a.txt", line: nil, byteOffset: 0, format: "text",
      originalSHA256: String(repeating: "0f", count: 32), sha256: String(repeating: "0f", count: 32), originalBytes: 1,
      bytes: 1, chars: 1, repaired: 0, created: nil, title: nil, language: nil, url: nil)
  }

  /// Documents of two parts and several input files, some with the values the compact rows
  /// leave out (original equal to the stored text, ASCII, the file's time) and some without.
  private func varietyOfDocuments(sourceID: Int64) -> [DocumentRecord] {
    let hashA = String(repeating: "a1", count: 32)
    let hashB = String(repeating: "b2", count: 32)
    return [
      DocumentRecord(
        id: "d0", sourceID: sourceID, part: 0, partLine: 0, path: "in/a.jsonl", line: 1, byteOffset: 0, format: "jsonl",
        originalSHA256: hashA, sha256: hashA, originalBytes: 10, bytes: 10, chars: 10, repaired: 0,
        created: "2026-01-01T00:00:00Z", title: nil, language: nil, url: nil),
      DocumentRecord(
        id: "d1", sourceID: sourceID, part: 0, partLine: 1, path: "in/a.jsonl", line: 2, byteOffset: 11,
        format: "jsonl",
        originalSHA256: hashA, sha256: hashB, originalBytes: 12, bytes: 11, chars: 9, repaired: 2,
        created: "2025-05-05T00:00:00Z", title: "T", language: "en", url: "https://example.org/x"),
      DocumentRecord(
        id: "d2", sourceID: sourceID, part: 0, partLine: 2, path: "in/b.html", line: nil, byteOffset: 0, format: "html",
        originalSHA256: hashB, sha256: hashA, originalBytes: 300, bytes: 20, chars: 20, repaired: 0,
        created: "2026-01-02T00:00:00Z", title: nil, language: "de", url: nil),
      DocumentRecord(
        id: "d3", sourceID: sourceID, part: 0, partLine: 3, path: "in/a.jsonl", line: 3, byteOffset: 23,
        format: "jsonl",
        originalSHA256: hashB, sha256: hashB, originalBytes: 5, bytes: 5, chars: 5, repaired: 0,
        created: "2026-01-01T00:00:00Z", title: nil, language: nil, url: nil),
      DocumentRecord(
        id: "d4", sourceID: sourceID, part: 1, partLine: 0, path: "in/a.jsonl", line: 4, byteOffset: 29,
        format: "jsonl",
        originalSHA256: hashA, sha256: hashA, originalBytes: 7, bytes: 7, chars: 7, repaired: 0,
        created: "2026-01-01T00:00:00Z", title: nil, language: nil, url: nil),
      DocumentRecord(
        id: "d5", sourceID: sourceID, part: 1, partLine: 1, path: "in/a.jsonl", line: 5, byteOffset: 37,
        format: "jsonl",
        originalSHA256: hashB, sha256: hashB, originalBytes: 3, bytes: 3, chars: 3, repaired: 0,
        created: nil, title: nil, language: nil, url: nil),
    ]
  }

  func testDocumentsReadBackExactlyFromTheirCompactRows() throws {
    let store = try ProvenanceStore(path: folder + "/hatchery.db")
    let source = try store.registerSource(
      name: "s", uri: "[]", kind: "auto", declaredLicense: nil, retrievedAt: nil, addedAt: nil)
    let documents = varietyOfDocuments(sourceID: source.id)
    for part in 0...1 {
      let staged = try StagedRows(path: folder + "/staged-\(part).db")
      for document in documents where document.part == part { try staged.insert(document) }
      try store.commitPart(
        PartRecord(
          sourceID: source.id, part: part, path: "docs/s/part-\(part).jsonl.zst", fingerprint: "f",
          documents: documents.filter { $0.part == part }.count,
          rejected: 0, inputBytes: 1, outputBytes: 1, sha256: "d", stageRunID: nil),
        staged: staged)
    }
    XCTAssertEqual(try store.documents(sourceID: source.id), documents)
    for document in documents { XCTAssertEqual(try store.document(id: document.id), document) }
    try store.removePart(sourceID: source.id, part: 0)
    XCTAssertEqual(try store.documents(sourceID: source.id), documents.filter { $0.part == 1 })
  }

  func testAStoreOfTheFullDocumentRowsIsMigratedWithoutLoss() throws {
    let path = folder + "/hatchery.db"
    let documents = varietyOfDocuments(sourceID: 1)
    do {
      // The store as Hatchery wrote it before the compact rows (migrations up to v11).
      let queue = try DatabaseQueue(path: path)
      var migrator = DatabaseMigrator()
      for migration in ProvenanceSchema.migrations.prefix(while: { $0.name != "v12-compact-documents" }) {
        migrator.registerMigration(migration.name) { db in try db.execute(sql: migration.sql) }
      }
      try migrator.migrate(queue)
      try queue.write { db in
        try db.execute(
          sql:
            "INSERT INTO sources (id, name, uri, kind, retrieved_at, added_at) VALUES (1, 's', '[]', 'auto', 'x', 'y')")
        for part in Set(documents.map(\.part)).sorted() {
          try db.execute(
            sql: """
              INSERT INTO ingest_parts (source_id, part, path, fingerprint, documents, rejected, input_bytes, output_bytes, sha256,
                completed_at) VALUES (1, ?, 'docs/s/part', 'f', ?, 0, 1, 1, 'd', 'z')
              """, arguments: [part, documents.filter { $0.part == part }.count])
        }
        for d in documents.reversed() {
          try db.execute(
            sql: "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            arguments: [
              d.id, d.sourceID, d.part, d.partLine, d.path, d.line, d.byteOffset, d.format, d.originalSHA256, d.sha256,
              d.originalBytes, d.bytes, d.chars, d.repaired, d.created, d.title, d.language, d.url,
            ])
        }
        try db.execute(
          sql: """
            INSERT INTO shards (id, split, path, tokens, documents, dtype, bytes, sha256, tokenizer_sha256)
              VALUES (1, 'train', 'shards/a', 9, 2, 'uint16', 1, 'h', 't');
            INSERT INTO shard_map VALUES (1, 0, 'd0', 4), (1, 4, 'd2', 5);
            INSERT INTO decisions (document_id, stage, action, reason, duplicate_of) VALUES ('d1', 'dedup', 'drop', 'x', 'd0');
            """)
      }
    }
    let store = try ProvenanceStore(path: path)
    XCTAssertEqual(try store.documents(sourceID: 1), documents)
    XCTAssertEqual(try store.shardDocument(path: "shards/a", token: 6)?.documentID, "d2")
    XCTAssertEqual(try store.shardDocument(path: "shards/a", token: 1)?.documentID, "d0")
    // The rebuilt tables keep their foreign keys: removing a part removes what pointed at it.
    try store.removePart(sourceID: 1, part: 0)
    XCTAssertNil(try store.shardDocument(path: "shards/a", token: 1))
    XCTAssertEqual(try store.documents(sourceID: 1).map(\.id), ["d4", "d5"])
  }

  func testRemovedSpansReadBackFromOneEncodedRowPerDocument() throws {
    let store = try ProvenanceStore(path: folder + "/hatchery.db")
    let source = try store.registerSource(
      name: "s", uri: "[]", kind: "auto", declaredLicense: nil, retrievedAt: nil, addedAt: nil)
    let staged = try StagedRows(path: folder + "/staged.db")
    for document in varietyOfDocuments(sourceID: source.id) where document.part == 0 { try staged.insert(document) }
    try store.commitPart(
      PartRecord(
        sourceID: source.id, part: 0, path: "p", fingerprint: "f", documents: 4, rejected: 0, inputBytes: 1,
        outputBytes: 1,
        sha256: "d", stageRunID: nil),
      staged: staged)
    let survivor = "0123456789abcdef0123456789abcdef"
    let spans = [
      RemovedSpanRecord(documentID: "d1", stage: "dedup", start: 40, end: 52, reason: "paragraph", duplicateOf: "d0"),
      RemovedSpanRecord(
        documentID: "d1", stage: "dedup", start: 0, end: 10, reason: "paragraph", duplicateOf: survivor),
      RemovedSpanRecord(documentID: "d1", stage: "dedup", start: 10, end: 11, reason: "paragraph", duplicateOf: nil),
      RemovedSpanRecord(documentID: "d2", stage: "dedup", start: 5, end: 5, reason: "paragraph", duplicateOf: "d0"),
      RemovedSpanRecord(documentID: "d1", stage: "filter", start: 20, end: 30, reason: "pii", duplicateOf: nil),
    ]
    try store.replaceDecisions(
      stage: "dedup", for: [], with: [], spans: spans.filter { $0.stage == "dedup" }, stageRunID: nil)
    try store.replaceDecisions(
      stage: "filter", for: [], with: [], spans: spans.filter { $0.stage == "filter" }, stageRunID: nil)
    let byDocument = { (records: [RemovedSpanRecord]) in
      records.sorted { ($0.documentID, $0.start) < ($1.documentID, $1.start) }
    }
    XCTAssertEqual(try store.removedSpans(stage: nil), byDocument(spans))
    XCTAssertEqual(
      try store.removedSpans(stage: "dedup", documentID: "d1"),
      byDocument(spans.filter { $0.stage == "dedup" && $0.documentID == "d1" }))
    try store.read { db in
      XCTAssertEqual(
        try Int.fetchOne(db, sql: "SELECT count(*) FROM removed_spans"), 3, "one row per document, stage and reason")
    }
    try store.replaceDecisions(stage: "dedup", for: ["d1"], with: [], spans: [], stageRunID: nil)
    XCTAssertEqual(try store.removedSpans(stage: "dedup").map(\.documentID), ["d2"])
  }

  func testRemovedSpanRowsOfAnOlderStoreBecomeOneEncodedRowPerDocument() throws {
    let path = folder + "/hatchery.db"
    let spans = [
      RemovedSpanRecord(documentID: "d1", stage: "dedup", start: 0, end: 10, reason: "paragraph", duplicateOf: "d0"),
      RemovedSpanRecord(documentID: "d1", stage: "dedup", start: 12, end: 30, reason: "paragraph", duplicateOf: "d3"),
      RemovedSpanRecord(documentID: "d1", stage: "dedup", start: 30, end: 31, reason: "paragraph", duplicateOf: "d0"),
      RemovedSpanRecord(documentID: "d2", stage: "dedup", start: 3, end: 9, reason: "paragraph", duplicateOf: nil),
    ]
    do {
      let queue = try DatabaseQueue(path: path)
      var migrator = DatabaseMigrator()
      for migration in ProvenanceSchema.migrations.prefix(while: { $0.name != "v13-removed-span-sets" }) {
        migrator.registerMigration(migration.name) { db in
          db.add(function: ProvenanceSchema.unhex)
          try db.execute(sql: migration.sql)
        }
      }
      try migrator.migrate(queue)
      try queue.write { db in
        try db.execute(
          sql:
            "INSERT INTO sources (id, name, uri, kind, retrieved_at, added_at) VALUES (1, 's', '[]', 'auto', 'x', 'y')")
        for id in ["d0", "d1", "d2", "d3"] {
          try db.execute(
            sql:
              "INSERT INTO documents (id, source_id, part, part_line, file, byte_offset, sha256, bytes, repaired) VALUES (?, 1, 0, 0, 0, 0, x'00', 1, 0)",
            arguments: [id])
        }
        for span in spans.reversed() {
          try db.execute(
            sql:
              "INSERT INTO removed_spans (document_id, stage, start_offset, end_offset, reason, duplicate_of) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [span.documentID, span.stage, span.start, span.end, span.reason, span.duplicateOf])
        }
      }
    }
    let store = try ProvenanceStore(path: path)
    XCTAssertEqual(try store.removedSpans(stage: nil), spans)
  }

  func testWorkspaceCreateOpenAndSourceNames() throws {
    XCTAssertThrowsError(try Workspace.open(at: folder + "/none")) { error in
      guard case .notAWorkspace? = error as? StoreError else { return XCTFail("\(error)") }
    }
    let workspace = try Workspace.create(at: folder + "/ws")
    XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/ws/hatchery.db"))
    XCTAssertEqual(try Workspace.open(at: folder + "/ws").root, workspace.root)
    XCTAssertEqual(Workspace.partPath(source: "books", part: 7), "docs/books/part-00007.jsonl.zst")
    for good in ["books", "wiki-en_2024.1"] { XCTAssertNoThrow(try Workspace.validateSourceName(good)) }
    for bad in ["", ".hidden", "a/b", "sp ace", "é"] {
      XCTAssertThrowsError(try Workspace.validateSourceName(bad), bad)
    }
  }

  // MARK: Damaged, lost and read-only stores

  func testAnEmptyStoreBesideDocumentPartsIsRefused() throws {
    let workspace = try Workspace.create(at: folder + "/ws")
    try FileManager.default.createDirectory(atPath: workspace.absolute("docs/books"), withIntermediateDirectories: true)
    _ = FileManager.default.createFile(
      atPath: workspace.absolute(Workspace.partPath(source: "books", part: 0)), contents: Data([1]))
    try Data().write(to: URL(fileURLWithPath: workspace.storePath))
    try? FileManager.default.removeItem(atPath: workspace.storePath + "-wal")
    try? FileManager.default.removeItem(atPath: workspace.storePath + "-shm")
    XCTAssertThrowsError(try Workspace.open(at: workspace.root)) { error in
      XCTAssertEqual(error as? StoreError, .lostStore(path: workspace.storePath))
    }
  }

  func testAStoreThatIsNotSQLiteOrIsCutShortIsRefused() throws {
    let path = folder + "/garbage.db"
    try Data(repeating: 0x41, count: 4096).write(to: URL(fileURLWithPath: path))
    XCTAssertThrowsError(try ProvenanceStore(path: path)) { error in
      XCTAssertEqual(error as? StoreError, .notSQLite(path: path))
    }
    let workspace = try Workspace.create(at: folder + "/ws")
    do {  // closed at the end of the scope, so everything is in the main file
      let store = try workspace.openStore()
      _ = try store.registerSource(
        name: "books", uri: "[]", kind: "text", declaredLicense: nil, retrievedAt: nil, addedAt: nil)
    }
    let whole = try Data(contentsOf: URL(fileURLWithPath: workspace.storePath))
    try whole.prefix(whole.count / 2 + 777).write(to: URL(fileURLWithPath: folder + "/cut.db"))
    XCTAssertThrowsError(try ProvenanceStore(path: folder + "/cut.db")) { error in
      guard case .damaged(let path, let bytes, _, _)? = error as? StoreError else { return XCTFail("\(error)") }
      XCTAssertEqual(path, folder + "/cut.db")
      XCTAssertEqual(bytes, whole.count / 2 + 777)
    }
  }

  /// A folder made read-only: a read-only bind mount for root (who may write anywhere else),
  /// permissions otherwise. Nil when neither can be had here.
  private func readOnlyView(of path: String) throws -> String? {
    guard getuid() == 0 else {
      chmod(path + "/hatchery.db", 0o444)
      chmod(path, 0o555)
      addTeardownBlock { chmod(path, 0o755) }
      return path
    }
    let view = folder + "/view"
    try FileManager.default.createDirectory(atPath: view, withIntermediateDirectories: true)
    guard let undo = TestSupport.mountReadOnly(path, at: view) else { return nil }
    addTeardownBlock(undo)
    return view
  }

  func testAWorkspaceThatCannotBeWrittenCanStillBeRead() throws {
    let workspace = try Workspace.create(at: folder + "/ws")
    do {
      let store = try workspace.openStore()
      _ = try store.registerSource(
        name: "books", uri: "[]", kind: "text", declaredLicense: nil, retrievedAt: nil, addedAt: nil)
    }
    guard let view = try readOnlyView(of: workspace.root) else { throw XCTSkip("no read-only folder can be made here") }
    let readOnly = try Workspace.open(at: view)
    XCTAssertEqual(try readOnly.openStoreForReading().source(named: "books")?.name, "books")
    XCTAssertThrowsError(try readOnly.openStore()) { error in
      guard case .notWritable(let path, _)? = error as? StoreError else { return XCTFail("\(error)") }
      XCTAssertEqual(path, readOnly.storePath)
    }
  }

  func testARunLeftRunningByADeadProcessIsMarkedFailedByTheNextStage() throws {
    let store = try Workspace.create(at: folder + "/ws").openStore()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    let dead = process.processIdentifier
    let id = try store.beginStageRun(
      stage: "filter", scope: "all", task: 0, tasks: 1, config: "{}", configHash: "x", toolVersion: "t")
    try DatabaseQueue(path: store.path).write { db in
      try db.execute(sql: "UPDATE stage_runs SET pid = ? WHERE id = ?", arguments: [dead, id])
    }
    _ = try store.beginStageRun(
      stage: "tag", scope: "all", task: 0, tasks: 1, config: "{}", configHash: "y", toolVersion: "t")
    XCTAssertEqual(try store.stageRuns(stage: "filter").first?.status, .failed)
  }

  func testLeftoversOfDeadProcessesAreRemovedAndALiveWritersKept() throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/true")
    try process.run()
    process.waitUntilExit()
    let dead = process.processIdentifier
    let live = getpid()
    for folder in [".staging-5-\(dead)", ".staging-7", ".staging-9-\(live)"] {
      try FileManager.default.createDirectory(
        atPath: self.folder + "/" + folder + "/train", withIntermediateDirectories: true)
    }
    for file in [
      "shard.tok.zst.tmp-\(dead)", "ingest-books-3-\(dead).db", "manifest.json.tmp-\(live)", "keep.txt", "a-b-c",
    ] {
      _ = FileManager.default.createFile(atPath: self.folder + "/" + file, contents: Data([1]))
    }
    Leftovers.remove(in: folder)
    XCTAssertEqual(
      Set(try FileManager.default.contentsOfDirectory(atPath: folder)),
      [".staging-9-\(live)", "manifest.json.tmp-\(live)", "keep.txt", "a-b-c"])
  }

  // MARK: Network file systems

  func testNetworkFileSystemsAreToldByTheirMagicNumber() {
    XCTAssertEqual(FileSystemKind.kind(magic: 0x6969), .network("NFS"))
    XCTAssertEqual(FileSystemKind.kind(magic: 0x0BD0_0BD0), .network("Lustre"))
    XCTAssertEqual(
      FileSystemKind.kind(magic: Int64(Int32(bitPattern: 0xFF53_4D42))), .network("CIFS"), "sign-extended f_type")
    XCTAssertEqual(FileSystemKind.kind(magic: 0xEF53), .local, "ext4")
    XCTAssertEqual(FileSystemKind.of(folder, environment: [:]), .local)
    XCTAssertEqual(FileSystemKind.of(folder + "/not/yet/made", environment: [:]), .local, "the nearest existing parent")
    XCTAssertEqual(
      FileSystemKind.of(folder, environment: ["HATCHERY_STORE_JOURNAL": "rollback"]),
      .network("HATCHERY_STORE_JOURNAL=rollback"))
  }

  func testOnANetworkFileSystemTheStoreUsesARollbackJournal() throws {
    let workspace = try Workspace.create(at: folder + "/ws")
    XCTAssertEqual(try workspace.openStore().read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }, "wal")
    setenv("HATCHERY_STORE_JOURNAL", "rollback", 1)
    defer { unsetenv("HATCHERY_STORE_JOURNAL") }
    do {
      let store = try workspace.openStore()
      XCTAssertEqual(store.fileSystem, .network("HATCHERY_STORE_JOURNAL=rollback"))
      XCTAssertEqual(try store.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }, "delete")
      _ = try store.registerSource(
        name: "books", uri: "[]", kind: "text", declaredLicense: nil, retrievedAt: nil, addedAt: nil)
      _ = try store.beginStageRun(
        stage: "ingest", scope: "books", task: 0, tasks: 1, config: "{}", configHash: "h", toolVersion: "t")
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.storePath + "-wal"))
    XCTAssertEqual(try workspace.openStoreForReading().source(named: "books")?.name, "books")
  }

  /// A merge, the store's one writer, writes it with a rollback journal (each new page once, not
  /// to the WAL and again at its checkpoint); the next ordinary open returns it to WAL. Where
  /// another connection holds the store, SQLite keeps WAL and the merge still writes.
  func testAMergeWritesWithARollbackJournalAndTheNextOpenReturnsToWAL() throws {
    let workspace = try Workspace.create(at: folder + "/ws")
    do {
      let store = try workspace.openStoreForMerge()
      XCTAssertEqual(try store.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }, "delete")
      _ = try store.registerSource(
        name: "books", uri: "[]", kind: "text", declaredLicense: nil, retrievedAt: nil, addedAt: nil)
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.storePath + "-wal"))
    let store = try workspace.openStore()
    XCTAssertEqual(try store.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }, "wal")
    XCTAssertEqual(try store.source(named: "books")?.name, "books")
    // `store` holds the file open: the merge keeps WAL and its writes are seen by the holder.
    let merge = try workspace.openStoreForMerge()
    XCTAssertEqual(try merge.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }, "wal")
    _ = try merge.registerSource(
      name: "papers", uri: "[]", kind: "text", declaredLicense: nil, retrievedAt: nil, addedAt: nil)
    XCTAssertEqual(try store.source(named: "papers")?.name, "papers")
  }

  // MARK: The stage lifecycle

  /// A stage's summary is its run's counters: encoded, keys in snake case and sorted.
  func testAStageSummaryIsRecordedAsTheRunsCounts() throws {
    struct DemoSummary: StageSummary {
      var documents = 0
      var distinctPieces = 0
      var tokenizerSHA256 = "ab"
      var byReason: [String: Int] = [:]
      var text: String { "demo: \(documents) documents" }
      enum CodingKeys: String, CodingKey { case documents, distinctPieces, tokenizerSHA256, byReason }
    }
    let store = try Workspace.create(at: folder + "/ws").openStore()
    let lifecycle = StageLifecycle(stage: "demo", config: StageConfig(JSONObject([("k", .int(1))])))
    struct Boom: Error {}
    XCTAssertThrowsError(
      try lifecycle.record(in: store) { _ -> DemoSummary in
        throw StageLifecycle.PartialFailure(Boom(), partial: DemoSummary(documents: 2))
      })
    let summary = try lifecycle.record(in: store) { _ in
      DemoSummary(documents: 5, distinctPieces: 9, byReason: ["z": 1, "a": 2])
    }
    XCTAssertEqual(summary.text, "demo: 5 documents")
    let runs = try store.stageRuns(stage: "demo")
    XCTAssertEqual(runs.map(\.status), [.failed, .completed])
    XCTAssertEqual(
      runs[0].counts, #"{"by_reason":{},"distinct_pieces":0,"documents":2,"tokenizer_sha256":"ab","error":"Boom()"}"#)
    XCTAssertEqual(
      runs[1].counts, #"{"by_reason":{"a":2,"z":1},"distinct_pieces":9,"documents":5,"tokenizer_sha256":"ab"}"#)
  }

  func testTheStageLifecycleRecordsCompletedFailedAndPartialRuns() throws {
    let store = try Workspace.create(at: folder + "/ws").openStore()
    let lifecycle = StageLifecycle(stage: "demo", config: StageConfig(JSONObject([("k", .int(1))])))
    XCTAssertFalse(try lifecycle.isUpToDate(in: store))
    struct Boom: Error {}
    XCTAssertThrowsError(try lifecycle.record(in: store) { _ -> (result: Int, counts: JSONObject) in throw Boom() }) {
      error in
      XCTAssertTrue(error is Boom)
    }
    XCTAssertThrowsError(
      try lifecycle.record(in: store) { _ -> (result: Int, counts: JSONObject) in
        throw StageLifecycle.PartialFailure(Boom(), counts: JSONObject([("documents", .int(3))]))
      }
    ) { error in XCTAssertTrue(error is Boom, "the stage's own error is thrown on") }
    XCTAssertFalse(try lifecycle.isUpToDate(in: store), "failed runs do not count")
    let result = try lifecycle.record(in: store) { runID in (runID * 10, JSONObject([("documents", .int(7))])) }
    let runs = try store.stageRuns(stage: "demo")
    XCTAssertEqual(runs.map(\.status), [.failed, .failed, .completed])
    XCTAssertEqual(result, runs[2].id * 10, "the work gets its run's id")
    XCTAssertEqual(runs[1].counts, #"{"documents":3,"error":"Boom()"}"#)
    XCTAssertEqual(runs[2].counts, #"{"documents":7}"#)
    XCTAssertTrue(try lifecycle.isUpToDate(in: store))
    XCTAssertFalse(try lifecycle.isUpToDate(in: store, outputs: [folder + "/missing.json"]), "an output that is gone")
    let other = StageLifecycle(stage: "demo", config: StageConfig(JSONObject([("k", .int(2))])))
    XCTAssertFalse(try other.isUpToDate(in: store), "another configuration")
  }
}
