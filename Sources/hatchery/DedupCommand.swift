import ArgumentParser
import Dedup
import Foundation
import HatcheryCore
import StageArguments

struct DedupCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dedup",
    abstract: "Find exact and near-duplicate documents (MinHash LSH) and record which to drop.",
    discussion: """
      Every ingested document is compared; each dropped one gets a decision row (stage dedup, reason exact or near, \
      the survivor it duplicates, the estimated similarity). Part files are never changed. The survivor of a \
      cluster is its first document by (source order, document id). On one machine the default --step all does \
      everything; across machines run --step signatures for each --task (the store is only read), then --step \
      cluster once, then --step merge once (every task's decisions into the store).
      """)

  @OptionGroup var stage: StageOptions

  @OptionGroup(title: "Options a pipeline file may set")
  var arguments: DedupArguments

  @OptionGroup var runner: StageRunArguments<DedupOptions.Step>

  @Option(help: "Print the cluster of this document and exit.")
  var explain: String?

  var options: DedupOptions {
    var options = DedupOptions()
    arguments.apply(to: &options)
    options.step = runner.step
    options.task = runner.task
    options.tasks = runner.tasks
    options.force = runner.force
    return options
  }

  func validate() throws {
    try asUsageError(options.validate)
  }

  func run() throws {
    stage.bootstrapLogging()
    let workspace = try Workspace.open(at: stage.workspace)
    if let explain {
      for line in try DedupStage.explain(workspace: workspace, documentID: explain) { print(line) }
      return
    }
    print(try DedupStage.run(workspace: workspace, options: options).text)
  }
}
