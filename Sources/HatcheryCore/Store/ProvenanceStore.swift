import Foundation
import GRDB

/// The workspace's SQLite provenance store: sources, documents, rejects, decisions, stage runs
/// and, for later stages, licences, shards and training runs. WAL mode, so readers never block
/// the writer; every statement takes its values as parameters.
public final class ProvenanceStore: Sendable {
  public let path: String
  /// A pool (WAL, readers beside the writer) for a writable store on a local disk; one
  /// connection with a rollback journal on a network file system; one read-only connection for a
  /// store that may not be written (another user's or a published workspace).
  let pool: any DatabaseWriter
  /// Where the store is: WAL on a local disk, a rollback journal on a network file system.
  public let fileSystem: FileSystemKind

  /// Opens (creating if needed) the store at `path` and brings its schema up to date. With
  /// `readOnly`, nothing is created or written: the store must exist with a current schema.
  /// `soleWriter` is for a merge, which nothing else writes beside (tasks are done, later steps
  /// wait for it): one connection with a rollback journal, as on a network file system. WAL
  /// writes every page twice (the log, then the checkpoint); a rollback journal writes new pages
  /// once and journals only the pages it changes. Where another process holds the store open,
  /// SQLite keeps WAL and the merge runs in it.
  public init(path: String, readOnly: Bool = false, soleWriter: Bool = false) throws {
    self.path = path
    fileSystem = FileSystemKind.of((path as NSString).deletingLastPathComponent)
    try Self.checkFile(path)
    var configuration = Configuration()
    // Tasks of one stage may run as separate processes on one store; they wait for each other's
    // short commit transactions rather than fail.
    configuration.busyMode = .timeout(120)
    var migrator = DatabaseMigrator()
    for migration in ProvenanceSchema.migrations {
      migrator.registerMigration(migration.name) { db in
        db.add(function: ProvenanceSchema.unhex)
        db.add(
          function: DatabaseFunction(
            "hatchery_span_set", argumentCount: 3, pure: true, aggregate: RemovedSpanSetAggregate.self))
        try db.execute(sql: migration.sql)
      }
    }
    do {
      if readOnly {
        configuration.readonly = true
        let queue = try Self.openForReading(path: path, configuration: configuration)
        guard try queue.read({ try migrator.hasCompletedMigrations($0) }) else {
          throw HatcheryError(
            "\(path): the store was written by an older Hatchery; run any stage on it once (writable) to bring it up to date"
          )
        }
        pool = queue
      } else {
        let folder = (path as NSString).deletingLastPathComponent
        // WAL needs its -wal and -shm files beside the store, so the folder must be writable too.
        if access(folder, W_OK) != 0 || (FileManager.default.fileExists(atPath: path) && access(path, W_OK) != 0) {
          throw HatcheryError(
            "\(path): the store cannot be written (\(String(cString: strerror(errno)))); audit, trace, energy and report "
              + "(with --output) read a workspace that cannot be written")
        }
        if soleWriter || fileSystem != .local {
          // WAL's shared-memory index cannot span nodes: a rollback journal, and a store that was
          // in WAL mode (made on a local disk) is switched back on its first open here. A pool's
          // next open switches a local store back to WAL.
          let queue = try DatabaseQueue(path: path, configuration: configuration)
          do {
            try queue.writeWithoutTransaction { db in
              _ = try String.fetchOne(db, sql: "PRAGMA journal_mode = DELETE")
            }
          } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && fileSystem == .local {
            // Another process holds the local store in WAL mode (a reader): the merge keeps WAL.
          }
          try migrator.migrate(queue)
          pool = queue
        } else {
          let pool = try DatabasePool(path: path, configuration: configuration)
          try migrator.migrate(pool)
          self.pool = pool
        }
        try Self.restoreDocumentIndex(pool)
      }
    } catch let error as HatcheryError {
      throw error
    } catch {
      throw HatcheryError("\(path): cannot open the provenance store: \(error)")
    }
  }

  /// A read-only connection. A WAL store needs its `-shm` file, which cannot be made where the
  /// user may not write: there it is opened as immutable, which is right only when no `-wal`
  /// file holds changes not yet in the store (a published workspace is closed cleanly).
  private static func openForReading(path: String, configuration: Configuration) throws -> DatabaseQueue {
    do {
      let queue = try DatabaseQueue(path: path, configuration: configuration)
      try queue.read { db in _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
      return queue
    } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN {
      var info = stat()
      if stat(path + "-wal", &info) == 0, info.st_size > 0 {
        throw HatcheryError(
          "\(path): cannot be read here: its -wal file holds changes and the folder cannot be written; "
            + "open it once where it can be written, or copy the workspace")
      }
      var allowed = CharacterSet.urlPathAllowed
      allowed.remove(charactersIn: "?#%")
      let escaped = path.addingPercentEncoding(withAllowedCharacters: allowed) ?? path
      return try DatabaseQueue(path: "file:\(escaped)?immutable=1", configuration: configuration)
    }
  }

  /// A store file whose size or header is not that of an SQLite database (cut short, overwritten)
  /// is checked with `PRAGMA quick_check` before any stage trusts it.
  private static func checkFile(_ path: String) throws {
    var info = stat()
    guard stat(path, &info) == 0, info.st_size > 0 else { return }
    let size = Int(info.st_size)
    guard let handle = FileHandle(forReadingAtPath: path) else { return }
    let header = [UInt8]((try? handle.read(upToCount: 100)) ?? Data())
    try? handle.close()
    let magic = Array("SQLite format 3\0".utf8)
    guard header.count == 100, Array(header.prefix(16)) == magic else {
      throw HatcheryError(
        "\(path): not an SQLite database (its first bytes are not SQLite's header); restore the store from a backup")
    }
    let pageSize = Int(header[16]) << 8 | Int(header[17])
    let realPageSize = pageSize == 1 ? 65536 : pageSize
    // The main file holds whole pages (in WAL mode too; recent pages may be in the -wal file).
    guard realPageSize < 512 || size % realPageSize != 0 else { return }
    var configuration = Configuration()
    configuration.readonly = true
    let verdict: String
    do {
      verdict = try DatabaseQueue(path: path, configuration: configuration).read { db in
        try String.fetchAll(db, sql: "PRAGMA quick_check").joined(separator: "; ")
      }
    } catch {
      throw HatcheryError("\(path): the store is damaged (\(size) bytes, pages of \(realPageSize)): \(error)")
    }
    guard verdict == "ok" else {
      throw HatcheryError(
        "\(path): the store is damaged (\(size) bytes, pages of \(realPageSize)): \(verdict.prefix(300))")
    }
  }

  /// Runs a read-only query; for stages' own queries and for tests.
  public func read<T>(_ body: (Database) throws -> T) throws -> T {
    try pool.read(body)
  }

  // MARK: Sources

  public func source(named name: String) throws -> SourceRecord? {
    try pool.read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM sources WHERE name = ?", arguments: [name]).map(Self.sourceRecord)
    }
  }

