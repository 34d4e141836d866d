import Foundation
import HatcheryCore
import Logging

/// The `dedup` stage: exact and MinHash-LSH near-duplicate detection over every ingested
/// document, recorded as decisions (nothing is deleted from the parts). Steps, in datatrove's
/// manner: `signatures` per task → `cluster` once → `decide` per task; `all` runs them in one
/// process. Each step's outputs are files renamed into place or one transaction, so a killed
/// step is simply run again, and the decisions do not depend on how the work was split.
public enum DedupStage {
  /// The build of MinHash's vector kernel this processor runs: "avx2" or "baseline" (x86-64's
  /// SSE2, or the target's own), chosen when the process starts.
  public static var minHashKernel: String { MinHasher.kernel }

  public static let name = "dedup"

  public static func run(
    workspace: Workspace, options: DedupOptions, logger: Logger = Logger(label: "hatchery.dedup")
  ) throws -> DedupSummary {
    try options.validate()
    let started = Date()
    if options.step == .signatures {
      // A task step: files of its own, the store only read (it may be read-only), no run row.
      let context = try DedupContext(workspace: workspace, store: try workspace.openStoreForReading(), options: options)
      var summary = DedupSummary(step: options.step)
      try signatures(context, task: options.task, summary: &summary, logger: logger)
      summary.seconds = Date().timeIntervalSince(started)
      return summary
    }
    let store = try options.step == .merge ? workspace.openStoreForMerge() : workspace.openStore()
    let context = try DedupContext(workspace: workspace, store: store, options: options)
    var summary = DedupSummary(step: options.step)
    let scope = options.step == .all ? "all" : options.step.rawValue
    let task = options.step == .decide ? options.task : 0
    let lifecycle = StageLifecycle(stage: name, scope: scope, task: task, tasks: options.tasks, config: context.config)
    if !options.force, options.step != .cluster, try lifecycle.isUpToDate(in: store) {
      summary.nothingToDo = true
      return summary
    }
    Leftovers.remove(in: context.folder)
    summary = try lifecycle.record(in: store) { runID in
      do {
        switch options.step {
        case .all:
          for task in 0..<options.tasks {
            try signatures(context, task: task, summary: &summary, logger: logger)
            FreedMemory.giveBack()
          }
          try cluster(context, summary: &summary, logger: logger)
          FreedMemory.giveBack()
          summary.decisions = try DecideStep.runAll(context, tasks: options.tasks, stageRunID: runID)
        case .signatures:
          try signatures(context, task: options.task, summary: &summary, logger: logger)
        case .cluster:
          try cluster(context, summary: &summary, logger: logger)
        case .decide:
          summary.decisions = try DecideStep.run(context, task: options.task, stageRunID: runID)
        case .merge:
          summary.decisions = try DecideStep.runAll(context, tasks: options.tasks, stageRunID: runID)
        }
      } catch {
        throw StageLifecycle.PartialFailure(error, partial: summary)
      }
      summary.seconds = Date().timeIntervalSince(started)
      return summary
    }
    // The decisions are in the store once the stage is whole (`all`, or the merge of a split
    // run): its intermediate files — more bytes than the parts with --paragraphs — go, and
    // those of other configurations (older options or inputs) with them.
    if options.step == .all || options.step == .merge {
      removeIntermediates(context, keepCurrent: options.keepIntermediates)
    }
    return summary
  }

  private static func removeIntermediates(_ context: DedupContext, keepCurrent: Bool) {
    let parent = (context.folder as NSString).deletingLastPathComponent
    let current = (context.folder as NSString).lastPathComponent
    for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []
    where name != current || !keepCurrent {
      try? FileManager.default.removeItem(atPath: parent + "/" + name)
    }
  }

  private static func signatures(
    _ context: DedupContext, task: Int, summary: inout DedupSummary, logger: Logger
  ) throws {
    if !context.options.force && DedupContext.exists(context.signatureOutputs(task: task)) {
      logger.info("signatures already written", metadata: ["task": "\(task)"])
      return
    }
    let counts = try SignatureStep.run(context, task: task)
    summary.documents += counts.documents
    summary.bytes += counts.bytes
    summary.withoutWords += counts.withoutWords
  }

  private static func cluster(_ context: DedupContext, summary: inout DedupSummary, logger: Logger) throws {
    let missing = (0..<context.options.tasks).filter { !DedupContext.exists(context.signatureOutputs(task: $0)) }
    guard missing.isEmpty else {
      throw DedupError.missingSignatures(tasks: missing, of: context.options.tasks)
    }
    let counts = try ClusterStep.run(context)
    summary.candidatePairs = counts.candidatePairs
    summary.rejectedPairs = counts.rejectedPairs
    summary.clusters = counts.clusters
    summary.exactDrops = counts.exactDrops
    summary.nearDrops = counts.nearDrops
    summary.paragraphSpans = counts.paragraphSpans
  }

  /// The cluster a document belongs to, as lines to print: its survivor first, then every
  /// document dropped as its duplicate, with reason and estimated similarity.
  public static func explain(workspace: Workspace, documentID: String) throws -> [String] {
    let store = try workspace.openStore()
    guard try store.document(id: documentID) != nil else {
      throw DedupError.noSuchDocument(id: documentID, workspace: workspace.root)
    }
    let own = try store.decisions(stage: name, documentID: documentID).first
    let survivor = own?.duplicateOf ?? documentID
    let members = try store.decisions(stage: name, duplicateOf: survivor)
    guard !members.isEmpty else { return ["\(documentID): kept, no duplicate found"] }
    func describe(_ id: String) throws -> String {
      guard let document = try store.document(id: id) else { return id }
      let source = try store.source(id: document.sourceID)?.name ?? "?"
      let line = document.line.map { ":\($0)" } ?? ""
      return "\(id)  \(source)  \(document.path)\(line)  \(document.chars) chars"
    }
    var lines = ["kept     " + (try describe(survivor))]
    for member in members {
      lines.append(
        String(format: "%-5@ %.3f ", member.reason, member.similarity ?? 1) + (try describe(member.documentID)))
    }
    return lines
  }
}
