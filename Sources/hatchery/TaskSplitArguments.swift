import ArgumentParser

/// The task split of a data stage's task steps, the same for every stage: task I of N takes the
/// parts k with k mod N = I (dedup: its share of the documents; shard's write step: the shards
/// s with s mod N = I).
struct TaskSplitArguments: ParsableArguments {
  @Option(help: "This task's number, from 0.") var task = 0
  @Option(help: "How many tasks share the work (task I takes the parts k with k mod N = I).") var tasks = 1
}