  /// Creates the source, or updates its inputs, kind and licence; `addedAt` and `retrievedAt`
  /// are kept from the first registration unless given again, so documents keep their `added`.
  public func registerSource(
    name: String, uri: String, kind: String, declaredLicense: String?, retrievedAt: String?, addedAt: String?
  ) throws -> SourceRecord {
    let now = Timestamp.now()
    return try pool.write { db in
      try db.execute(
        sql: """
          INSERT INTO sources (name, uri, kind, declared_license, retrieved_at, added_at)
          VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT(name) DO UPDATE SET uri = excluded.uri, kind = excluded.kind,
            declared_license = excluded.declared_license,
            retrieved_at = coalesce(?, retrieved_at), added_at = coalesce(?, added_at)
          """,
        arguments: [name, uri, kind, declaredLicense, retrievedAt ?? now, addedAt ?? now, retrievedAt, addedAt])
      let row = try Row.fetchOne(db, sql: "SELECT * FROM sources WHERE name = ?", arguments: [name])!
      return Self.sourceRecord(row)
    }
  }

  public func setSourceChecksum(sourceID: Int64, checksum: String?) throws {
    try pool.write { db in
      try db.execute(sql: "UPDATE sources SET checksum = ? WHERE id = ?", arguments: [checksum, sourceID])
    }
  }

  private static func sourceRecord(_ row: Row) -> SourceRecord {
    SourceRecord(
      id: row["id"], name: row["name"], uri: row["uri"], kind: row["kind"], declaredLicense: row["declared_license"],
      checksum: row["checksum"], retrievedAt: row["retrieved_at"], addedAt: row["added_at"])
  }

  // MARK: Stage runs

