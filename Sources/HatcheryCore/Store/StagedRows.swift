import Foundation
import GRDB

/// Rows of one unit of work (an ingest part), written to a private SQLite file while the work
/// runs and copied into the store by `ProvenanceStore.commitPart` in one short transaction.
/// Holding them on disk rather than in memory keeps a stage's memory flat however many
/// documents a part has, and a private file means no lock is held on the store meanwhile.
public final class StagedRows {
  public let path: String
  private var queue: DatabaseQueue?
  /// Set once the rows were finished as a task file (`finish(part:movingTo:)`): kept, not deleted.
  private var kept = false
  public private(set) var documentCount = 0
  public private(set) var rejectCount = 0
  /// The part's input files so far, by path and format: their index in the part and the
  /// `created` time their documents share unless they say otherwise (`input_files`).
  private var files: [FileKey: (index: Int, created: String?)] = [:]

  private struct FileKey: Hashable {
    var path: String
    var format: String
  }

  /// The source and part of the documents so far: a staged file holds one part's documents, so
  /// the store copies its table whole (SQLite's transfer of raw rows, `commitParts`).
  private var documentsPart: (sourceID: Int64, part: Int)?

  /// The layout of a task file; a file of another layout (an older Hatchery's) is not a
  /// finished task, so its part is ingested again.
  static let taskFileVersion = 3

  public init(path: String) throws {
    self.path = path
    unlink(path)
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    var configuration = Configuration()
    // One transaction stays open across inserts, for speed; it is committed by `close()`.
    configuration.allowsUnsafeTransactions = true
    let queue = try DatabaseQueue(path: path, configuration: configuration)
    try queue.writeWithoutTransaction { db in
      // A scratch file: if the process dies it is rebuilt, so durability is not needed.
      try db.execute(sql: "PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF")
      // The columns of the store's `documents` (types and NOT NULL too: SQLite copies rows
      // between tables of the same columns without decoding them) and `input_files`.
      try db.execute(
        sql: """
          CREATE TABLE documents (id TEXT NOT NULL, source_id INTEGER NOT NULL, part INTEGER NOT NULL,
            part_line INTEGER NOT NULL, file INTEGER NOT NULL, line INTEGER, byte_offset INTEGER NOT NULL,
            sha256 BLOB NOT NULL, original_sha256 BLOB, bytes INTEGER NOT NULL, original_bytes INTEGER, chars INTEGER,
            repaired INTEGER NOT NULL, created TEXT, title TEXT, language TEXT, url TEXT);
          CREATE TABLE files (source_id, part, file, path, format, created);
          CREATE TABLE rejects (stage, source_id, part, path, line, byte_offset, reason, detail, stage_run_id);
          BEGIN;
          """)
    }
    self.queue = queue
  }

  deinit {
    queue = nil
    if !kept { unlink(path) }
  }

  /// Adds a document in the store's compact form: its path, format and (usually shared)
  /// `created` once per input file, hashes as bytes, and a value equal to the one it is
  /// usually equal to (the original bytes and hash, the scalar count of ASCII text) as NULL.
  public func insert(_ document: DocumentRecord) throws {
    if let owner = documentsPart {
      guard owner == (document.sourceID, document.part) else {
        throw StoreError.stagedForAnotherPart(
          path: nil, document: document.id, stagedSource: document.sourceID, stagedPart: document.part,
          ownerSource: owner.sourceID, ownerPart: owner.part)
      }
    } else {
      documentsPart = (document.sourceID, document.part)
    }
    let key = FileKey(path: document.path, format: document.format)
    let file: (index: Int, created: String?)
    if let known = files[key] {
      file = known
    } else {
      file = (files.count, document.created)
      files[key] = file
      try queue!.writeWithoutTransaction { db in
        try db.execute(
          sql: "INSERT INTO files VALUES (?,?,?,?,?,?)",
          arguments: [document.sourceID, document.part, file.index, document.path, document.format, file.created])
      }
    }
    guard let sha256 = Hex.decode(document.sha256).map({ Data($0) }), sha256.count == 32,
      let originalSHA256 = Hex.decode(document.originalSHA256).map({ Data($0) }), originalSHA256.count == 32
    else { throw StoreError.badSHA256(documentID: document.id) }
    try queue!.writeWithoutTransaction { db in
      let statement = try db.cachedStatement(sql: "INSERT INTO documents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)")
      try statement.execute(arguments: [
        document.id, document.sourceID, document.part, document.partLine, file.index, document.line,
        document.byteOffset, sha256, originalSHA256 == sha256 ? nil : originalSHA256, document.bytes,
        document.originalBytes == document.bytes ? nil : document.originalBytes,
        document.chars == document.bytes ? nil : document.chars, document.repaired,
        // NULL reads as the file's time; a document without one where its file has one is ''.
        document.created == file.created ? nil : (document.created ?? ""), document.title, document.language,
        document.url,
      ])
    }
    documentCount += 1
  }

