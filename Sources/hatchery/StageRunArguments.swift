import ArgumentParser
import Dedup
import HatcheryCore
import Ingest
import Shards

/// The task split of a data stage's task steps, the same for every stage: task I of N takes the
/// parts k with k mod N = I (dedup: its share of the documents; shard's write step: the shards
/// s with s mod N = I).
struct TaskSplitArguments: ParsableArguments {
  @Option(help: "This task's number, from 0.") var task = 0
  @Option(help: "How many tasks share the work (task I takes the parts k with k mod N = I).") var tasks = 1
}

/// A data stage's steps as `--step` takes them: `all` (one process), and the steps a split run
/// takes in turn, described once by `help`.
protocol StageStepArgument: ExpressibleByArgument, CaseIterable {
  static var all: Self { get }
  static var help: String { get }
}

/// The options `hatchery run` and `hatchery slurm` set on every data stage, not a pipeline file:
/// redo, which step, which task of how many. Declared once; each stage command takes them as an
/// option group.
struct StageRunArguments<Step: StageStepArgument>: ParsableArguments {
  @Flag(help: "Redo the stage (or step) even if its results are up to date.")
  var force = false

  @Option(help: ArgumentHelp(Step.help))
  var step: Step = .all

  @OptionGroup(title: "Across machines") var split: TaskSplitArguments

  var task: Int { split.task }
  var tasks: Int { split.tasks }
}

extension StageStep: StageStepArgument {
  static let help =
    "all: in one process. Across machines: task (each --task; its own task files, the store only read), then merge "
    + "(once)."
}

extension IngestStep: StageStepArgument {
  static let help =
    "all: everything in one process. Split across machines: register (once), then task (each --task, writing its "
    + "parts and tasks/ingest/SOURCE/*.db, never the store), then merge (once: folds the task files into the store)."
}

extension DedupOptions.Step: StageStepArgument {
  static let help = "The step to run: all, signatures, cluster, merge (or decide, one task's decisions)."
}

extension ShardStep: StageStepArgument {
  static let help =
    "all: in one process. Across machines: task (each --task tokenizes its parts; the store only read), then write "
    + "(each --task writes its shards), then merge (once)."
}
