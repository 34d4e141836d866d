import Foundation
import HatcheryCore

/// `hatchery slurm`: the pipeline as Slurm batch scripts. Data stages that split into tasks run
/// as job arrays (`--task $SLURM_ARRAY_TASK_ID --tasks N`): each source's ingest, dedup's
/// signatures and decisions. The steps that need everything at once are single jobs: dedup's
/// clustering, tagging, filtering, tokenizer training, sharding (which writes the manifest),
/// training and fine-tuning. Each job waits for the jobs before it (`--dependency=afterok`), and
/// `submit.sh` submits them all in order.
public enum SlurmScripts {
  public struct Options: Sendable {
    public var tasks: Int
    public var partition: String?
    public var time: String?
    public var account: String?
    public var cpus = 2
    /// The cluster's MaxArraySize: array indices stay below it, so more tasks are submitted as
    /// several arrays (`HATCHERY_TASK_OFFSET` says where each starts).
    public var maximumArraySize = 1001
    /// At most this many tasks of an array run at once (`--array=…%K`).
    public var arrayThrottle: Int?
    /// A failed hatchery command is run again in its job up to this many times (10 s apart).
    public var retries = 0
    /// The folder the scripts are written to.
    public var output: String
    /// The hatchery executable the jobs run (it must be reachable from the compute nodes).
    public var executable: String

    public init(tasks: Int, output: String, executable: String) {
      self.tasks = tasks
      self.output = output
      self.executable = executable
    }
  }

  struct Job {
    var name: String
    var isArray: Bool
    /// Shell lines of the job's body.
    var lines: [String]
    /// Jobs of the same wave run side by side; a wave waits for the whole wave before it.
    var wave: Int
  }

  /// Writes the scripts and `submit.sh`; returns their paths, in submission order.
  public static func write(_ file: PipelineFile, options: Options) throws -> [String] {
    guard options.tasks >= 1 else { throw PipelineError.invalidOption("--tasks must be at least 1") }
    guard options.maximumArraySize >= 1 else {
      throw PipelineError.invalidOption("--max-array-size must be at least 1")
    }
    guard (options.arrayThrottle ?? 1) >= 1 else {
      throw PipelineError.invalidOption("--array-throttle must be at least 1")
    }
    guard options.retries >= 0 else { throw PipelineError.invalidOption("--retries must be at least 0") }
    let folder = Workspace.absolutePath(options.output)
    // `#SBATCH` lines are read by sbatch, not the shell: their values cannot be quoted, so they
    // are held to characters that need none.
    try checkDirectiveValue(folder, option: "--output", allowed: "/._-+,@%=:")
    if let partition = options.partition { try checkDirectiveValue(partition, option: "--partition", allowed: "._-,") }
    if let time = options.time { try checkDirectiveValue(time, option: "--time", allowed: ":-") }
    if let account = options.account { try checkDirectiveValue(account, option: "--account", allowed: "._-") }
    try Workspace.validateName(file.name, of: "pipeline")
    let jobs = try self.jobs(file, options: options)
    try FileManager.default.createDirectory(atPath: folder + "/logs", withIntermediateDirectories: true)
    var paths: [String] = []
    var submit = [
      "#!/usr/bin/env bash", "# Submits the jobs of pipeline \(file.name) in order; written by hatchery slurm.",
      "set -euo pipefail",
      "cd \"$(dirname \"$0\")\"",
    ]
    var waves: [Int: [String]] = [:]
    for (index, job) in jobs.enumerated() {
      let name = String(format: "%02d-%@.sbatch", index + 1, job.name)
      let variable = "job_" + job.name.replacingOccurrences(of: "-", with: "_").replacingOccurrences(of: ".", with: "_")
      var header = [
        "#!/usr/bin/env bash", "#SBATCH --job-name=hatchery-\(file.name)-\(job.name)",
        "#SBATCH --cpus-per-task=\(options.cpus)", "#SBATCH --output=\(folder)/logs/%x-%A_%a.out",
      ]
      // Tasks past the cluster's MaxArraySize go in further arrays of the same script, each told
      // its first task; one array's range can stand in the script itself.
      let chunks =
        job.isArray && options.tasks > 1
        ? stride(from: 0, to: options.tasks, by: options.maximumArraySize).map {
          ($0, min(options.maximumArraySize, options.tasks - $0))
        }
        : []
      let throttle = options.arrayThrottle.map { "%\($0)" } ?? ""
      if chunks.count == 1 { header.append("#SBATCH --array=0-\(options.tasks - 1)\(throttle)") }
      if let partition = options.partition { header.append("#SBATCH --partition=\(partition)") }
      if let time = options.time { header.append("#SBATCH --time=\(time)") }
      if let account = options.account { header.append("#SBATCH --account=\(account)") }
      var prologue = [
        "set -euo pipefail", "cd \(shellQuoted(FileManager.default.currentDirectoryPath))",
        "task=$(( ${HATCHERY_TASK_OFFSET:-0} + ${SLURM_ARRAY_TASK_ID:-0} ))",
      ]
      if options.retries > 0 {
        prologue.append(
          "retry() { local attempt=0; until \"$@\"; do attempt=$((attempt + 1)); [ \"$attempt\" -le \(options.retries) ] || return 1; "
            + "echo \"hatchery: attempt $attempt of \(options.retries) more after a failure: $*\" >&2; sleep 10; done; }"
        )
      }
      let body = header + prologue + job.lines
      let path = folder + "/" + name
      try AtomicFileOutput.write(Array((body.joined(separator: "\n") + "\n").utf8), to: path)
      chmod(path, 0o755)
      paths.append(path)
      let dependencies = (waves[job.wave - 1] ?? []).map { "$" + $0 }
      let dependency = dependencies.isEmpty ? "" : " --dependency=afterok:" + dependencies.joined(separator: ":")
      if chunks.count > 1 {
        for (index, chunk) in chunks.enumerated() {
          let chunkVariable = "\(variable)_\(index)"
          submit.append(
            "\(chunkVariable)=$(sbatch --parsable\(dependency) --array=0-\(chunk.1 - 1)\(throttle) "
              + "--export=ALL,HATCHERY_TASK_OFFSET=\(chunk.0) \(name))")
          waves[job.wave, default: []].append(chunkVariable)
        }
      } else {
        submit.append("\(variable)=$(sbatch --parsable\(dependency) \(name))")
        waves[job.wave, default: []].append(variable)
      }
    }
    submit.append(
      "echo " + shellQuoted("submitted \(jobs.count) jobs of pipeline \(file.name); logs in \(folder)/logs"))
    let submitPath = folder + "/submit.sh"
    try AtomicFileOutput.write(Array((submit.joined(separator: "\n") + "\n").utf8), to: submitPath)
    chmod(submitPath, 0o755)
    return paths + [submitPath]
  }

