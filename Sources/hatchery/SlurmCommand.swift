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
  @Option(
    help:
      "The cluster's MaxArraySize (default: from `scontrol show config`, else 1001); more tasks go in several arrays.")
  var maxArraySize: Int?
  @Option(help: "At most this many tasks of an array at once (sbatch --array=…%K).") var arrayThrottle: Int?
  @Option(help: "Run a failed hatchery command again in its job up to this many times.") var retries = 0
  @Argument(help: "The pipeline file (YAML).") var file: String

  func validate() throws {
    guard tasks >= 1 else { throw ValidationError("--tasks must be at least 1") }
    guard cpus >= 1 else { throw ValidationError("--cpus must be at least 1") }
    guard (maxArraySize ?? 1) >= 1 else { throw ValidationError("--max-array-size must be at least 1") }
    guard (arrayThrottle ?? 1) >= 1 else { throw ValidationError("--array-throttle must be at least 1") }
    guard retries >= 0 else { throw ValidationError("--retries must be at least 0") }
  }

  func run() throws {
    let pipeline = try PipelineFile.load(path: file)
    var options = SlurmScripts.Options(
      tasks: tasks, output: output ?? "slurm-\(pipeline.name)", executable: RunCommand.executablePath)
    options.partition = partition
    options.time = time
    options.account = account
    options.cpus = cpus
    options.maximumArraySize = maxArraySize ?? Self.clusterMaximumArraySize() ?? 1001
    options.arrayThrottle = arrayThrottle
    options.retries = retries
    let paths = try SlurmScripts.write(pipeline, options: options)
    for path in paths { print(path) }
  }

  /// MaxArraySize from `scontrol show config`, where Slurm's tools are installed and answer.
  static func clusterMaximumArraySize() -> Int? {
    guard
      let scontrol = ["/usr/bin/scontrol", "/usr/local/bin/scontrol"].first(where: FileManager.default.isExecutableFile)
    else {
      return nil
    }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: scontrol)
    process.arguments = ["show", "config"]
    let output = Pipe()
    process.standardOutput = output
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return nil }
    // Without a reachable controller scontrol waits for its message timeout: not for long here.
    let deadline = Date().addingTimeInterval(5)
    while process.isRunning && Date() < deadline { usleep(50_000) }
    guard !process.isRunning else {
      process.terminate()
      return nil
    }
    guard process.terminationStatus == 0 else { return nil }
    // The configuration (a few KB) fits the pipe's buffer, so it is read once scontrol is done.
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    for line in text.split(separator: "\n") where line.hasPrefix("MaxArraySize") {
      if let value = line.split(separator: "=").last.flatMap({ Int($0.trimmingCharacters(in: .whitespaces)) }),
        value >= 1
      {
        return value
      }
    }
    return nil
  }
}