  public func insert(_ reject: RejectRecord, stageRunID: Int64?) throws {
    try queue!.writeWithoutTransaction { db in
      let statement = try db.cachedStatement(sql: "INSERT INTO rejects VALUES (?,?,?,?,?,?,?,?,?)")
      try statement.execute(arguments: [
        reject.stage, reject.sourceID, reject.part, reject.path, reject.line, reject.byteOffset, reject.reason,
        reject.detail, stageRunID,
      ])
    }
    rejectCount += 1
  }

  /// Finishes the rows as a task's output: the part's own row is added, the file is committed,
  /// closed and renamed to `finalPath` — a task file is there whole or not at all — for a later
  /// merge (`ProvenanceStore.commitTaskParts`).
  public func finish(part: PartRecord, movingTo finalPath: String) throws {
    try checkHolds(part)
    try queue!.writeWithoutTransaction { db in
      try db.execute(
        sql: """
          CREATE TABLE part (source_id, part, path, fingerprint, documents, rejected, input_bytes, output_bytes, sha256);
          INSERT INTO part VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?);
          PRAGMA user_version = \(Self.taskFileVersion);
          """,
        arguments: [
          part.sourceID, part.part, part.path, part.fingerprint, part.documents, part.rejected, part.inputBytes,
          part.outputBytes,
          part.sha256,
        ])
    }
    try close()
    try FileManager.default.createDirectory(
      atPath: (finalPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    guard rename(path, finalPath) == 0 else { throw HatcheryError.system("rename to \(finalPath)", path: path) }
    kept = true
  }

  /// Throws unless every document staged is of `part` and their number is its `documents`.
  func checkHolds(_ part: PartRecord) throws {
    if let owner = documentsPart, owner != (part.sourceID, part.part) {
      throw StoreError.stagedForAnotherPart(
        path: path, document: nil, stagedSource: part.sourceID, stagedPart: part.part, ownerSource: owner.sourceID,
        ownerPart: owner.part)
    }
    guard documentCount == part.documents else {
      throw StoreError.stagedCountMismatch(
        path: path, staged: documentCount, sourceID: part.sourceID, part: part.part, recorded: part.documents)
    }
  }

  /// The part row of a finished task file; nil when the file is not one (absent, or cut short).
  public static func taskPart(at path: String) -> PartRecord? {
    guard FileManager.default.fileExists(atPath: path) else { return nil }
    var configuration = Configuration()
    configuration.readonly = true
    guard let queue = try? DatabaseQueue(path: path, configuration: configuration) else { return nil }
    return try? queue.read { db in
      guard try Int.fetchOne(db, sql: "PRAGMA user_version") == taskFileVersion else { return nil }
      return try Row.fetchOne(db, sql: "SELECT * FROM part").map { row in
        PartRecord(
          sourceID: row["source_id"], part: row["part"], path: row["path"], fingerprint: row["fingerprint"],
          documents: row["documents"], rejected: row["rejected"], inputBytes: row["input_bytes"],
          outputBytes: row["output_bytes"], sha256: row["sha256"], stageRunID: nil)
      }
    }
  }

  /// Commits and closes the file so another connection can attach it.
  func close() throws {
    guard let queue else { return }
    try queue.writeWithoutTransaction { db in try db.execute(sql: "COMMIT") }
    try queue.close()
    self.queue = nil
  }
}
