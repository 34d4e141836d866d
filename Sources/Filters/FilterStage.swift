import Foundation
import HatcheryCore
import Synchronization

/// The `filter` stage: the Gopher, C4 and FineWeb quality rules over every document, each
/// document that fails one dropped by a decision (stage `filter`, reason the rule's name, score
/// the value measured). Language identification, PII redaction, decontamination and URL
/// filtering are not built yet; their configuration keys are refused with a message that says so.
public enum FilterStage {
  public static let name = "filter"

  public struct Summary: Sendable {
    public var nothingToDo = false
    public var documents = 0
    public var bytes = 0
    public var dropped: [String: Int] = [:]
    public var seconds = 0.0

    public var text: String {
      if nothingToDo { return "filter: nothing to do, the decisions are up to date (use --force to redo them)" }
      let total = dropped.values.reduce(0, +)
      let reasons = dropped.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }
      return "filter: \(documents) documents, \(total) dropped, "
        + String(format: "%.2f s, %.1f MB/s", seconds, seconds > 0 ? Double(bytes) / seconds / 1e6 : 0)
        + (reasons.isEmpty ? "" : "\ndropped by rule: " + reasons.joined(separator: ", "))
    }
  }

  public static func run(
    workspace: Workspace, config: FilterConfig, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
    force: Bool = false
  ) throws -> Summary {
    let started = Date()
    let store = try workspace.openStore()
    let parts = try store.allParts()
    guard !parts.isEmpty else {
      throw HatcheryError("\(workspace.root): no documents to filter; run `hatchery ingest` first")
    }
    var configuration = JSONObject([
      ("rules", .array(config.families.map { .string($0.rawValue) })), ("thresholds", .string("\(config.thresholds)")),
    ])
    configuration["parts"] = .array(parts.map { .string("\($0.source.name)/\($0.part.part):\($0.part.sha256)") })
    let stageConfig = StageConfig(configuration)
    if !force,
      try store.stageRuns(stage: name, scope: "all").contains(where: {
        $0.status == "completed" && $0.configHash == stageConfig.hash
      })
    {
      var summary = Summary()
      summary.nothingToDo = true
      return summary
    }
    let runID = try store.beginStageRun(
      stage: name, scope: "all", task: 0, tasks: 1, config: stageConfig.json, configHash: stageConfig.hash,
      toolVersion: HatcheryVersion.current)
    let state = Mutex((next: 0, summary: Summary(), error: Error?.none))
    DispatchQueue.concurrentPerform(iterations: max(1, min(threads, parts.count))) { _ in
      while true {
        let index: Int? = state.withLock { state in
          guard state.error == nil, state.next < parts.count else { return nil }
          defer { state.next += 1 }
          return state.next
        }
        guard let index else { return }
        do {
          let partSummary = try filter(parts[index].part, workspace: workspace, store: store, config: config, runID: runID)
          state.withLock { state in
            state.summary.documents += partSummary.documents
            state.summary.bytes += partSummary.bytes
            state.summary.dropped.merge(partSummary.dropped, uniquingKeysWith: +)
          }
        } catch {
          state.withLock { if $0.error == nil { $0.error = error } }
        }
      }
    }
    var (summary, failure) = state.withLock { ($0.summary, $0.error) }
    summary.seconds = Date().timeIntervalSince(started)
    var counts = JSONObject([("documents", .int(summary.documents))])
    counts["dropped_by_rule"] = .object(JSONObject(summary.dropped.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }))
    if let failure {
      try? store.finishStageRun(id: runID, status: .failed, counts: counts)
      throw failure
    }
    try store.finishStageRun(id: runID, status: .completed, counts: counts)
    return summary
  }

  /// Filters one part and replaces its documents' `filter` decisions in one transaction.
  private static func filter(
    _ part: PartRecord, workspace: Workspace, store: ProvenanceStore, config: FilterConfig, runID: Int64
  ) throws -> Summary {
    let reader = try DocumentPartReader(path: workspace.absolute(part.path))
    var summary = Summary()
    var ids: [String] = []
    var decisions: [DecisionRecord] = []
    let counter = GramCounter()
    while let document = try reader.next() {
      var text = document.text
      ids.append(document.id)
      summary.documents += 1
      summary.bytes += text.utf8.count
      guard let failure = text.withUTF8({ config.firstFailure(UnsafeRawBufferPointer($0), counter: counter) }) else {
        continue
      }
      summary.dropped[failure.rule, default: 0] += 1
      decisions.append(
        DecisionRecord(
          documentID: document.id, stage: name, action: "drop", reason: failure.rule, duplicateOf: nil, similarity: nil,
          score: (failure.value * 1e4).rounded() / 1e4))
    }
    try store.replaceDecisions(stage: name, for: ids, with: decisions, stageRunID: runID)
    return summary
  }
}
