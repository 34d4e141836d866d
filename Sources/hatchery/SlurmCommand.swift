import ArgumentParser
import Foundation
import HatcheryCore
import Pipeline

struct SlurmCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "slurm",
    abstract: "Write Slurm batch scripts for a pipeline file: job arrays for the data stages, chained jobs, submit.sh.",
    discussion: """
      Each source's ingest and dedup's signature and decision steps run as job arrays of --tasks tasks \
      (--task $SLURM_ARRAY_TASK_ID); dedup's clustering, tagging, filtering, tokenizer training, sharding, training and \
      fine-tuning are single jobs, each waiting for the jobs before it (--dependency=afterok). N tasks write exactly \
      the documents, decisions and shards one process writes. Run OUT/submit.sh on the cluster's login node; the \
      workspace and the hatchery binary must be on a shared file system.
      """)

  @Option(help: "Tasks per job array.") var tasks: Int
  @Option(help: "Slurm partition.") var partition: String?
  @Option(help: "Time limit per job (Slurm's format, e.g. 04:00:00).") var time: String?
  @Option(help: "Slurm account.") var account: String?
  @Option(help: "CPUs per task.") var cpus = 2
  @Option(help: "Where to write the scripts (default: slurm-<pipeline>).") var output: String?
  @Argument(help: "The pipeline file (YAML).") var file: String

  func validate() throws {
    guard tasks >= 1 else { throw ValidationError("--tasks must be at least 1") }
    guard cpus >= 1 else { throw ValidationError("--cpus must be at least 1") }
  }

  func run() throws {
    let pipeline = try PipelineFile.load(path: file)
    var options = SlurmScripts.Options(
      tasks: tasks, output: output ?? "slurm-\(pipeline.name)", executable: RunCommand.executablePath)
    options.partition = partition
    options.time = time
    options.account = account
    options.cpus = cpus
    let paths = try SlurmScripts.write(pipeline, options: options)
    for path in paths { print(path) }
  }
}