  /// Records the start of a stage run by this process. Runs of any stage that are still
  /// `running` on this host but whose process is gone (killed, or failed where the store could
  /// not be written, as on a full disk) are marked failed.
  public func beginStageRun(
    stage: String, scope: String, task: Int, tasks: Int, config: String, configHash: String, toolVersion: String
  ) throws -> Int64 {
    var name = [CChar](repeating: 0, count: 256)
    gethostname(&name, name.count - 1)
    let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return try pool.write { db in
      let orphans = try Row.fetchAll(
        db, sql: "SELECT id, pid FROM stage_runs WHERE status = 'running' AND host = ?", arguments: [host])
      for orphan in orphans {
        guard let pid: Int32 = orphan["pid"], kill(pid, 0) != 0, errno == ESRCH else { continue }
        try db.execute(
          sql: "UPDATE stage_runs SET status = 'failed', finished_at = ?, counts = ? WHERE id = ?",
          arguments: [Timestamp.now(), #"{"interrupted":true}"#, orphan["id"] as Int64])
      }
      try db.execute(
        sql: """
          INSERT INTO stage_runs (stage, scope, task, tasks, config, config_hash, tool_version, started_at, status, host, pid)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)
          """,
        arguments: [stage, scope, task, tasks, config, configHash, toolVersion, Timestamp.now(), host, getpid()])
      return db.lastInsertedRowID
    }
  }

  public func finishStageRun(id: Int64, status: StageRunStatus, counts: JSONObject) throws {
    try pool.write { db in
      try db.execute(
        sql: "UPDATE stage_runs SET status = ?, finished_at = ?, counts = ? WHERE id = ?",
        arguments: [status.rawValue, Timestamp.now(), JSONWriter.encode(.object(counts)), id])
    }
  }

  /// Whether a run of `stage` over `scope` (and `task`) with this configuration has completed:
  /// the test by which a stage re-run with unchanged inputs and options does nothing.
  public func hasCompletedRun(stage: String, scope: String, configHash: String, task: Int = 0) throws -> Bool {
    try stageRuns(stage: stage, scope: scope).contains {
      $0.status == .completed && $0.configHash == configHash && $0.task == task
    }
  }

  /// The newest run of every stage, scope and task, by stage then scope then task.
  public func latestStageRuns() throws -> [StageRunRecord] {
    try pool.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT * FROM stage_runs WHERE id IN (SELECT max(id) FROM stage_runs GROUP BY stage, scope, task)
          ORDER BY stage, scope, task
          """
      ).map(Self.stageRunRecord)
    }
  }

  public func stageRuns(stage: String, scope: String? = nil) throws -> [StageRunRecord] {
    try pool.read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM stage_runs WHERE stage = ? AND (? IS NULL OR scope = ?) ORDER BY id",
        arguments: [stage, scope, scope]
      ).map(Self.stageRunRecord)
    }
  }

  private static func stageRunRecord(_ row: Row) -> StageRunRecord {
    StageRunRecord(
      id: row["id"], stage: row["stage"], scope: row["scope"], task: row["task"], tasks: row["tasks"],
      config: row["config"], configHash: row["config_hash"], toolVersion: row["tool_version"],
      startedAt: row["started_at"], finishedAt: row["finished_at"],
      // The schema's CHECK allows only the enum's values; anything else reads as failed.
      status: StageRunStatus(rawValue: row["status"] as String) ?? .failed, counts: row["counts"])
  }

  // MARK: Parts and documents

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
      throw HatcheryError(
        "document id \(repeated ?? "?") is made twice by the parts being added; none of them was kept")
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
      throw HatcheryError(
        "part \(part.part) of source \(part.sourceID): \(added) document row(s) copied for \(part.documents) recorded, "
          + "rowids \(first)...\(last); nothing of it was kept")
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

  /// The bytes of stored text in one part, for progress estimates.
  public func textBytes(sourceID: Int64, part: Int) throws -> Int {
    try pool.read { db in
      guard let rows = try Self.documentRows(db, sourceID: sourceID, part: part) else { return 0 }
      return try Int.fetchOne(
        db, sql: "SELECT coalesce(sum(bytes), 0) FROM documents WHERE rowid BETWEEN ? AND ?",
        arguments: [rows.lowerBound, rows.upperBound]) ?? 0
    }
  }

  /// A source's documents in part and line order (a part's are one run of rowids).
  public func documents(sourceID: Int64) throws -> [DocumentRecord] {
    try pool.read { db in
      try Int.fetchAll(
        db, sql: "SELECT part FROM ingest_parts WHERE source_id = ? ORDER BY part", arguments: [sourceID]
      ).flatMap { part in
        guard let rows = try Self.documentRows(db, sourceID: sourceID, part: part) else { return [DocumentRecord]() }
        return try Row.fetchAll(
          db, sql: "SELECT * FROM document_rows WHERE row BETWEEN ? AND ? ORDER BY row",
          arguments: [rows.lowerBound, rows.upperBound]
        ).map(Self.documentRecord)
      }
    }
  }

  public func document(id: String) throws -> DocumentRecord? {
    try pool.read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM document_rows WHERE id = ?", arguments: [id]).map(Self.documentRecord)
    }
  }

  private static func documentRecord(_ row: Row) -> DocumentRecord {
    DocumentRecord(
      id: row["id"], sourceID: row["source_id"], part: row["part"], partLine: row["part_line"], path: row["path"],
      line: row["line"], byteOffset: row["byte_offset"], format: row["format"],
      originalSHA256: row["original_sha256"], sha256: row["sha256"], originalBytes: row["original_bytes"],
      bytes: row["bytes"], chars: row["chars"], repaired: row["repaired"], created: row["created"],
      title: row["title"], language: row["language"], url: row["url"])
  }

  public func rejects(stage: String, sourceID: Int64? = nil) throws -> [RejectRecord] {
    try pool.read { db in
      try Row.fetchAll(
        db,
        sql: "SELECT * FROM rejects WHERE stage = ? AND (? IS NULL OR source_id = ?) ORDER BY part, path, byte_offset",
        arguments: [stage, sourceID, sourceID]
      ).map { row in
        RejectRecord(
          stage: row["stage"], sourceID: row["source_id"], part: row["part"], path: row["path"], line: row["line"],
          byteOffset: row["byte_offset"], reason: row["reason"], detail: row["detail"])
      }
    }
  }

  // MARK: Decisions

  /// Every finished part of every source, in source order (registration) and part order: the
  /// order in which later stages read the workspace's documents.
  public func allParts() throws -> [(source: SourceRecord, part: PartRecord)] {
    let sources = try pool.read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM sources ORDER BY id").map(Self.sourceRecord)
    }
    return try sources.flatMap { source in try parts(sourceID: source.id).map { (source, $0) } }
  }

  /// The input files whose path contains one of `fragments` (ASCII case ignored, SQLite's
  /// LIKE): a few candidates read out of one row per input file, not all of them.
  public func inputFiles(containing fragments: [String]) throws -> [(
    sourceID: Int64, part: Int, file: Int, path: String
  )] {
    guard !fragments.isEmpty else { return [] }
    return try pool.read { db in
      try Row.fetchAll(
        db,
        sql: "SELECT source_id, part, file, path FROM input_files WHERE "
          + Array(repeating: "path LIKE ?", count: fragments.count).joined(separator: " OR ")
          + " ORDER BY source_id, part, file",
        arguments: StatementArguments(fragments.map { "%" + $0 + "%" })
      ).map { ($0["source_id"], $0["part"], $0["file"], $0["path"]) }
    }
  }

  /// The paths of inputs of a stage's rejects whose path ends with `suffix`, by source.
  public func rejectedPaths(stage: String, endingWith suffix: String) throws -> [(sourceID: Int64, path: String)] {
    try pool.read { db in
      try Row.fetchAll(
        db,
        sql:
          "SELECT DISTINCT source_id, path FROM rejects WHERE stage = ? AND source_id IS NOT NULL AND path LIKE ? ORDER BY source_id, path",
        arguments: [stage, "%" + suffix]
      ).map { ($0["source_id"], $0["path"]) }
    }
  }

  /// The part lines (0-based) of the documents read from input file `file` of a part.
  public func partLines(sourceID: Int64, part: Int, file: Int) throws -> [Int] {
    try pool.read { db in
      guard let rows = try Self.documentRows(db, sourceID: sourceID, part: part) else { return [] }
      return try Int.fetchAll(
        db, sql: "SELECT part_line FROM documents WHERE rowid BETWEEN ? AND ? AND file = ? ORDER BY rowid",
        arguments: [rows.lowerBound, rows.upperBound, file])
    }
  }

  /// Replaces a stage's decisions and removed spans on `documentIDs` with `decisions` and
  /// `spans`, in one transaction.
  public func replaceDecisions(
    stage: String, for documentIDs: [String], with decisions: [DecisionRecord], spans: [RemovedSpanRecord] = [],
    stageRunID: Int64?
  ) throws {
    try pool.write { db in
      try Self.replaceDecisions(
        db, stage: stage, for: documentIDs, with: decisions, spans: spans, stageRunID: stageRunID)
    }
  }

  /// With `documentIDs` nil, only inserts.
  fileprivate static func replaceDecisions(
    _ db: Database, stage: String, for documentIDs: [String]?, with decisions: [DecisionRecord],
    spans: [RemovedSpanRecord], stageRunID: Int64?
  ) throws {
    if let documentIDs {
      let delete = try db.makeStatement(sql: "DELETE FROM decisions WHERE stage = ? AND document_id = ?")
      let deleteSpans = try db.makeStatement(sql: "DELETE FROM removed_spans WHERE stage = ? AND document_id = ?")
      for id in documentIDs {
        try delete.execute(arguments: [stage, id])
        try deleteSpans.execute(arguments: [stage, id])
      }
    }
    let insertSpans = try db.makeStatement(
      sql:
        "INSERT INTO removed_spans (document_id, stage, reason, count, spans, stage_run_id) VALUES (?, ?, ?, ?, ?, ?)")
    // One row per document, stage and reason, in the order the spans came.
    var groups: [SpanGroup: [RemovedSpanSet.Span]] = [:]
    var order: [SpanGroup] = []
    for span in spans {
      let group = SpanGroup(documentID: span.documentID, stage: span.stage, reason: span.reason)
      if groups[group] == nil { order.append(group) }
      groups[group, default: []].append(
        RemovedSpanSet.Span(start: span.start, end: span.end, duplicateOf: span.duplicateOf))
    }
    for group in order {
      let members = groups[group]!
      try insertSpans.execute(arguments: [
        group.documentID, group.stage, group.reason, members.count, try RemovedSpanSet.encode(members), stageRunID,
      ])
    }
    let insert = try db.makeStatement(
      sql: """
        INSERT INTO decisions (document_id, stage, action, reason, duplicate_of, similarity, score, stage_run_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """)
    for decision in decisions {
      try insert.execute(arguments: [
        decision.documentID, decision.stage, decision.action, decision.reason, decision.duplicateOf,
        decision.similarity, decision.score, stageRunID,
      ])
    }
  }

  /// Decisions of one stage (or of all), optionally only those on one document or naming one
  /// survivor.
  public func decisions(stage: String?, documentID: String? = nil, duplicateOf: String? = nil) throws
    -> [DecisionRecord]
  {
    try pool.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT * FROM decisions WHERE (? IS NULL OR stage = ?) AND (? IS NULL OR document_id = ?)
            AND (? IS NULL OR duplicate_of = ?) ORDER BY document_id, id
          """,
        arguments: [stage, stage, documentID, documentID, duplicateOf, duplicateOf]
      ).map { row in
        DecisionRecord(
          documentID: row["document_id"], stage: row["stage"], action: row["action"], reason: row["reason"],
          duplicateOf: row["duplicate_of"], similarity: row["similarity"], score: row["score"])
      }
    }
  }

  private struct SpanGroup: Hashable {
    var documentID: String
    var stage: String
    var reason: String
  }

  /// Removed spans of one stage (or of all), optionally of one document, by document and in
  /// text order.
  public func removedSpans(stage: String?, documentID: String? = nil) throws -> [RemovedSpanRecord] {
    try pool.read { db in
      var records: [RemovedSpanRecord] = []
      var current: String?
      var first = 0
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT document_id, stage, reason, spans FROM removed_spans
          WHERE (? IS NULL OR stage = ?) AND (? IS NULL OR document_id = ?) ORDER BY document_id
          """,
        arguments: [stage, stage, documentID, documentID])
      {
        let id: String = row["document_id"]
        if id != current {
          records[first...].sort { ($0.start, $0.end) < ($1.start, $1.end) }
          current = id
          first = records.count
        }
        let stage: String = row["stage"]
        let reason: String = row["reason"]
        for span in try RemovedSpanSet.decode(row["spans"]) {
          records.append(
            RemovedSpanRecord(
              documentID: id, stage: stage, start: span.start, end: span.end, reason: reason,
              duplicateOf: span.duplicateOf))
        }
      }
      records[first...].sort { ($0.start, $0.end) < ($1.start, $1.end) }
      return records
    }
  }

  public func source(id: Int64) throws -> SourceRecord? {
    try pool.read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM sources WHERE id = ?", arguments: [id]).map(Self.sourceRecord)
    }
  }

  // MARK: Licences

  /// Replaces, in one transaction, the tag stage's results for `documentIDs`: their findings,
  /// their effective licence and their `tag` decisions.
  /// Replaces the tag stage's rows of one part's documents: `licenses` holds the effective
  /// licences that are known or in conflict (a tagged document without one is unknown), and
  /// the part is recorded as tagged.
  public func replaceLicenses(
    part: (sourceID: Int64, part: Int), for documentIDs: [String], findings: [LicenseFindingRecord],
    licenses: [DocumentLicenseRecord], decisions: [DecisionRecord], stageRunID: Int64?
  ) throws {
    try pool.write { db in
      try Self.replaceLicenses(
        db, part: part, for: documentIDs, findings: findings, licenses: licenses, decisions: decisions,
        stageRunID: stageRunID)
    }
  }

  /// With `documentIDs` nil, only inserts (the stage's rows were cleared for every document).
  fileprivate static func replaceLicenses(
    _ db: Database, part: (sourceID: Int64, part: Int), for documentIDs: [String]?, findings: [LicenseFindingRecord],
    licenses: [DocumentLicenseRecord], decisions: [DecisionRecord], stageRunID: Int64?
  ) throws {
    try db.execute(
      sql: "INSERT OR REPLACE INTO tagged_parts (source_id, part, stage_run_id) VALUES (?, ?, ?)",
      arguments: [part.sourceID, part.part, stageRunID])
    if let documentIDs {
      let deleteFindings = try db.makeStatement(sql: "DELETE FROM license_findings WHERE document_id = ?")
      let deleteLicense = try db.makeStatement(sql: "DELETE FROM document_licenses WHERE document_id = ?")
      for id in documentIDs {
        try deleteFindings.execute(arguments: [id])
        try deleteLicense.execute(arguments: [id])
      }
    }
    try replaceDecisions(db, stage: "tag", for: documentIDs, with: decisions, spans: [], stageRunID: stageRunID)
    let insertFinding = try db.makeStatement(
      sql: """
        INSERT INTO license_findings (document_id, source_id, spdx, method, confidence, evidence, evidence_start,
          evidence_end, stage_run_id)
        VALUES (?, (SELECT source_id FROM documents WHERE id = ?), ?, ?, ?, ?, ?, ?, ?)
        """)
    for finding in findings {
      try insertFinding.execute(arguments: [
        finding.documentID, finding.documentID, finding.spdx, finding.method, finding.confidence, finding.evidence,
        finding.start, finding.end, stageRunID,
      ])
    }
    let insertLicense = try db.makeStatement(
      sql: """
        INSERT INTO document_licenses (document_id, expression, basis, category, conflict, stage_run_id)
        VALUES (?, ?, ?, ?, ?, ?)
        """)
    for license in licenses {
      try insertLicense.execute(arguments: [
        license.documentID, license.expression, license.basis, license.category, license.conflict, stageRunID,
      ])
    }
  }

  public func licenseFindings(documentID: String) throws -> [LicenseFindingRecord] {
    try pool.read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM license_findings WHERE document_id = ? ORDER BY evidence_start, id",
        arguments: [documentID]
      ).map { row in
        LicenseFindingRecord(
          documentID: row["document_id"], spdx: row["spdx"], method: row["method"], confidence: row["confidence"],
          evidence: row["evidence"] ?? "", start: row["evidence_start"] ?? 0, end: row["evidence_end"] ?? 0)
      }
    }
  }

  /// The effective licence expression of each document of a part that has one.
  public func licenseExpressions(sourceID: Int64, part: Int) throws -> [String: String] {
    try read { db in
      var expressions: [String: String] = [:]
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT l.document_id, l.expression FROM documents d JOIN document_licenses l ON l.document_id = d.id
          WHERE d.source_id = ? AND d.part = ? AND l.expression IS NOT NULL
          """, arguments: [sourceID, part])
      {
        expressions[row["document_id"]] = row["expression"]
      }
      return expressions
    }
  }

