import Foundation
import HatcheryCore
import Logging

/// The `ingest` stage: reads raw files into document parts and store rows (DESIGN.md, the
/// stage contract). Parts are the unit of atomicity and of resumption: a part is either
/// finished — its file renamed into place and its rows committed in one transaction — or it is
/// redone by the next run.
public enum IngestStage {
  public static let name = "ingest"

  public static func run(
    workspace: Workspace, options: IngestOptions, logger: Logger = Logger(label: "hatchery.ingest"),
    showProgress: Bool = isatty(STDERR_FILENO) == 1
  ) throws -> IngestSummary {
    try options.validate()
    switch options.step {
    case .all: return try runAll(workspace: workspace, options: options, logger: logger, showProgress: showProgress)
    case .register:
      let source = try register(try workspace.openStore(), options)
      var summary = IngestSummary(source: source.name)
      summary.step = .register
      return summary
    case .task: return try runTask(workspace: workspace, options: options, logger: logger, showProgress: showProgress)
    case .merge: return try merge(workspace: workspace, options: options)
    }
  }

  /// `tasks/ingest/<source>/part-NNNNN.db`: the rows of one part written by a task step, until
  /// the merge folds them into the store (relative to the workspace).
  public static func taskFile(source: String, part: Int) -> String {
    "tasks/ingest/\(source)/part-" + String(format: "%05d", part) + ".db"
  }

  private static func register(_ store: ProvenanceStore, _ options: IngestOptions) throws -> SourceRecord {
    let uri = JSONWriter.encode(.array(options.paths.map { .string(Workspace.absolutePath($0)) }))
    return try store.registerSource(
      name: options.source, uri: uri, kind: options.format?.rawValue ?? "auto",
      declaredLicense: options.declaredLicense, retrievedAt: options.retrieved, addedAt: options.added)
  }

  /// A task step: this task's parts and their rows in task files; the store is only read (it
  /// may be read-only: nothing writes it while an array of tasks runs).
  private static func runTask(
    workspace: Workspace, options: IngestOptions, logger: Logger, showProgress: Bool
  ) throws -> IngestSummary {
    let plan = try InputPlan(paths: options.paths, format: options.format, partBytes: options.partBytes)
    let store = try workspace.openStoreForReading()
    guard let source = try store.source(named: options.source) else {
      throw IngestError.notRegistered(source: options.source, workspace: workspace.root, step: options.step)
    }
    let isMine = { (part: Int) in part % options.tasks == options.task }
    // Only this task's own leftovers: another task's may belong to a process on another node.
    for folder in [Workspace.documentsFolder(source: source.name), "tasks/ingest/\(source.name)"] {
      Leftovers.remove(in: workspace.absolute(folder)) { name in partNumber(name).map(isMine) ?? false }
    }
    let finished = try store.partFingerprints(sourceID: source.id)
    let mine = plan.parts.filter { isMine($0.index) }
    let pending = mine.filter { part in
      let fingerprint = IngestFingerprint.part(part, options: options, addedAt: source.addedAt)
      return options.force
        || (finished[part.index] != fingerprint
          && StagedRows.taskPart(at: workspace.absolute(taskFile(source: source.name, part: part.index)))?.fingerprint
            != fingerprint)
    }
    var summary = IngestSummary(source: source.name)
    summary.step = .task
    summary.partsPlanned = mine.count
    summary.partsUpToDate = mine.count - pending.count
    guard !pending.isEmpty else { return summary }
    let started = Date()
    let outcome = ingestParts(
      pending, label: "ingest \(source.name) task \(options.task)", workspace: workspace, store: store, source: source,
      options: options, stageRunID: nil, logger: logger, showProgress: showProgress)
    for part in outcome.summaries.keys.sorted() { summary.add(outcome.summaries[part]!) }
    if let error = outcome.error { throw error }
    summary.seconds = Date().timeIntervalSince(started)
    return summary
  }

