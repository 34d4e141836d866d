import ArgumentParser
import Foundation
import HatcheryCore
import Pipeline

struct AblateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ablate",
    abstract:
      "Compare variants of a corpus by the models they train: same model, same tokens, several seeds, held-out bits per byte.",
    discussion: """
      Each variant of the ablation file is its base pipeline with overrides (a stage left out, a stage's options, \
      another pipeline file), prepared in its own workspace up to its shards (steps already up to date are reused). \
      The shared evaluation sets are checked against every variant's kept documents (a whole-text copy refuses the \
      ablation; when more than contamination.max_shared_ngrams of the sets' 13-grams are in its training text, it is \
      refused too). Then every variant trains the base pipeline's train stage once per seed and is scored on the \
      evaluation sets in bits per byte. FOLDER/ablation.md, .json and .html compare the variants with the first: \
      mean ± standard deviation over the seeds, Welch's t-test, tokens, time and energy, curves and a bar chart. Run it \
      again and only what changed is trained. On a cluster, --slurm DIR writes the steps as jobs: an array preparing \
      the variants, an array training them (a job per variant and seed), and the comparison. The format is in \
      docs/formats.md.
      """)

  @Option(
    help: "all, or one step: prepare (--task I: variant I's data), train (--task I: run I, variant I / seeds), compare."
  )
  var step: AblationRunner.Step = .all
  @Option(help: "A variant's index (--step prepare) or a run's (--step train).") var task: Int?
  @Option(help: "Threads of the evaluation after each run (training takes the train stage's).") var threads =
    ProcessInfo.processInfo.activeProcessorCount
  @Option(help: "Write Slurm batch scripts and submit.sh into this folder instead of running.") var slurm: String?
  @Option(help: "Slurm partition (--slurm).") var partition: String?
  @Option(help: "Time limit per job (--slurm; Slurm's format, e.g. 04:00:00).") var time: String?
  @Option(help: "Slurm account (--slurm).") var account: String?
  @Option(help: "CPUs per job (--slurm).") var cpus = 2
  @Option(help: "At most this many jobs of an array at once (--slurm).") var arrayThrottle: Int?
  @Option(help: "Run a failed job's command again up to this many times (--slurm).") var retries = 0
  @Argument(help: "The ablation file (YAML).") var file: String

  func validate() throws {
    guard cpus >= 1, retries >= 0, (arrayThrottle ?? 1) >= 1 else {
      throw ValidationError("--cpus and --array-throttle must be at least 1, --retries at least 0")
    }
    if (step == .prepare || step == .train) != (task != nil) {
      throw ValidationError("--task goes with --step prepare or --step train, and they need it")
    }
  }

  func run() throws {
    let ablation = try AblationFile.load(path: file)
    if let slurm {
      var options = SlurmScripts.Options(
        tasks: ablation.variants.count, output: slurm, executable: RunCommand.executablePath)
      options.partition = partition
      options.time = time
      options.account = account
      options.cpus = cpus
      options.arrayThrottle = arrayThrottle
      options.retries = retries
      options.maximumArraySize = SlurmCommand.clusterMaximumArraySize() ?? 1001
      for path in try AblationSlurm.write(ablation, options: options) { print(path) }
      return
    }
    var options = AblationRunner.Options(executable: RunCommand.executablePath)
    options.threads = max(1, threads)
    guard let results = try AblationRunner.run(ablation, options: options, step: step, task: task) else { return }
    print(AblationRunner.summaryTable(results))
    print(
      "ablation \(ablation.name): \(Workspace.absolutePath(ablation.folder))/ablation.md, ablation.json, ablation.html")
  }
}

extension AblationRunner.Step: ExpressibleByArgument {}