  /// The document's effective licence; nil when its part has not been tagged. A tagged document
  /// without a `document_licenses` row has an unknown licence.
  public func documentLicense(documentID: String) throws -> DocumentLicenseRecord? {
    try pool.read { db in
      guard
        let row = try Row.fetchOne(
          db,
          sql: """
            SELECT l.expression, l.basis, l.category, l.conflict, t.part IS NOT NULL AS tagged FROM documents d
            LEFT JOIN document_licenses l ON l.document_id = d.id
            LEFT JOIN tagged_parts t ON t.source_id = d.source_id AND t.part = d.part
            WHERE d.id = ?
            """, arguments: [documentID])
      else { return nil }
      if let basis: String = row["basis"] {
        return DocumentLicenseRecord(
          documentID: documentID, expression: row["expression"], basis: basis, category: row["category"],
          conflict: row["conflict"])
      }
      guard row["tagged"] as Bool else { return nil }
      return DocumentLicenseRecord(
        documentID: documentID, expression: nil, basis: "unknown", category: "unknown", conflict: nil)
    }
  }

  // MARK: Audit

  public struct AuditCounts: Sendable {
    /// Per source and effective licence: documents and bytes, and those no stage dropped.
    public var bySourceAndLicense:
      [(
        source: String, expression: String?, category: String?, documents: Int, bytes: Int, keptDocuments: Int,
        keptBytes: Int
      )] = []
    /// Per stage and reason: dropped documents and their bytes.
    public var drops: [(stage: String, reason: String, documents: Int, bytes: Int)] = []
    public var conflicts = 0
    public var conflictExamples: [(documentID: String, conflict: String)] = []
    /// Documents whose source or part is not on record: must be zero.
    public var withoutProvenance = 0
    public var untagged = 0
    /// Per source and effective licence: documents and tokens in the shards (empty before the
    /// shard stage).
    public var tokens: [(source: String, expression: String?, documents: Int, tokens: Int)] = []
    /// Per kind of review reason ("unknown licence", "licence conflict"): documents held back
    /// from the shards for licence review, their bytes,
    /// and about how many tokens they would add (their bytes at the last shard run's tokens per
    /// byte; nil before one).
    public var heldBack: [(reason: String, documents: Int, bytes: Int, tokens: Int?)] = []
  }