  /// Ingests `parts` on worker threads. Parts are independent, so workers take them in turn,
  /// and each part's zstd has workers of its own (the bytes do not depend on how many). Twice as
  /// many compression threads as cores keeps every core busy when parts differ in size: once a
  /// small part is done, the last big one still compresses on all cores (text-books, 2 cores:
  /// 141 -> 15x MB/s).
  private static func ingestParts(
    _ parts: [InputPlan.Part], label: String, workspace: Workspace, store: ProvenanceStore, source: SourceRecord,
    options: IngestOptions, stageRunID: Int64?, logger: Logger, showProgress: Bool
  ) -> ParallelParts.Outcome {
    let progress = ProgressReporter(
      label: label, totalItems: parts.reduce(0) { $0 + $1.files.count },
      totalBytes: parts.reduce(0) { $0 + $1.inputBytes },
      enabled: showProgress)
    let workers = min(options.threads, parts.count)
    let context = PartIngester.Context(
      workspace: workspace, store: store, source: source, options: options, stageRunID: stageRunID,
      compressionWorkers: max(1, 2 * options.threads / max(workers, 1)), logger: logger)
    return ParallelParts(parts, progress: progress).run(workers: workers, context: context, logger: logger)
  }

  /// The merge: every part of the plan is in the store or has a finished task file (else it
  /// refuses, naming them); the task files are committed in part order, then removed. Run twice,
  /// the second finds nothing to do.
  private static func merge(workspace: Workspace, options: IngestOptions) throws -> IngestSummary {
    let started = Date()
    let plan = try InputPlan(paths: options.paths, format: options.format, partBytes: options.partBytes)
    let store = try workspace.openStoreForMerge()
    // Nothing is written before every part is known to be ready: a refused merge leaves the
    // store as it was.
    guard let source = try store.source(named: options.source) else {
      throw IngestError.notRegistered(source: options.source, workspace: workspace.root, step: .merge)
    }
    let finished = try store.partFingerprints(sourceID: source.id)
    var ready: [(part: InputPlan.Part, path: String, record: PartRecord)] = []
    var missing: [Int] = []
    for part in plan.parts {
      let fingerprint = IngestFingerprint.part(part, options: options, addedAt: source.addedAt)
      let path = workspace.absolute(taskFile(source: source.name, part: part.index))
      if let record = StagedRows.taskPart(at: path), record.fingerprint == fingerprint {
        ready.append((part, path, record))
      } else if finished[part.index] != fingerprint {
        missing.append(part.index)
      }
    }
    guard missing.isEmpty else {
      let tasks = Set(missing.map { $0 % options.tasks }).sorted()
      throw IngestError.missingParts(source: source.name, parts: missing, tasks: options.tasks, waiting: tasks)
    }
    let stale = finished.keys.filter { $0 >= plan.parts.count }.sorted()
    var summary = IngestSummary(source: source.name)
    summary.step = .merge
    summary.partsPlanned = plan.parts.count
    summary.partsUpToDate = plan.parts.count - ready.count
    guard !ready.isEmpty || !stale.isEmpty else { return summary }
    removeLeftovers(workspace: workspace, source: source.name)
    let lifecycle = StageLifecycle(
      stage: name, scope: source.name, task: 0, tasks: options.tasks,
      config: StageConfig(configuration(options, plan: plan, addedAt: source.addedAt)))
    summary = try lifecycle.record(in: store) { runID in
      try store.commitTaskParts(ready.map { ($0.record, $0.path) }, stageRunID: runID)
      for (part, path, record) in ready {
        unlink(path)
        summary.partsWritten += 1
        summary.files += part.files.count
        summary.inputBytes += part.inputBytes
        summary.outputBytes += record.outputBytes
        summary.documents += record.documents
        summary.rejected += record.rejected
      }
      for part in stale {
        try store.removePart(sourceID: source.id, part: part)
        unlink(workspace.absolute(Workspace.partPath(source: source.name, part: part)))
        summary.partsRemoved += 1
      }
      summary.seconds = Date().timeIntervalSince(started)
      return summary
    }
    try updateChecksum(store: store, source: source, partCount: plan.parts.count)
    return summary
  }

  /// The part a leftover's name is of (`part-00003.jsonl.zst.tmp-PID`, `part-00003.db.tmp-PID`).
  static func partNumber(_ name: String) -> Int? {
    guard name.hasPrefix("part-") else { return nil }
    return Int(name.dropFirst(5).prefix(5))
  }

