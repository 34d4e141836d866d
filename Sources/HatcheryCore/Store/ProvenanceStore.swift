import Foundation
import GRDB

/// The workspace's SQLite provenance store. This file is its core: opening (WAL, so readers never
/// block the writer), the file check, migrations, sources and stage runs. Each concern's tables
/// are read and written by one extension — in HatcheryCore what every stage shares (parts,
/// documents, decisions, licences, redactions, audit), in Shards, Training, Accounting and
/// Pipeline their own — and SQL is written nowhere else; every statement takes its values as
/// parameters.
public final class ProvenanceStore: Sendable {
  public let path: String
  /// A pool (WAL, readers beside the writer) for a writable store on a local disk; one
  /// connection with a rollback journal on a network file system; one read-only connection for a
  /// store that may not be written (another user's or a published workspace).
  package let pool: any DatabaseWriter
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
          throw StoreError.olderSchema(path: path)
        }
        pool = queue
      } else {
        let folder = (path as NSString).deletingLastPathComponent
        // WAL needs its -wal and -shm files beside the store, so the folder must be writable too.
        if access(folder, W_OK) != 0 || (FileManager.default.fileExists(atPath: path) && access(path, W_OK) != 0) {
          throw StoreError.notWritable(path: path, reason: String(cString: strerror(errno)))
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
    } catch let error as any HatcheryFailure {
      throw error
    } catch {
      throw StoreError.cannotOpen(path: path, reason: "\(error)")
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
        throw StoreError.unreadableWAL(path: path)
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
      throw StoreError.notSQLite(path: path)
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
      throw StoreError.damaged(path: path, bytes: size, pageSize: realPageSize, detail: "\(error)")
    }
    guard verdict == "ok" else {
      throw StoreError.damaged(path: path, bytes: size, pageSize: realPageSize, detail: String(verdict.prefix(300)))
    }
  }

  /// Runs a read-only query; for stages' own queries and for tests.
  package func read<T>(_ body: (Database) throws -> T) throws -> T {
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

  static func sourceRecord(_ row: Row) -> SourceRecord {
    SourceRecord(
      id: row["id"], name: row["name"], uri: row["uri"], kind: row["kind"], declaredLicense: row["declared_license"],
      checksum: row["checksum"], retrievedAt: row["retrieved_at"], addedAt: row["added_at"])
  }

  public func source(id: Int64) throws -> SourceRecord? {
    try pool.read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM sources WHERE id = ?", arguments: [id]).map(Self.sourceRecord)
    }
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

  /// The configuration of each of `stages`' latest completed run, in the order they ran.
  public func latestCompletedConfigs(stages: [String]) throws -> [(stage: String, config: String)] {
    try pool.read { db in
      let marks = stages.map { _ in "?" }.joined(separator: ", ")
      return try Row.fetchAll(
        db,
        sql: """
          SELECT stage, config FROM stage_runs WHERE id IN (SELECT max(id) FROM stage_runs WHERE status = 'completed'
            AND stage IN (\(marks)) GROUP BY stage) ORDER BY id
          """, arguments: StatementArguments(stages)
      ).map { ($0["stage"], $0["config"]) }
    }
  }

  static func stageRunRecord(_ row: Row) -> StageRunRecord {
    StageRunRecord(
      id: row["id"], stage: row["stage"], scope: row["scope"], task: row["task"], tasks: row["tasks"],
      config: row["config"], configHash: row["config_hash"], toolVersion: row["tool_version"],
      startedAt: row["started_at"], finishedAt: row["finished_at"],
      // The schema's CHECK allows only the enum's values; anything else reads as failed.
      status: StageRunStatus(rawValue: row["status"] as String) ?? .failed, counts: row["counts"])
  }
}