  public func auditCounts() throws -> AuditCounts {
    try pool.read { db in
      var counts = AuditCounts()
      let dropped = "EXISTS (SELECT 1 FROM decisions x WHERE x.document_id = d.id AND x.action = 'drop')"
      counts.bySourceAndLicense = try Row.fetchAll(
        db,
        sql: """
          SELECT s.name AS source, l.expression AS expression,
            coalesce(l.category, CASE WHEN t.part IS NOT NULL THEN 'unknown' END) AS category, count(*) AS documents,
            sum(d.bytes) AS bytes, sum(CASE WHEN \(dropped) THEN 0 ELSE 1 END) AS kept_documents,
            sum(CASE WHEN \(dropped) THEN 0 ELSE d.bytes END) AS kept_bytes
          FROM documents d JOIN sources s ON s.id = d.source_id LEFT JOIN document_licenses l ON l.document_id = d.id
          LEFT JOIN tagged_parts t ON t.source_id = d.source_id AND t.part = d.part
          GROUP BY s.id, l.expression, 3 ORDER BY s.id, documents DESC, expression
          """
      ).map { row in
        (
          row["source"], row["expression"], row["category"], row["documents"], row["bytes"], row["kept_documents"],
          row["kept_bytes"]
        )
      }
      counts.drops = try Row.fetchAll(
        db,
        sql: """
          SELECT x.stage AS stage, x.reason AS reason, count(DISTINCT x.document_id) AS documents, sum(d.bytes) AS bytes
          FROM decisions x JOIN documents d ON d.id = x.document_id WHERE x.action = 'drop'
          GROUP BY x.stage, x.reason ORDER BY x.stage, documents DESC
          """
      ).map { row in (row["stage"], row["reason"], row["documents"], row["bytes"]) }
      counts.conflicts =
        try Int.fetchOne(db, sql: "SELECT count(*) FROM document_licenses WHERE conflict IS NOT NULL") ?? 0
      counts.conflictExamples = try Row.fetchAll(
        db,
        sql:
          "SELECT document_id, conflict FROM document_licenses WHERE conflict IS NOT NULL ORDER BY document_id LIMIT 20"
      ).map { row in (row["document_id"], row["conflict"]) }
      counts.withoutProvenance =
        try Int.fetchOne(
          db,
          sql: """
            SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.id = d.source_id)
              OR NOT EXISTS (SELECT 1 FROM ingest_parts p WHERE p.source_id = d.source_id AND p.part = d.part)
            """) ?? 0
      counts.untagged =
        try Int.fetchOne(
          db,
          sql: """
            SELECT count(*) FROM documents d
            WHERE NOT EXISTS (SELECT 1 FROM tagged_parts t WHERE t.source_id = d.source_id AND t.part = d.part)
            """) ?? 0
      counts.tokens = try Self.tokensBySourceAndLicense(db)
      var tokensPerByte: Double?
      if let text = try String.fetchOne(
        db, sql: "SELECT counts FROM stage_runs WHERE stage = 'shard' AND status = 'completed' ORDER BY id DESC LIMIT 1"
      ),
        let object = (try? JSONParser.parse(text))?.objectValue,
        let tokens = object["tokens"]?.intValue.map(Double.init),
        let bytes = object["bytes"]?.intValue.map(Double.init),
        bytes > 0
      {
        tokensPerByte = tokens / bytes
      }
      counts.heldBack = try Row.fetchAll(
        db,
        sql: """
          SELECT CASE WHEN instr(substr(t.reason, 9), ':') > 0 THEN substr(t.reason, 9, instr(substr(t.reason, 9), ':') - 1)
            ELSE substr(t.reason, 9) END AS reason, count(*) AS n, sum(d.bytes) AS bytes
          FROM decisions t JOIN documents d ON d.id = t.document_id
          WHERE \(Self.heldBackCondition) GROUP BY 1 ORDER BY n DESC, reason
          """
      ).map { row in
        let bytes: Int = row["bytes"] ?? 0
        return (row["reason"], row["n"], bytes, tokensPerByte.map { Int((Double(bytes) * $0).rounded()) })
      }
      return counts
    }
  }

  // MARK: Part versions and redactions

  /// Replaces, in one transaction, a stage's decisions and redaction counts on `documentIDs`
  /// and, when given, the part version it wrote.
  public func replaceRedactedPart(
    stage: String, for documentIDs: [String], decisions: [DecisionRecord],
    redactions: [(documentID: String, kind: String, count: Int)],
    version: (sourceID: Int64, part: Int, name: String, path: String, sha256: String)?, stageRunID: Int64?
  ) throws {
    try pool.write { db in
      try Self.replaceRedactedPart(
        db, stage: stage, for: documentIDs, decisions: decisions, redactions: redactions, version: version,
        stageRunID: stageRunID)
    }
  }

