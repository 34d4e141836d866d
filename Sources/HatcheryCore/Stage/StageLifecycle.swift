import Foundation

/// How a stage that splits by parts runs (DESIGN.md's task/merge model): `all` in one process;
/// `task` — task I of N takes the parts k with k mod N = I, writes its results to task files
/// of its own and only reads the store; `merge` — one process writes every task's results into
/// the store, in part order, refusing while any is missing.
public enum StageStep: String, Sendable, CaseIterable {
  case all, task, merge
}

/// What every stage does around its work (DESIGN.md, the stage contract), in one place: skip a
/// run whose configuration has a completed run and whose outputs are there; otherwise record
/// the run's start in `stage_runs`, do the work, and record its end — completed with the
/// stage's counters, or failed with the error — so a killed or failed run is never mistaken
/// for a finished one.
public struct StageLifecycle: Sendable {
  public let stage: String
  /// What the run covers: a source for ingest, a step for dedup, else `all`.
  public let scope: String
  public let task: Int
  public let tasks: Int
  public let config: StageConfig

  public init(stage: String, scope: String = "all", task: Int = 0, tasks: Int = 1, config: StageConfig) {
    self.stage = stage
    self.scope = scope
    self.task = task
    self.tasks = tasks
    self.config = config
  }

  /// A completed run with this configuration exists and every file of `outputs` (absolute
  /// paths) is there.
  public func isUpToDate(in store: ProvenanceStore, outputs: [String] = []) throws -> Bool {
    try store.hasCompletedRun(stage: stage, scope: scope, configHash: config.hash, task: task)
      && outputs.allSatisfy { FileManager.default.fileExists(atPath: $0) }
  }

  /// Thrown by a stage's work that committed some of its results before failing (parts, per-part
  /// decisions): the run is recorded as failed with these counters, and `error` is thrown on.
  public struct PartialFailure: Error {
    public let error: Error
    public let counts: JSONObject

    public init(_ error: Error, counts: JSONObject) {
      self.error = error
      self.counts = counts
    }

    /// With the counters of what was committed so far.
    public init(_ error: Error, partial: some StageSummary) {
      self.init(error, counts: partial.counts)
    }
  }

  /// Records the run around `work`, whose summary's counters (`StageSummary.counts`) are the
  /// run's counts.
  public func record<Summary: StageSummary>(in store: ProvenanceStore, _ work: (_ runID: Int64) throws -> Summary)
    throws -> Summary
  {
    try record(in: store) { runID in
      let summary = try work(runID)
      return (summary, summary.counts)
    }
  }

  /// Records the run, runs `work` with the run's id and records its end with the counters
  /// `work` returns; an error is recorded (counts `{"error": …}`, beside a `PartialFailure`'s
  /// counters) and thrown on.
  public func record<Result>(
    in store: ProvenanceStore, _ work: (_ runID: Int64) throws -> (result: Result, counts: JSONObject)
  )
    throws -> Result
  {
    let runID = try store.beginStageRun(
      stage: stage, scope: scope, task: task, tasks: tasks, config: config.json, configHash: config.hash,
      toolVersion: HatcheryVersion.current)
    let outcome: (result: Result, counts: JSONObject)
    do {
      outcome = try work(runID)
    } catch let failure as PartialFailure {
      var counts = failure.counts
      counts["error"] = .string("\(failure.error)")
      try? store.finishStageRun(id: runID, status: .failed, counts: counts)
      throw failure.error
    } catch {
      try? store.finishStageRun(id: runID, status: .failed, counts: JSONObject([("error", .string("\(error)"))]))
      throw error
    }
    try store.finishStageRun(id: runID, status: .completed, counts: outcome.counts)
    return outcome.result
  }
}