  static func jobs(_ file: PipelineFile, options: Options) throws -> [Job] {
    let workspace = Workspace.absolutePath(file.workspace)
    let hatchery = shellQuoted(options.executable)
    let split = ["--task", "\"$task\"", "--tasks", "\(options.tasks)"]
    func line(_ arguments: [String]) -> String {
      (options.retries > 0 ? "retry " : "") + ([hatchery] + arguments).joined(separator: " ")
    }
    func quoted(_ arguments: [String]) -> [String] { arguments.map(shellQuoted) }
    var jobs: [Job] = [
      Job(
        name: "init", isArray: false, lines: [line(["init", shellQuoted(workspace)]) + " >/dev/null || true"], wave: 0)
    ]
    var wave = 1
    let ws = ["-w", shellQuoted(workspace)]
    for (stage, stageOptions) in file.stages {
      let flags = quoted(PipelineRunner.arguments(stageOptions, stage: stage))
      switch stage {
      case .ingest:
        // The task/merge model: the init job registers each source, the array's tasks write
        // their parts and task files (never the store), one merge job per source folds them in.
        var merges: [Job] = []
        for source in file.sources {
          let present = source.paths.filter { FileManager.default.fileExists(atPath: Workspace.absolutePath($0)) }
          if present.count < source.paths.count && !source.optional {
            throw PipelineError.missingInputs(
              source: source.name, paths: source.paths.filter { !present.contains($0) }, optionalHint: false)
          }
          guard !present.isEmpty else { continue }
          var arguments = ["ingest"] + ws + ["--source", shellQuoted(source.name)]
          if let license = source.license { arguments += ["--license", shellQuoted(license)] }
          if let format = source.format { arguments += ["--format", shellQuoted(format)] }
          arguments += flags
          let paths = quoted(present.map(Workspace.absolutePath))
          jobs[0].lines.append(line(arguments + ["--step", "register"] + paths))
          jobs.append(
            Job(
              name: "ingest-\(source.name)", isArray: true,
              lines: [line(arguments + ["--step", "task"] + split + paths)], wave: wave))
          merges.append(
            Job(
              name: "ingest-\(source.name)-merge", isArray: false,
              lines: [line(arguments + ["--step", "merge", "--tasks", "\(options.tasks)"] + paths)], wave: wave + 1))
        }
        if !merges.isEmpty {
          jobs += merges
          wave += 1
        }
      case .dedup:
        jobs.append(
          Job(
            name: "dedup-signatures", isArray: true,
            lines: [line(["dedup"] + ws + flags + ["--step", "signatures"] + split)], wave: wave))
        wave += 1
        jobs.append(
          Job(
            name: "dedup-cluster", isArray: false,
            lines: [line(["dedup"] + ws + flags + ["--step", "cluster", "--tasks", "\(options.tasks)"])], wave: wave))
        wave += 1
        jobs.append(
          Job(
            name: "dedup-merge", isArray: false,
            lines: [line(["dedup"] + ws + flags + ["--step", "merge", "--tasks", "\(options.tasks)"])], wave: wave))
      case .tag, .filter, .tokenizer, .shard:
        // Tasks write task files (the store only read); shard's write tasks then write its shards
        // from them; one merge writes the store (and the shard manifest, then verified).
        let name = stage.rawValue
        jobs.append(
          Job(
            name: name, isArray: true, lines: [line(stage.command + ws + flags + ["--step", "task"] + split)],
            wave: wave))
        if stage == .shard {
          wave += 1
          jobs.append(
            Job(
              name: "shard-write", isArray: true,
              lines: [line(stage.command + ws + flags + ["--step", "write"] + split)], wave: wave))
        }
        wave += 1
        var merge = [line(stage.command + ws + flags + ["--step", "merge", "--tasks", "\(options.tasks)"])]
        if stage == .shard { merge.append(line(["shard", "verify"] + ws)) }
        jobs.append(Job(name: name + "-merge", isArray: false, lines: merge, wave: wave))
      case .report:
        jobs.append(Job(name: stage.rawValue, isArray: false, lines: [line(stage.command + ws + flags)], wave: wave))
      case .train:
        // A requeued job continues the run from its newest checkpoint.
        let run = shellQuoted(workspace + "/runs/\(file.name)-train")
        jobs.append(
          Job(
            name: "train", isArray: false,
            lines: [
              "if ls -d \(run)/step-*/optimizer.bin >/dev/null 2>&1; then",
              "  " + line(["train"] + ws + flags + ["--resume", run]), "else", "  rm -rf \(run)",
              "  " + line(["train"] + ws + flags + ["--run-name", shellQuoted("\(file.name)-train")]), "fi",
            ], wave: wave))
      case .finetune:
        let base = shellQuoted(workspace + "/runs/\(file.name)-train")
        let run = shellQuoted(workspace + "/runs/\(file.name)-finetune")
        jobs.append(
          Job(
            name: "finetune", isArray: false,
            lines: [
              "base=$(ls -d \(base)/step-* | sort | tail -n 1)", "rm -rf \(run)",
              line(
                ["finetune"] + ws + flags + ["--from", "\"$base\"", "--run-name", shellQuoted("\(file.name)-finetune")]),
            ], wave: wave))
      case .sample:
        let options = stageOptions.filter { $0.key != "prompt" && $0.key != "chat_prompt" }
        let sampleFlags = quoted(PipelineRunner.arguments(options, stage: .sample))
        func text(_ key: String, _ fallback: String) -> String {
          stageOptions.first { $0.key == key }.flatMap {
            if case .scalar(let value) = $0.value { return value } else { return nil }
          } ?? fallback
        }
        var lines: [String] = []
        if file.stages.contains(where: { $0.stage == .train }) {
          lines.append(
            line(
              [
                "sample", "--checkpoint",
                "\"$(ls -d \(shellQuoted(workspace + "/runs/\(file.name)-train"))/step-* | sort | tail -n 1)\"",
                "--prompt", shellQuoted(text("prompt", "The")),
              ] + sampleFlags))
        }
        if file.stages.contains(where: { $0.stage == .finetune }) {
          lines.append(
            line(
              [
                "sample", "--checkpoint",
                "\"$(ls -d \(shellQuoted(workspace + "/runs/\(file.name)-finetune"))/step-* | sort | tail -n 1)\"",
                "--chat", "--prompt", shellQuoted(text("chat_prompt", "Hello")),
              ] + sampleFlags))
        }
        if !lines.isEmpty { jobs.append(Job(name: "sample", isArray: false, lines: lines, wave: wave)) }
      }
      wave += 1
    }
    return jobs
  }

  static func checkDirectiveValue(_ value: String, option: String, allowed extra: String) throws {
    let safe = value.unicodeScalars.allSatisfy {
      $0.isASCII && (CharacterSet.alphanumerics.contains($0) || extra.unicodeScalars.contains($0))
    }
    guard safe, !value.isEmpty else {
      throw PipelineError.invalidOption(
        "\(option) '\(PrintableText.escaped(value))' cannot go into an #SBATCH line: use letters, digits and \(extra.map { "'\($0)'" }.joined(separator: " "))"
      )
    }
  }

  /// A word for the shell: left alone when it is plainly safe, else in single quotes.
  static func shellQuoted(_ word: String) -> String {
    let safe = word.unicodeScalars.allSatisfy {
      $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "/._-=:,+@%".unicodeScalars.contains($0))
    }
    if safe && !word.isEmpty { return word }
    return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
  }
}