  /// With `documentIDs` nil, only inserts (the stage's rows were cleared for every document).
  fileprivate static func replaceRedactedPart(
    _ db: Database, stage: String, for documentIDs: [String]?, decisions: [DecisionRecord],
    redactions: [(documentID: String, kind: String, count: Int)],
    version: (sourceID: Int64, part: Int, name: String, path: String, sha256: String)?, stageRunID: Int64?
  ) throws {
    try replaceDecisions(db, stage: stage, for: documentIDs, with: decisions, spans: [], stageRunID: stageRunID)
    if let documentIDs {
      let delete = try db.makeStatement(sql: "DELETE FROM redactions WHERE stage = ? AND document_id = ?")
      for id in documentIDs { try delete.execute(arguments: [stage, id]) }
    }
    let insert = try db.makeStatement(
      sql: "INSERT INTO redactions (document_id, stage, kind, count) VALUES (?, ?, ?, ?)")
    for redaction in redactions {
      try insert.execute(arguments: [redaction.documentID, stage, redaction.kind, redaction.count])
    }
    if let version {
      try db.execute(
        sql: """
          INSERT OR REPLACE INTO part_versions (source_id, part, version, path, sha256, stage_run_id)
          VALUES (?, ?, ?, ?, ?, ?)
          """,
        arguments: [version.sourceID, version.part, version.name, version.path, version.sha256, stageRunID])
    }
  }

  /// A merge's writes, in one transaction: it first clears what the stage wrote for every
  /// document, then inserts every part's rows — no per-document deletes, and each index page
  /// written once, where a transaction per part rewrote them part after part (that was most of
  /// a merge's time: docs/benchmarks.md, scale-out).
  public struct Batch: ~Copyable {
    let db: Database

    /// Removes every `tag` row: findings, effective licences, tagged parts, decisions and spans.
    public func clearLicenses() throws {
      try db.execute(sql: "DELETE FROM license_findings")
      try db.execute(sql: "DELETE FROM document_licenses")
      try db.execute(sql: "DELETE FROM tagged_parts")
      try db.execute(sql: "DELETE FROM decisions WHERE stage = 'tag'")
      try db.execute(sql: "DELETE FROM removed_spans WHERE stage = 'tag'")
    }

    public func insertLicenses(
      part: (sourceID: Int64, part: Int), findings: [LicenseFindingRecord], licenses: [DocumentLicenseRecord],
      decisions: [DecisionRecord], stageRunID: Int64?
    ) throws {
      try ProvenanceStore.replaceLicenses(
        db, part: part, for: nil, findings: findings, licenses: licenses, decisions: decisions, stageRunID: stageRunID)
    }

    /// Removes every decision and removed span of `stage`.
    public func clearDecisions(stage: String) throws {
      try db.execute(sql: "DELETE FROM decisions WHERE stage = ?", arguments: [stage])
      try db.execute(sql: "DELETE FROM removed_spans WHERE stage = ?", arguments: [stage])
    }

    public func insertDecisions(
      stage: String, decisions: [DecisionRecord], spans: [RemovedSpanRecord], stageRunID: Int64?
    ) throws {
      try ProvenanceStore.replaceDecisions(
        db, stage: stage, for: nil, with: decisions, spans: spans, stageRunID: stageRunID)
    }

    /// Removes every decision, span and redaction of `stage` (its part versions are replaced
    /// part by part).
    public func clearRedactions(stage: String) throws {
      try db.execute(sql: "DELETE FROM decisions WHERE stage = ?", arguments: [stage])
      try db.execute(sql: "DELETE FROM removed_spans WHERE stage = ?", arguments: [stage])
      try db.execute(sql: "DELETE FROM redactions WHERE stage = ?", arguments: [stage])
    }

    /// Replaces the `ids`' decisions and redactions of `stage` and writes the part's version.
    public func replaceRedactedPart(
      stage: String, for ids: [String], decisions: [DecisionRecord],
      redactions: [(documentID: String, kind: String, count: Int)],
      version: (sourceID: Int64, part: Int, name: String, path: String, sha256: String)?, stageRunID: Int64?
    ) throws {
      try ProvenanceStore.replaceRedactedPart(
        db, stage: stage, for: ids, decisions: decisions, redactions: redactions, version: version,
        stageRunID: stageRunID)
    }

    public func insertRedactedPart(
      stage: String, decisions: [DecisionRecord], redactions: [(documentID: String, kind: String, count: Int)],
      version: (sourceID: Int64, part: Int, name: String, path: String, sha256: String)?, stageRunID: Int64?
    ) throws {
      try ProvenanceStore.replaceRedactedPart(
        db, stage: stage, for: nil, decisions: decisions, redactions: redactions, version: version,
        stageRunID: stageRunID)
    }
  }

  /// Runs `body`'s writes in one transaction, all or none.
  public func inOneTransaction(_ body: (borrowing Batch) throws -> Void) throws {
    try pool.write { db in try body(Batch(db: db)) }
  }

  /// The path of a part's version named `version`, if one was written.
  public func partVersion(sourceID: Int64, part: Int, version: String) throws -> String? {
    try pool.read { db in
      try String.fetchOne(
        db, sql: "SELECT path FROM part_versions WHERE source_id = ? AND part = ? AND version = ?",
        arguments: [sourceID, part, version])
    }
  }

  public func redactionCounts(documentID: String) throws -> [String: Int] {
    try pool.read { db in
      var counts: [String: Int] = [:]
      for row in try Row.fetchAll(
        db, sql: "SELECT kind, count FROM redactions WHERE document_id = ?", arguments: [documentID])
      {
        counts[row["kind"]] = row["count"]
      }
      return counts
    }
  }

  // MARK: Shards

  /// One row of the shard map as `replaceShards` takes it: the shard's index in the shards
  /// given, where the document's tokens start there, the UTF-8 bytes of its id, its tokens.
  public typealias ShardMapRow = (shard: Int, tokenOffset: Int, documentID: UnsafeRawBufferPointer, tokenCount: Int)

