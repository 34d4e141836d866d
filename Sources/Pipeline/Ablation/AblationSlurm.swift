import Foundation
import HatcheryCore

/// `hatchery ablate FILE --slurm DIR`: the ablation as Slurm batch scripts. `01-prepare` is an
/// array with one task per variant (its pipeline and contamination check), `02-train` one with a
/// task per variant and seed (each run in a workspace of its own), `03-compare` one job once
/// every run is done; each waits for the one before (`--dependency=afterok`), and
/// `submit.sh` submits them in order.
public enum AblationSlurm {
  public static func write(_ file: AblationFile, options: SlurmScripts.Options) throws -> [String] {
    let folder = Workspace.absolutePath(options.output)
    try SlurmScripts.checkDirectiveValue(folder, option: "--slurm", allowed: "/._-+,@%=:")
    if let partition = options.partition {
      try SlurmScripts.checkDirectiveValue(partition, option: "--partition", allowed: "._-,")
    }
    if let time = options.time { try SlurmScripts.checkDirectiveValue(time, option: "--time", allowed: ":-") }
    if let account = options.account {
      try SlurmScripts.checkDirectiveValue(account, option: "--account", allowed: "._-")
    }
    let runs = file.variants.count * file.seeds
    guard runs <= options.maximumArraySize else {
      throw PipelineError.invalidOption(
        "\(runs) runs (variants × seeds) are more than the cluster's MaxArraySize \(options.maximumArraySize)")
    }
    try FileManager.default.createDirectory(atPath: folder + "/logs", withIntermediateDirectories: true)
    let hatchery = SlurmScripts.shellQuoted(options.executable)
    let ablation = SlurmScripts.shellQuoted(Workspace.absolutePath(file.path))
    let retry = options.retries > 0 ? "retry " : ""
    let throttle = options.arrayThrottle.map { "%\($0)" } ?? ""
    let jobs: [(name: String, tasks: Int, command: String)] = [
      ("prepare", file.variants.count, "\(retry)\(hatchery) ablate --step prepare --task \"$task\" \(ablation)"),
      ("train", runs, "\(retry)\(hatchery) ablate --step train --task \"$task\" \(ablation)"),
      ("compare", 0, "\(retry)\(hatchery) ablate --step compare \(ablation)"),
    ]
    var paths: [String] = []
    var submit = [
      "#!/usr/bin/env bash",
      "# Submits the jobs of ablation \(file.name) in order; written by hatchery ablate --slurm.", "set -euo pipefail",
      "cd \"$(dirname \"$0\")\"",
    ]
    var previous: String?
    for (index, job) in jobs.enumerated() {
      var lines = [
        "#!/usr/bin/env bash", "#SBATCH --job-name=hatchery-\(file.name)-\(job.name)",
        "#SBATCH --cpus-per-task=\(options.cpus)",
        "#SBATCH --output=\(folder)/logs/%x-%A_%a.out",
      ]
      if job.tasks > 0 { lines.append("#SBATCH --array=0-\(job.tasks - 1)\(throttle)") }
      if let partition = options.partition { lines.append("#SBATCH --partition=\(partition)") }
      if let time = options.time { lines.append("#SBATCH --time=\(time)") }
      if let account = options.account { lines.append("#SBATCH --account=\(account)") }
      lines += [
        "set -euo pipefail", "cd \(SlurmScripts.shellQuoted(FileManager.default.currentDirectoryPath))",
        "task=${SLURM_ARRAY_TASK_ID:-0}",
      ]
      if options.retries > 0 {
        lines.append(
          "retry() { local attempt=0; until \"$@\"; do attempt=$((attempt + 1)); [ \"$attempt\" -le \(options.retries) ] || return 1; "
            + "echo \"hatchery: attempt $attempt of \(options.retries) more after a failure: $*\" >&2; sleep 10; done; }"
        )
      }
      lines.append(job.command)
      let name = String(format: "%02d-%@.sbatch", index + 1, job.name)
      let path = folder + "/" + name
      try AtomicFileOutput.write(Array((lines.joined(separator: "\n") + "\n").utf8), to: path)
      chmod(path, 0o755)
      paths.append(path)
      let dependency = previous.map { " --dependency=afterok:$\($0)" } ?? ""
      submit.append("job_\(job.name)=$(sbatch --parsable\(dependency) \(name))")
      previous = "job_\(job.name)"
    }
    submit.append(
      "echo " + SlurmScripts.shellQuoted("submitted the jobs of ablation \(file.name); logs in \(folder)/logs"))
    let submitPath = folder + "/submit.sh"
    try AtomicFileOutput.write(Array((submit.joined(separator: "\n") + "\n").utf8), to: submitPath)
    chmod(submitPath, 0o755)
    return paths + [submitPath]
  }
}