  private static func runAll(
    workspace: Workspace, options: IngestOptions, logger: Logger, showProgress: Bool
  ) throws -> IngestSummary {
    let started = Date()
    let plan = try InputPlan(paths: options.paths, format: options.format, partBytes: options.partBytes)
    let store = try workspace.openStore()
    let source = try register(store, options)
    removeLeftovers(workspace: workspace, source: source.name)

    let finished = try store.partFingerprints(sourceID: source.id)
    let mine = plan.parts.filter { $0.index % options.tasks == options.task }
    let pending = mine.filter { part in
      options.force || finished[part.index] != IngestFingerprint.part(part, options: options, addedAt: source.addedAt)
    }
    let stale = finished.keys.filter { $0 >= plan.parts.count && $0 % options.tasks == options.task }.sorted()
    var summary = IngestSummary(source: source.name)
    summary.partsPlanned = mine.count
    summary.partsUpToDate = mine.count - pending.count
    if pending.isEmpty && stale.isEmpty {
      logger.info("nothing to do", metadata: ["source": "\(source.name)", "parts": "\(mine.count)"])
      return summary
    }

    let lifecycle = StageLifecycle(
      stage: name, scope: source.name, task: options.task, tasks: options.tasks,
      config: StageConfig(configuration(options, plan: plan, addedAt: source.addedAt)))
    // A first ingest (all parts new, at least as much input as the store's) appends its rows
    // without the id index and builds it once at the end (ProvenanceStore.beginBulkDocumentLoad).
    let bulk =
      try options.tasks == 1
      && store.beginBulkDocumentLoad(
        parts: pending.map { (source.id, $0.index) }, inputBytes: pending.reduce(0) { $0 + $1.inputBytes })
    let added = pending.map { (sourceID: source.id, part: $0.index) }
    // Whatever happens below, the index is built again before the store is left.
    defer { if bulk { try? store.endBulkDocumentLoad(undoing: added) } }
    summary = try lifecycle.record(in: store) { runID in
      let outcome = ingestParts(
        pending, label: "ingest \(source.name)", workspace: workspace, store: store, source: source, options: options,
        stageRunID: runID, logger: logger, showProgress: showProgress)
      for part in outcome.summaries.keys.sorted() { summary.add(outcome.summaries[part]!) }
      do {
        if bulk { try store.endBulkDocumentLoad(undoing: added) }
        if let error = outcome.error { throw error }
        for part in stale {
          try store.removePart(sourceID: source.id, part: part)
          unlink(workspace.absolute(Workspace.partPath(source: source.name, part: part)))
          summary.partsRemoved += 1
        }
      } catch {
        // The parts finished before the failure are committed: the run's counters say so.
        throw StageLifecycle.PartialFailure(error, partial: summary)
      }
      summary.seconds = Date().timeIntervalSince(started)
      return summary
    }
    try updateChecksum(store: store, source: source, partCount: plan.parts.count)
    return summary
  }

  /// The configuration recorded with the stage run: options and the inputs' fingerprint.
  private static func configuration(_ options: IngestOptions, plan: InputPlan, addedAt: String) -> JSONObject {
    var inputs = SHA256Hasher()
    for part in plan.parts { inputs.update(IngestFingerprint.part(part, options: options, addedAt: addedAt)) }
    return JSONObject([
      ("source", .string(options.source)),
      ("paths", .array(options.paths.map { .string(Workspace.absolutePath($0)) })),
      ("format", .string(options.format?.rawValue ?? "auto")),
      ("license", options.declaredLicense.map { .string($0) } ?? .null),
      ("added", .string(addedAt)),
      ("part_bytes", .int(options.partBytes)),
      ("max_document_bytes", .int(options.maximumDocumentBytes)),
      ("reject_invalid_utf8", .bool(options.rejectInvalidUTF8)),
      ("compression_level", .int(Int(options.compressionLevel))),
      ("force", .bool(options.force)),
      ("inputs", .string(inputs.finalize().hex)),
    ])
  }

  /// Once every part of the source is finished, its checksum is the SHA-256 over the parts'
  /// digests in part order; until then it is unknown.
  private static func updateChecksum(store: ProvenanceStore, source: SourceRecord, partCount: Int) throws {
    let parts = try store.parts(sourceID: source.id)
    guard parts.count == partCount else {
      try store.setSourceChecksum(sourceID: source.id, checksum: nil)
      return
    }
    var hasher = SHA256Hasher()
    for part in parts { hasher.update(part.sha256) }
    try store.setSourceChecksum(sourceID: source.id, checksum: hasher.finalize().hex)
  }

  /// Removes temporary part files and staging databases left by killed runs (their process is
  /// gone), so they neither pile up nor confuse a reader.
  private static func removeLeftovers(workspace: Workspace, source: String) {
    Leftovers.remove(in: workspace.absolute(Workspace.documentsFolder(source: source)))
    Leftovers.remove(in: workspace.temporaryDirectory)
  }
}