  /// Replaces every shard row and the whole shard map in one transaction. `map` hands each row
  /// of the map to its argument in turn, so no list of every document is held.
  ///
  /// The map's document ids are not checked against `documents` row by row: each check is a
  /// lookup at a random place in the id index (a shard merge of 200k documents 0.41 → 0.29 s
  /// without them). They hold by construction — the shard stage reads its ids from the store's
  /// kept documents, in the same process or in task files whose folder is named by the kept
  /// documents' fingerprint — and a part ingested again clears the whole map
  /// (`deletePart`).
  public func replaceShards(
    _ shards: [ShardRecord], map: ((ShardMapRow) throws -> Void) throws -> Void, stageRunID: Int64
  ) throws {
    try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA foreign_keys = OFF") }
    defer { try? pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA foreign_keys = ON") } }
    // The map's rows come in its key's order and nothing is looked up: SQLite's own page cache
    // is enough (the commit cache served the lookups).
    try pool.write { db in
      try db.execute(sql: "DELETE FROM shard_map")
      try db.execute(sql: "DELETE FROM shards")
      let insertShard = try db.makeStatement(
        sql: """
          INSERT INTO shards (split, path, tokens, documents, dtype, bytes, sha256, tokenizer_sha256, stage_run_id)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      var ids: [Int64] = []
      for shard in shards {
        try insertShard.execute(arguments: [
          shard.split, shard.path, shard.tokens, shard.documents, shard.dtype, shard.bytes, shard.sha256,
          shard.tokenizerSHA256,
          stageRunID,
        ])
        ids.append(db.lastInsertedRowID)
      }
      let insertMap = try BulkInsert(
        db, sql: "INSERT INTO shard_map (shard_id, token_offset, document_id, token_count) VALUES (?, ?, ?, ?)")
      try map { row in
        insertMap.bind(Int(ids[row.shard]), at: 1)
        insertMap.bind(row.tokenOffset, at: 2)
        insertMap.bindText(row.documentID, at: 3)
        insertMap.bind(row.tokenCount, at: 4)
        try insertMap.step()
      }
    }
  }

  public func shards() throws -> [ShardRecord] {
    try pool.read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM shards ORDER BY id").map { row in
        ShardRecord(
          split: row["split"], path: row["path"], tokens: row["tokens"], documents: row["documents"],
          dtype: row["dtype"],
          bytes: row["bytes"], sha256: row["sha256"], tokenizerSHA256: row["tokenizer_sha256"])
      }
    }
  }

  /// The document whose tokens hold token `token` of the shard at `path`: its id, where its
  /// tokens start and how many there are; nil for a separator token or past the end.
  public func shardDocument(path: String, token: Int) throws -> (documentID: String, tokenOffset: Int, tokenCount: Int)?
  {
    try pool.read { db in
      guard
        let row = try Row.fetchOne(
          db,
          sql: """
            SELECT m.document_id, m.token_offset, m.token_count FROM shard_map m JOIN shards s ON s.id = m.shard_id
            WHERE s.path = ? AND m.token_offset <= ? ORDER BY m.token_offset DESC LIMIT 1
            """, arguments: [path, token])
      else { return nil }
      let offset: Int = row["token_offset"]
      let count: Int = row["token_count"]
      return token < offset + count ? (row["document_id"], offset, count) : nil
    }
  }

  /// Tokens in shards per source and effective licence.
  public func tokensBySourceAndLicense() throws -> [(source: String, expression: String?, documents: Int, tokens: Int)]
  {
    try pool.read { db in try Self.tokensBySourceAndLicense(db) }
  }

  private static func tokensBySourceAndLicense(_ db: Database) throws -> [(
    source: String, expression: String?, documents: Int, tokens: Int
  )] {
    try Row.fetchAll(
      db,
      sql: """
        SELECT s.name AS source, l.expression AS expression, count(DISTINCT m.document_id) AS documents,
          sum(m.token_count) AS tokens
        FROM shard_map m JOIN documents d ON d.id = m.document_id JOIN sources s ON s.id = d.source_id
        LEFT JOIN document_licenses l ON l.document_id = d.id
        GROUP BY s.id, l.expression ORDER BY s.id, tokens DESC
        """
    ).map { row in (row["source"], row["expression"], row["documents"], row["tokens"]) }
  }

  // MARK: Training runs

  /// Records a training run as `running` (or as running again, when resumed).
  public func beginTrainingRun(
    id: String, kind: String, runDirectory: String, parent: String?, config: String, configHash: String
  ) throws {
    try pool.write { db in
      try db.execute(
        sql: """
          INSERT INTO training_runs (id, kind, run_dir, parent_run_id, config, config_hash, started_at, status)
          VALUES (?, ?, ?, ?, ?, ?, ?, 'running')
          ON CONFLICT(id) DO UPDATE SET status = 'running', finished_at = NULL
          """,
        arguments: [id, kind, runDirectory, parent, config, configHash, Timestamp.now()])
    }
  }

  public func finishTrainingRun(
    id: String, status: TrainingRunStatus, steps: Int, tokens: Int, finalLoss: Double?, finalValidationLoss: Double?,
    flops: Double,
    energy: (cpuSeconds: Double, kWh: Double, emissionsKg: Double, method: String)? = nil, utilisation: Double? = nil,
    embodiedKg: Double? = nil, seconds: Double? = nil, forecastSeconds: Double? = nil
  ) throws {
    try pool.write { db in
      try db.execute(
        sql: """
          UPDATE training_runs SET status = ?, finished_at = ?, steps = ?, tokens = ?, final_loss = ?, final_val_loss = ?, flops = ?,
            cpu_seconds = ?, energy_kwh = ?, emissions_kg = ?, energy_method = ?, utilisation = ?, embodied_kg = ?, seconds = ?,
            forecast_seconds = ?
          WHERE id = ?
          """,
        arguments: [
          status.rawValue, Timestamp.now(), steps, tokens, finalLoss, finalValidationLoss, flops, energy?.cpuSeconds,
          energy?.kWh,
          energy?.emissionsKg, energy?.method, utilisation, embodiedKg, seconds, forecastSeconds, id,
        ])
    }
  }

  /// The model-FLOPs utilisation (achieved FLOP/s over the sgemm peak) of the newest completed
  /// training runs, newest first: what `hatchery plan` expects of the next run.
  public func recentTrainingUtilisations(limit: Int) throws -> [Double] {
    try pool.read { db in
      try Double.fetchAll(
        db,
        sql:
          "SELECT utilisation FROM training_runs WHERE status = 'completed' AND utilisation > 0 ORDER BY finished_at DESC, rowid DESC LIMIT ?",
        arguments: [limit])
    }
  }

  public func trainingRunStatus(id: String) throws -> (status: TrainingRunStatus, steps: Int, finalLoss: Double?)? {
    try pool.read { db in
      try Row.fetchOne(db, sql: "SELECT status, steps, final_loss FROM training_runs WHERE id = ?", arguments: [id]).map
      {
        (TrainingRunStatus(rawValue: $0["status"] as String) ?? .failed, $0["steps"], $0["final_loss"])
      }
    }
  }

  /// What a training run cost: tokens, wall seconds, energy (kWh) and emissions (kg CO2e), as its
  /// end recorded them.
  public func trainingRunAccount(id: String) throws -> (
    tokens: Int, seconds: Double?, kWh: Double?, emissionsKg: Double?
  )? {
    try pool.read { db in
      try Row.fetchOne(
        db, sql: "SELECT tokens, seconds, energy_kwh, emissions_kg FROM training_runs WHERE id = ?", arguments: [id]
      ).map {
        ($0["tokens"], $0["seconds"], $0["energy_kwh"], $0["emissions_kg"])
      }
    }
  }

  // MARK: Energy

  /// Records the energy samples of a training run (or a stage run) in one transaction.
  public func insertEnergySamples(
    trainingRunID: String?, stageRunID: Int64?,
    samples: [(at: String, elapsed: Double, cpuWatts: Double, gpuWatts: Double?, ramWatts: Double, joules: Double)],
    method: String
  ) throws {
    try pool.write { db in
      let insert = try db.makeStatement(
        sql: """
          INSERT INTO energy_samples (stage_run_id, training_run_id, at, elapsed_s, cpu_watts, gpu_watts, ram_watts, energy_joules, method)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      for sample in samples {
        try insert.execute(arguments: [
          stageRunID, trainingRunID, sample.at, sample.elapsed, sample.cpuWatts, sample.gpuWatts, sample.ramWatts,
          sample.joules, method,
        ])
      }
    }
  }

  public func energySampleCount(trainingRunID: String) throws -> Int {
    try pool.read { db in
      try Int.fetchOne(
        db, sql: "SELECT count(*) FROM energy_samples WHERE training_run_id = ?", arguments: [trainingRunID]) ?? 0
    }
  }

  /// Shares out the energy of this process among the stage runs it started since `since` that
  /// have none yet, in proportion to their durations.
  /// The process's samples are recorded with the last of those stage runs.
  public func recordStageEnergy(
    since: String, cpuSeconds: Double, kWh: Double, emissionsKg: Double, method: String, embodiedKg: Double? = nil,
    samples: [(at: String, elapsed: Double, cpuWatts: Double, gpuWatts: Double?, ramWatts: Double, joules: Double)]
  ) throws {
    var name = [CChar](repeating: 0, count: 256)
    gethostname(&name, name.count - 1)
    let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    try pool.write { db in
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT id, max(1, strftime('%s', coalesce(finished_at, ?)) - strftime('%s', started_at)) AS seconds FROM stage_runs
          WHERE host = ? AND pid = ? AND started_at >= ? AND energy_kwh IS NULL
          """, arguments: [Timestamp.now(), host, getpid(), since])
      let total = rows.reduce(0.0) { $0 + ($1["seconds"] as Double? ?? 1) }
      for row in rows {
        let share = (row["seconds"] as Double? ?? 1) / max(total, 1)
        try db.execute(
          sql:
            "UPDATE stage_runs SET cpu_seconds = ?, energy_kwh = ?, emissions_kg = ?, energy_method = ?, embodied_kg = ? WHERE id = ?",
          arguments: [
            cpuSeconds * share, kWh * share, emissionsKg * share, method, embodiedKg.map { $0 * share },
            row["id"] as Int64,
          ])
      }
      guard let last: Int64 = rows.last?["id"] else { return }
      let insert = try db.makeStatement(
        sql: """
          INSERT INTO energy_samples (stage_run_id, training_run_id, at, elapsed_s, cpu_watts, gpu_watts, ram_watts, energy_joules, method)
          VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?)
          """)
      for sample in samples {
        try insert.execute(arguments: [
          last, sample.at, sample.elapsed, sample.cpuWatts, sample.gpuWatts, sample.ramWatts, sample.joules, method,
        ])
      }
    }
  }

  /// Every stage run and training run with its energy, oldest first: what `hatchery energy` lists.
  public func energyLedger() throws -> [EnergyLedgerEntry] {
    try pool.read { db in
      let stages = try Row.fetchAll(
        db,
        sql: """
          SELECT stage, started_at, strftime('%s', finished_at) - strftime('%s', started_at) AS seconds, cpu_seconds, energy_kwh,
            energy_method, embodied_kg FROM stage_runs WHERE status = 'completed' ORDER BY id
          """
      ).map { row in
        EnergyLedgerEntry(
          kind: "stage", name: row["stage"], started: row["started_at"], seconds: row["seconds"],
          cpuSeconds: row["cpu_seconds"],
          kWh: row["energy_kwh"], method: row["energy_method"], embodiedKg: row["embodied_kg"])
      }
      let training = try Row.fetchAll(
        db,
        sql: """
          SELECT id, kind, started_at, strftime('%s', finished_at) - strftime('%s', started_at) AS seconds, cpu_seconds, energy_kwh,
            energy_method, embodied_kg FROM training_runs ORDER BY started_at
          """
      ).map { row in
        EnergyLedgerEntry(
          kind: row["kind"], name: row["id"], started: row["started_at"], seconds: row["seconds"],
          cpuSeconds: row["cpu_seconds"],
          kWh: row["energy_kwh"], method: row["energy_method"], embodiedKg: row["embodied_kg"])
      }
      return (stages + training).sorted { $0.started < $1.started }
    }
  }

}

// MARK: Pipeline steps

extension ProvenanceStore {
  public func pipelineStep(pipeline: String, step: String) throws -> PipelineStepRecord? {
    try pool.read { db in
      try Row.fetchOne(
        db, sql: "SELECT * FROM pipeline_steps WHERE pipeline = ? AND step = ?", arguments: [pipeline, step]
      ).map {
        PipelineStepRecord(
          pipeline: $0["pipeline"], step: $0["step"], fingerprint: $0["fingerprint"],
          status: PipelineStepStatus(rawValue: $0["status"] as String) ?? .failed,
          seconds: $0["seconds"], message: $0["message"])
      }
    }
  }

  /// Records that a step starts (replacing its previous attempt).
  public func beginPipelineStep(pipeline: String, step: String, fingerprint: String) throws {
    try pool.write { db in
      try db.execute(
        sql: """
          INSERT OR REPLACE INTO pipeline_steps (pipeline, step, fingerprint, status, started_at)
          VALUES (?, ?, ?, 'running', ?)
          """,
        arguments: [pipeline, step, fingerprint, Timestamp.now()])
    }
  }

  public func finishPipelineStep(
    pipeline: String, step: String, status: PipelineStepStatus, seconds: Double, message: String?
  ) throws {
    try pool.write { db in
      try db.execute(
        sql:
          "UPDATE pipeline_steps SET status = ?, finished_at = ?, seconds = ?, message = ? WHERE pipeline = ? AND step = ?",
        arguments: [status.rawValue, Timestamp.now(), seconds, message, pipeline, step])
    }
  }
}
