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
    let started = Date()
    let plan = try InputPlan(paths: options.paths, format: options.format, partBytes: options.partBytes)
    let store = try workspace.openStore()
    let uri = JSONWriter.encode(.array(options.paths.map { .string(Workspace.absolutePath($0)) }))
    let source = try store.registerSource(
      name: options.source, uri: uri, kind: options.format?.rawValue ?? "auto",
      declaredLicense: options.declaredLicense, retrievedAt: options.retrieved, addedAt: options.added)
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
    summary = try lifecycle.record(in: store) { runID in
      let progress = ProgressReporter(
        label: "ingest \(source.name)", totalItems: pending.reduce(0) { $0 + $1.files.count },
        totalBytes: pending.reduce(0) { $0 + $1.inputBytes }, enabled: showProgress)
      // Parts are independent, so workers take them in turn, and each part's zstd has workers of
      // its own (the bytes do not depend on how many). Twice as many compression threads as
      // cores keeps every core busy when parts differ in size: once a small part is done, the
      // last big one still compresses on all cores (text-books, 2 cores: 141 -> 15x MB/s).
      let workers = min(options.threads, pending.count)
      let context = PartIngester.Context(
        workspace: workspace, store: store, source: source, options: options, stageRunID: runID,
        compressionWorkers: max(1, 2 * options.threads / max(workers, 1)), logger: logger)
      let outcome = ParallelParts(pending, progress: progress).run(workers: workers, context: context, logger: logger)
      for part in outcome.summaries.keys.sorted() { summary.add(outcome.summaries[part]!) }
      do {
        if let error = outcome.error { throw error }
        for part in stale {
          try store.removePart(sourceID: source.id, part: part)
          unlink(workspace.absolute(Workspace.partPath(source: source.name, part: part)))
          summary.partsRemoved += 1
        }
      } catch {
        // The parts finished before the failure are committed: the run's counters say so.
        throw StageLifecycle.PartialFailure(error, counts: counts(summary))
      }
      summary.seconds = Date().timeIntervalSince(started)
      return (summary, counts(summary))
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

  private static func counts(_ summary: IngestSummary) -> JSONObject {
    var object = JSONObject([
      ("files", .int(summary.files)), ("documents", .int(summary.documents)),
      ("repaired_documents", .int(summary.repairedDocuments)), ("split_files", .int(summary.splitFiles)),
      ("rejected", .int(summary.rejected)),
      ("input_bytes", .int(summary.inputBytes)), ("output_bytes", .int(summary.outputBytes)),
      ("parts_written", .int(summary.partsWritten)), ("parts_up_to_date", .int(summary.partsUpToDate)),
      ("parts_removed", .int(summary.partsRemoved)),
    ])
    object["rejected_by_reason"] = .object(
      JSONObject(summary.rejectsByReason.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }))
    object["skipped"] = .object(JSONObject(summary.skipped.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }))
    return object
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
