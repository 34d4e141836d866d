import Foundation
import GRDB

/// Parts: committing a part's documents and rejects (from one process or from task files), the
/// id index around a bulk load, and a part's rows found and removed.
extension ProvenanceStore {
  /// The finished parts of a source: part number → fingerprint.
  public func partFingerprints(sourceID: Int64) throws -> [Int: String] {
    try pool.read { db in
      var result: [Int: String] = [:]
      for row in try Row.fetchAll(
        db, sql: "SELECT part, fingerprint FROM ingest_parts WHERE source_id = ?", arguments: [sourceID])
      {
        result[row["part"]] = row["fingerprint"]
      }
      return result
    }
  }

  public func parts(sourceID: Int64) throws -> [PartRecord] {
    try pool.read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM ingest_parts WHERE source_id = ? ORDER BY part", arguments: [sourceID])
        .map { row in
          PartRecord(
            sourceID: row["source_id"], part: row["part"], path: row["path"], fingerprint: row["fingerprint"],
            documents: row["documents"], rejected: row["rejected"], inputBytes: row["input_bytes"],
            outputBytes: row["output_bytes"], sha256: row["sha256"], stageRunID: row["stage_run_id"])
        }
    }
  }

  /// Replaces everything recorded for one part of a source, in one transaction: its documents,
  /// its rejects and its `ingest_parts` row. The rows come from the part's staging database,
  /// which is attached for the copy, so the transaction is short and memory stays flat.
  public func commitPart(_ part: PartRecord, staged: StagedRows) throws {
    try staged.checkHolds(part)
    try staged.close()
    try commitPart(part, stagedPath: staged.path, stageRunID: part.stageRunID)
  }

  /// Merges tasks' finished part files (`StagedRows.finish(part:movingTo:)`), each with its part
  /// row (`StagedRows.taskPart(at:)`): their rows, with the merging run's id on the rejects and
  /// the parts. Several files are attached at once and committed in one transaction — each
  /// transaction rewrites the index pages it touched, so fewer of them is most of a merge's speed.
  ///
  /// When every part is new and they add at least as many documents as the store holds (the
  /// first ingest of a corpus, a merge of many tasks), the id index is dropped first and built
  /// again at the end by one sort: row by row its random keys revisit pages all over it, which
  /// made the merge a seventh of the stage at 200k documents and a quarter at 800k. The batches
  /// are separate transactions (SQLite attaches 10 files at most and detaches none inside a
  /// transaction), so a merge killed in between leaves the store without the index: opening the
  /// store builds it again (`restoreDocumentIndex`).
  public func commitTaskParts(_ parts: [(record: PartRecord, path: String)], stageRunID: Int64) throws {
    let rebuild = try pool.read { db in try Self.rebuildsDocumentIndex(db, adding: parts.map(\.record)) }
    if rebuild {
      try pool.writeWithoutTransaction { db in try db.execute(sql: "DROP INDEX IF EXISTS documents_by_id") }
    }
    let merged = parts.map { (sourceID: $0.record.sourceID, part: $0.record.part) }
    do {
      for start in stride(from: 0, to: parts.count, by: Self.attachedAtOnce) {
        let batch = parts[start..<min(parts.count, start + Self.attachedAtOnce)].map { entry in
          var record = entry.record
          record.stageRunID = stageRunID
          return (record, entry.path)
        }
        try commitParts(batch, stageRunID: stageRunID)
      }
    } catch {
      if rebuild { try? Self.restoreDocumentIndex(pool, undoing: merged) }
      throw error
    }
    if rebuild { try Self.restoreDocumentIndex(pool, undoing: merged) }
  }

  /// Begins one process's ingest of `parts` (source id and part number) from `inputBytes` bytes
  /// of input: when every part is new and the input is at least as large as the inputs of the
  /// parts the store holds, the id index is dropped, to be built again by
  /// `endBulkDocumentLoad` (or by the next open, if the process is stopped). Returns whether it
  /// was. Only for a process that is the store's one writer of documents (not tasks writing the
  /// store side by side).
  public func beginBulkDocumentLoad(parts: [(sourceID: Int64, part: Int)], inputBytes: Int) throws -> Bool {
    let bulk = try pool.read { db -> Bool in
      let held = try Int.fetchOne(db, sql: "SELECT coalesce(sum(input_bytes), 0) FROM ingest_parts") ?? 0
      guard inputBytes > 0, inputBytes >= held else { return false }
      return try !parts.contains { try Self.hasRows(db, sourceID: $0.sourceID, part: $0.part) }
    }
    if bulk { try pool.writeWithoutTransaction { db in try db.execute(sql: "DROP INDEX IF EXISTS documents_by_id") } }
    return bulk
  }

  /// Builds the id index a bulk load dropped. An id present twice takes the rows of the parts
  /// `undoing` names out again (their part files are made again by the next ingest) and throws.
  public func endBulkDocumentLoad(undoing parts: [(sourceID: Int64, part: Int)]) throws {
    try Self.restoreDocumentIndex(pool, undoing: parts)
  }

  private static func hasDocumentIndex(_ db: Database) throws -> Bool {
    try Bool.fetchOne(
      db, sql: "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'documents_by_id')") ?? true
  }

  /// Whether a merge of `parts` drops the id index and builds it again: every part is new (a part
  /// replacing rows deletes through the foreign keys, which need the index) and they bring at
  /// least as many documents as the store holds, so each merge's sort costs no more than its
  /// own rows row by row would, and no more than twice the rows it adds.
  private static func rebuildsDocumentIndex(_ db: Database, adding parts: [PartRecord]) throws -> Bool {
    let adding = parts.reduce(0) { $0 + $1.documents }
    let held = try Int.fetchOne(db, sql: "SELECT coalesce(sum(documents), 0) FROM ingest_parts") ?? 0
    guard adding > 0, adding >= held else { return false }
    return try !parts.contains { try hasRows(db, $0) }
  }

  private static func hasRows(_ db: Database, _ part: PartRecord) throws -> Bool {
    try hasRows(db, sourceID: part.sourceID, part: part.part)
  }

  /// Whether the store has any row of a part (a commit of it replaces them). A part's documents
  /// are in the store only with its `ingest_parts` row (one transaction writes or deletes both).
  private static func hasRows(_ db: Database, sourceID: Int64, part: Int) throws -> Bool {
    try Bool.fetchOne(
      db,
      sql: """
        SELECT EXISTS (SELECT 1 FROM input_files WHERE source_id = ?1 AND part = ?2)
          OR EXISTS (SELECT 1 FROM rejects WHERE stage = 'ingest' AND source_id = ?1 AND part = ?2)
          OR EXISTS (SELECT 1 FROM ingest_parts WHERE source_id = ?1 AND part = ?2)
          OR EXISTS (SELECT 1 FROM part_versions WHERE source_id = ?1 AND part = ?2)
          OR EXISTS (SELECT 1 FROM tagged_parts WHERE source_id = ?1 AND part = ?2)
        """, arguments: [sourceID, part]) != false
  }

  /// Builds the document id index when it is missing (a merge that dropped it was stopped). An id
  /// present twice can only come from the parts being merged — the store held the index before
  /// — so their rows are taken out again: `undoing`'s parts, and the merge says which id; at
  /// open, when no merge is known, the parts holding a later copy, which lose their `ingest_parts`
  /// row so that the next ingest (or merge, whose task files are still there) makes them again.
  static func restoreDocumentIndex(_ writer: any DatabaseWriter, undoing parts: [(sourceID: Int64, part: Int)] = [])
    throws
  {
    guard try !writer.read(hasDocumentIndex) else { return }
    do {
      try writer.writeWithoutTransaction { db in
        // SQLite's sorter sorts runs of its page cache's size, on worker threads when allowed:
        // runs of 2 MB sorted two at a time and merged beat one list of every id (64 MB cache).
        let cache = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
        try db.execute(sql: "PRAGMA cache_size = -2000; PRAGMA threads = 2")
        defer { try? db.execute(sql: "PRAGMA threads = 0; PRAGMA cache_size = \(cache)") }
        try db.execute(sql: "CREATE UNIQUE INDEX IF NOT EXISTS documents_by_id ON documents(id)")
      }
      return
    } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {}
    let (repeated, undone) = try writer.read { db -> (String?, [(Int64, Int)]) in
      let repeated = try String.fetchOne(db, sql: "SELECT id FROM documents GROUP BY id HAVING count(*) > 1 LIMIT 1")
      if !parts.isEmpty { return (repeated, parts.map { ($0.sourceID, $0.part) }) }
      let later = try Row.fetchAll(
        db,
        sql:
          "SELECT DISTINCT source_id, part FROM documents WHERE rowid NOT IN (SELECT min(rowid) FROM documents GROUP BY id)"
      )
      return (repeated, later.map { ($0["source_id"], $0["part"]) })
    }
    try writer.writeWithoutTransaction { db in
      try db.execute(sql: "PRAGMA foreign_keys = OFF")
      defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
      try db.inTransaction(.immediate) {
        for (source, part) in undone {
          let arguments: StatementArguments = [source, part]
          try deleteDocuments(db, sourceID: source, part: part)
          try db.execute(sql: "DELETE FROM input_files WHERE source_id = ? AND part = ?", arguments: arguments)
          try db.execute(
            sql: "DELETE FROM rejects WHERE stage = 'ingest' AND source_id = ? AND part = ?", arguments: arguments)
          try db.execute(sql: "DELETE FROM ingest_parts WHERE source_id = ? AND part = ?", arguments: arguments)
        }
        try db.execute(sql: "CREATE UNIQUE INDEX documents_by_id ON documents(id)")
        return .commit
      }
    }
    if !parts.isEmpty {
      throw StoreError.repeatedDocumentID(repeated)
    }
  }

  /// SQLite attaches at most 10 databases unless built otherwise (SQLITE_MAX_ATTACHED).
  static let attachedAtOnce = 8

  private func commitPart(_ part: PartRecord, stagedPath: String, stageRunID: Int64?) throws {
    try commitParts([(part, stagedPath)], stageRunID: stageRunID)
  }

  /// Ingest's commits of documents go through the document id index — its random keys revisit
  /// pages all over it, which with SQLite's 2 MB page cache are read again and again. The larger
  /// cache is for these commits only: kept on every connection, it filled as the store grew and
  /// every stage's memory grew with it. While the id index is dropped (a bulk load), the rows
  /// only append and SQLite's own cache is enough.
  private static func withCommitCache<T>(_ db: Database, _ body: () throws -> T) throws -> T {
    guard try hasDocumentIndex(db) else { return try body() }
    let defaultCache = try Int.fetchOne(db, sql: "PRAGMA cache_size") ?? -2000
    try db.execute(sql: "PRAGMA cache_size = -65536")
    defer { try? db.execute(sql: "PRAGMA cache_size = \(defaultCache)") }
    return try body()
  }

  private func commitParts(_ parts: [(record: PartRecord, path: String)], stageRunID: Int64?) throws {
    try pool.writeWithoutTransaction { db in
      try Self.withCommitCache(db) { try Self.commitParts(db, parts, stageRunID: stageRunID) }
    }
  }

  private static func commitParts(_ db: Database, _ parts: [(record: PartRecord, path: String)], stageRunID: Int64?)
    throws
  {
    var attached: [String] = []
    defer { for name in attached { try? db.execute(sql: "DETACH DATABASE \(name)") } }
    for (index, part) in parts.enumerated() {
      try db.execute(sql: "ATTACH DATABASE ? AS staged\(index)", arguments: [part.path])
      attached.append("staged\(index)")
    }
    if try commitNewParts(db, parts, stageRunID: stageRunID) { return }
    try db.inTransaction {
      for (index, (part, _)) in parts.enumerated() {
        try Self.deletePart(db, sourceID: part.sourceID, part: part.part)
        let firstRow = try insertStagedRows(
          db, from: "staged\(index)", part: part, conflict: "", stageRunID: stageRunID)
        try insertPartRow(db, part, firstRow: firstRow)
      }
      return .commit
    }
  }

  private static func insertPartRow(_ db: Database, _ part: PartRecord, firstRow: Int64?) throws {
    try db.execute(
      sql: """
        INSERT INTO ingest_parts (source_id, part, path, fingerprint, documents, rejected, input_bytes,
          output_bytes, sha256, stage_run_id, completed_at, first_row)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
      arguments: [
        part.sourceID, part.part, part.path, part.fingerprint, part.documents, part.rejected, part.inputBytes,
        part.outputBytes, part.sha256, part.stageRunID, Timestamp.now(), firstRow,
      ])
  }

  /// Copies a staged part file's input files, documents and rejects; returns the rowid of the
  /// part's first document (nil: none). `conflict`: "" (a failed constraint undoes the
  /// statement) or "OR ROLLBACK" (it undoes the transaction). The documents are appended as one
  /// run of rowids in part line order — `ingest_parts.first_row` and the count find them, with
  /// no index by part. `SELECT *` from a table of the same columns, with foreign keys off and no
  /// index (a merge that rebuilds the id index), lets SQLite copy the rows without decoding them
  /// (its transfer optimisation); a staged file holds one part's documents
  /// (`StagedRows.checkHolds`).
  private static func insertStagedRows(
    _ db: Database, from staged: String, part: PartRecord, conflict: String, stageRunID: Int64?
  ) throws -> Int64? {
    try db.execute(sql: "INSERT \(conflict) INTO input_files SELECT * FROM \(staged).files")
    let first = (try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) + 1 FROM main.documents"))!
    try db.execute(sql: "INSERT \(conflict) INTO documents SELECT * FROM \(staged).documents")
    let added = db.changesCount
    let last = try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM main.documents")!
    guard added == part.documents, last - first + 1 == Int64(added) else {
      throw StoreError.partRowsMismatch(
        sourceID: part.sourceID, part: part.part, copied: added, recorded: part.documents, firstRow: first,
        lastRow: last)
    }
    try db.execute(
      sql: """
        INSERT \(conflict) INTO rejects (stage, source_id, part, path, line, byte_offset, reason, detail, stage_run_id)
        SELECT stage, source_id, part, path, line, byte_offset, reason, detail, coalesce(stage_run_id, ?) FROM \(staged).rejects
        """, arguments: [stageRunID])
    return added > 0 ? first : nil
  }

  /// The usual commit — parts the store has no rows of yet — without SQLite's statement
  /// journal. With foreign keys on, or a constraint that undoes only its statement, each
  /// INSERT after the first in a transaction first copies every page of the store it is about
  /// to change into a temporary file, so it can be undone alone: for documents, most of the id
  /// index, again for every part (an ingest merge of 200k documents wrote 240 MB there). Here
  /// a failed constraint undoes the whole transaction, and the foreign keys of the new rows —
  /// their source, their stage run — are checked by query instead: nothing refers to rows that
  /// did not exist. Returns false, having changed nothing, when a part has rows to replace
  /// (their deletion needs the foreign keys' cascades).
  private static func commitNewParts(_ db: Database, _ parts: [(record: PartRecord, path: String)], stageRunID: Int64?)
    throws -> Bool
  {
    try db.execute(sql: "PRAGMA foreign_keys = OFF")
    defer { try? db.execute(sql: "PRAGMA foreign_keys = ON") }
    var committed = false
    try db.inTransaction(.immediate) {
      for (index, (part, _)) in parts.enumerated() {
        let staged = "staged\(index)"
        let arguments: StatementArguments = [part.sourceID, part.part]
        if try hasRows(db, part) { return .rollback }
        // The new rows' references: the part's source and the stage runs named.
        let dangling = try Bool.fetchOne(
          db,
          sql: """
            SELECT NOT EXISTS (SELECT 1 FROM main.sources WHERE id = ?1)
              OR EXISTS (SELECT 1 FROM \(staged).files WHERE source_id IS NOT ?1 OR part IS NOT ?2)
              OR EXISTS (SELECT 1 FROM \(staged).rejects WHERE source_id IS NOT ?1 OR part IS NOT ?2
                OR (coalesce(stage_run_id, ?3) IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM main.stage_runs WHERE id = coalesce(stage_run_id, ?3))))
              OR (?4 IS NOT NULL AND NOT EXISTS (SELECT 1 FROM main.stage_runs WHERE id = ?4))
            """, arguments: arguments + [stageRunID, part.stageRunID])
        if dangling != false { return .rollback }
        let firstRow = try insertStagedRows(
          db, from: staged, part: part, conflict: "OR ROLLBACK", stageRunID: stageRunID)
        try insertPartRow(db, part, firstRow: firstRow)
      }
      committed = true
      return .commit
    }
    return committed
  }

  /// Forgets a part that no longer exists in the source's inputs.
  public func removePart(sourceID: Int64, part: Int) throws {
    try pool.write { db in try Self.deletePart(db, sourceID: sourceID, part: part) }
  }

  private static func deletePart(_ db: Database, sourceID: Int64, part: Int) throws {
    // The shard map has no index by document, so its rows are not deleted one document at a
    // time: shards made from documents that are going describe a store that is no more.
    if try deleteDocuments(db, sourceID: sourceID, part: part) > 0 {
      try db.execute(sql: "DELETE FROM shard_map; DELETE FROM shards")
    }
    try db.execute(sql: "DELETE FROM input_files WHERE source_id = ? AND part = ?", arguments: [sourceID, part])
    try db.execute(
      sql: "DELETE FROM rejects WHERE stage = 'ingest' AND source_id = ? AND part = ?", arguments: [sourceID, part])
    try db.execute(sql: "DELETE FROM ingest_parts WHERE source_id = ? AND part = ?", arguments: [sourceID, part])
    try db.execute(sql: "DELETE FROM part_versions WHERE source_id = ? AND part = ?", arguments: [sourceID, part])
    try db.execute(sql: "DELETE FROM tagged_parts WHERE source_id = ? AND part = ?", arguments: [sourceID, part])
  }

  /// The rowids of a part's documents (`ingest_parts.first_row` and its count); empty when the
  /// part has none or is not in the store.
  static func documentRows(_ db: Database, sourceID: Int64, part: Int) throws -> ClosedRange<Int64>? {
    guard
      let row = try Row.fetchOne(
        db, sql: "SELECT first_row, documents FROM ingest_parts WHERE source_id = ? AND part = ?",
        arguments: [sourceID, part]),
      let first = row[0] as Int64?, let count = row[1] as Int64?, count > 0
    else { return nil }
    return first...(first + count - 1)
  }

  /// Deletes a part's documents (before its `ingest_parts` row, which finds them); returns how
  /// many.
  @discardableResult
  static func deleteDocuments(_ db: Database, sourceID: Int64, part: Int) throws -> Int {
    guard let rows = try documentRows(db, sourceID: sourceID, part: part) else { return 0 }
    try db.execute(
      sql: "DELETE FROM documents WHERE rowid BETWEEN ? AND ?", arguments: [rows.lowerBound, rows.upperBound])
    return db.changesCount
  }
}
