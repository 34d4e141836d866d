import Accounting
import Foundation
import HatcheryCore
import Reporting
import Training

/// Set by SIGINT while a step runs; read when the step's process has ended.
nonisolated(unsafe) private var interruptRequested: sig_atomic_t = 0

/// `hatchery run`: runs the stages of a pipeline file in order, each as its own `hatchery`
/// process, skipping steps whose fingerprint matches a completed attempt. It stops at the first
/// failure (the stage's own message is above it) and on Ctrl-C; running it again resumes: data
/// stages resume themselves, a pre-training run continues from its newest checkpoint.
public enum PipelineRunner {
  public struct Options: Sendable {
    public var from: PipelineStage?
    public var until: PipelineStage?
    public var force: Set<PipelineStage> = []
    /// The hatchery executable the steps run.
    public var executable: String

    public init(executable: String) { self.executable = executable }
  }

  public enum Outcome: Sendable, Equatable {
    case completed
    case failed(step: String)
    case interrupted(step: String)
  }

  /// One unit of `hatchery run`: a source's ingest, or a stage.
  struct Step {
    var name: String
    var stage: PipelineStage
    /// Commands run one after the other (hatchery arguments, without the executable).
    var commands: [[String]]
    /// Files and folders whose sizes and times are part of the fingerprint.
    var inputs: [String]
    var fingerprint = ""
    var note: String?
  }

  /// Runs `file`; prints progress, each stage's own output, and a summary at the end.
  public static func run(_ file: PipelineFile, options: Options, print: (String) -> Void = { Swift.print($0) }) throws
    -> Outcome
  {
    let workspace = try openWorkspace(file.workspace)
    let store = try workspace.openStore()
    var steps = try plan(file, workspace: workspace, force: options.force)
    let first = options.from.flatMap { from in steps.firstIndex { $0.stage == from } } ?? 0
    let last = options.until.flatMap { until in steps.lastIndex { $0.stage == until } } ?? steps.count - 1
    if let from = options.from, !steps.contains(where: { $0.stage == from }) {
      throw PipelineError.invalidOption("--from \(from.rawValue): the pipeline has no \(from.rawValue) stage")
    }
    if let until = options.until, !steps.contains(where: { $0.stage == until }) {
      throw PipelineError.invalidOption("--until \(until.rawValue): the pipeline has no \(until.rawValue) stage")
    }
    interruptRequested = 0
    let previousHandler = signal(SIGINT) { _ in interruptRequested = 1 }
    defer { signal(SIGINT, previousHandler) }
    let clock = ContinuousClock()
    let started = clock.now
    var report: [(step: String, outcome: StepOutcome, seconds: Double?)] = []
    for index in steps.indices {
      guard index >= first && index <= last else {
        report.append((steps[index].name, .notSelected, nil))
        continue
      }
      try resolveRunFolders(
        &steps[index], file: file, workspace: workspace, store: store, steps: steps, force: options.force)
      let step = steps[index]
      let header = "==> [\(index + 1)/\(steps.count)] \(step.name)"
      if let note = step.note { print("\(header): \(note)") }
      let previous = try store.pipelineStep(pipeline: file.name, step: step.name)
      if step.commands.isEmpty {
        report.append((step.name, .skipped, nil))
        continue
      }
      if previous?.status == .completed && previous?.fingerprint == step.fingerprint
        && !options.force.contains(step.stage)
      {
        print("\(header): up to date")
        report.append((step.name, .upToDate, nil))
        continue
      }
      try store.beginPipelineStep(pipeline: file.name, step: step.name, fingerprint: step.fingerprint)
      let stepStarted = clock.now
      var status = PipelineStepStatus.completed
      var message: String?
      for command in step.commands {
        print("\(header): hatchery \(command.joined(separator: " "))")
        let result = try runProcess(options.executable, command)
        if interruptRequested != 0 || result == .interrupted {
          status = .interrupted
          message = "interrupted (Ctrl-C)"
        } else if case .exited(let code) = result, code != 0 {
          status = .failed
          let words = command.prefix { !$0.hasPrefix("-") }.prefix(2)
          message = "hatchery \(words.joined(separator: " ")) exited with status \(code)"
        }
        if status != .completed { break }
      }
      let seconds = (clock.now - stepStarted).seconds
      try store.finishPipelineStep(
        pipeline: file.name, step: step.name, status: status, seconds: seconds, message: message)
      report.append((step.name, StepOutcome(status), seconds))
      switch status {
      case .interrupted:
        print("pipeline \(file.name): interrupted during \(step.name); run `hatchery run` again to resume")
        return .interrupted(step: step.name)
      case .failed:
        print("pipeline \(file.name): stopped at \(step.name): \(message ?? "failed") (its message is above)")
        return .failed(step: step.name)
      case .completed, .running: break
      }
    }
    if (try? runProcess(options.executable, ["energy", "-w", workspace.root])) == nil {
      print("(energy table unavailable)")
    }
    print(try summary(file, workspace: workspace, store: store, report: report, seconds: (clock.now - started).seconds))
    return .completed
  }

  private static func openWorkspace(_ path: String) throws -> Workspace {
    if FileManager.default.fileExists(atPath: Workspace.absolutePath(path) + "/hatchery.db") {
      return try Workspace.open(at: path)
    }
    return try Workspace.create(at: path)
  }

  // MARK: Planning

  /// The steps of a pipeline with their commands and chained fingerprints.
  static func plan(_ file: PipelineFile, workspace: Workspace, force: Set<PipelineStage>) throws -> [Step] {
    let root = workspace.root
    var steps: [Step] = []
    for (stage, stageOptions) in file.stages {
      let flags = arguments(stageOptions, stage: stage)
      let files = stageOptions.flatMap { option -> [String] in
        switch (stage.options[option.key], option.value) {
        case (.file?, .scalar(let path)): return [path]
        case (.files?, .list(let paths)): return paths
        default: return []
        }
      }
      let forceFlag = force.contains(stage) && stage.acceptsForce ? ["--force"] : []
      switch stage {
      case .ingest:
        for source in file.sources {
          let present = source.paths.filter { FileManager.default.fileExists(atPath: Workspace.absolutePath($0)) }
          var step = Step(name: "ingest:\(source.name)", stage: stage, commands: [], inputs: present)
          let missing = source.paths.filter { !present.contains($0) }
          if !missing.isEmpty {
            guard source.optional else {
              throw PipelineError.missingInputs(source: source.name, paths: missing, optionalHint: true)
            }
            step.note = "skipping missing \(missing.joined(separator: ", "))"
          }
          if !present.isEmpty {
            var command = ["ingest", "-w", root, "--source", source.name]
            if let license = source.license { command += ["--license", license] }
            if let format = source.format { command += ["--format", format] }
            step.commands = [command + flags + forceFlag + present]
          }
          steps.append(step)
        }
      case .dedup, .tag, .filter, .tokenizer, .report:
        steps.append(
          Step(
            name: stage.rawValue, stage: stage, commands: [stage.command + ["-w", root] + flags + forceFlag],
            inputs: files))
      case .shard:
        steps.append(
          Step(
            name: stage.rawValue, stage: stage,
            commands: [stage.command + ["-w", root] + flags + forceFlag, ["shard", "verify", "-w", root]],
            inputs: files))
      case .train, .finetune:
        // The run folder and checkpoint are added when the step runs (resolveRunFolders).
        steps.append(
          Step(name: stage.rawValue, stage: stage, commands: [stage.command + ["-w", root] + flags], inputs: files))
      case .sample:
        steps.append(Step(name: stage.rawValue, stage: stage, commands: [], inputs: []))
      }
    }
    var previous = ""
    for index in steps.indices {
      var hasher = SHA256Hasher()
      // The tool's version too: a new build redoes the steps (their outputs may differ).
      hasher.update("hatchery-pipeline-step-v1\0\(HatcheryVersion.current)\0\(previous)\0\(steps[index].name)\0")
      for command in steps[index].commands { hasher.update(command.joined(separator: "\0") + "\n") }
      if steps[index].stage == .sample {
        hasher.update(file.stages.first { $0.stage == .sample }.map { "\($0.options)" } ?? "")
      }
      for input in steps[index].inputs { signature(of: Workspace.absolutePath(input), into: &hasher) }
      steps[index].fingerprint = hasher.finalize().hex
      previous = steps[index].fingerprint
    }
    return steps
  }

  /// `--key value` for each option, `--key` for a true flag, the option repeated for a list.
  static func arguments(_ options: [(key: String, value: PipelineFile.Value)], stage: PipelineStage) -> [String] {
    var result: [String] = []
    for (key, value) in options where !stage.runnerOptions.contains(key) {
      let flag = "--" + key.replacingOccurrences(of: "_", with: "-")
      switch value {
      case .scalar(let text): result += [flag, text]
      case .flag(let on): if on { result.append(flag) }
      case .list(let items): for item in items { result += [flag, item] }
      }
    }
    return result
  }

  /// Paths, sizes and modification times of every file under `path` (hidden ones skipped, as
  /// ingest skips them): what tells a changed input.
  static func signature(of path: String, into hasher: inout SHA256Hasher) {
    var info = stat()
    guard stat(path, &info) == 0 else {
      hasher.update("missing \(path)\n")
      return
    }
    if info.st_mode & S_IFMT == S_IFDIR {
      let names = ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix(".") }
        .sorted()
      for name in names { signature(of: path + "/" + name, into: &hasher) }
    } else {
      hasher.update("\(path)\0\(info.st_size)\0\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)\n")
    }
  }

  /// Training runs live in `runs/<pipeline>-<stage>-<fingerprint>`: an unfinished pre-training
  /// run is continued from its newest checkpoint, an unfinished fine-tuning run is redone, and
  /// fine-tuning and sampling start from the newest checkpoints of the runs before them.
  static func resolveRunFolders(
    _ step: inout Step, file: PipelineFile, workspace: Workspace, store: ProvenanceStore, steps: [Step],
    force: Set<PipelineStage>
  ) throws {
    func folder(of stage: PipelineStage) -> String? {
      steps.first { $0.stage == stage }.map {
        workspace.absolute("runs/\(file.name)-\(stage.rawValue)-\($0.fingerprint.prefix(12))")
      }
    }
    switch step.stage {
    case .train, .finetune:
      guard let run = folder(of: step.stage) else { return }
      let previous = try store.pipelineStep(pipeline: file.name, step: step.name)
      let completed = previous?.status == .completed && previous?.fingerprint == step.fingerprint
      if FileManager.default.fileExists(atPath: run) && !completed {
        if step.stage == .train && !force.contains(.train) && Checkpoint.latest(in: run) != nil {
          step.commands[0] += ["--resume", run]
          step.note = "continuing \(run) from its newest checkpoint"
          return
        }
        try FileManager.default.removeItem(atPath: run)
      } else if FileManager.default.fileExists(atPath: run) && force.contains(step.stage) {
        try FileManager.default.removeItem(atPath: run)
      }
      if step.stage == .finetune {
        guard let base = folder(of: .train).flatMap({ Checkpoint.latest(in: $0) }) else {
          throw PipelineError.cannotRun(
            "finetune: no pre-training checkpoint of this pipeline (its train stage has not finished)")
        }
        step.commands[0] += ["--from", base.folder]
      }
      step.commands[0] += ["--run-name", (run as NSString).lastPathComponent]
    case .sample:
      let options = file.stages.first { $0.stage == .sample }?.options ?? []
      let flags = arguments(options.filter { $0.key != "prompt" && $0.key != "chat_prompt" }, stage: .sample)
      func text(_ key: String) -> String? {
        options.first { $0.key == key }.flatMap {
          if case .scalar(let value) = $0.value { return value } else { return nil }
        }
      }
      step.commands = []
      if let pretrained = folder(of: .train).flatMap({ Checkpoint.latest(in: $0) }) {
        step.commands.append(
          ["sample", "--checkpoint", pretrained.folder, "--prompt", text("prompt") ?? "The"] + flags)
      }
      if let tuned = folder(of: .finetune).flatMap({ Checkpoint.latest(in: $0) }) {
        step.commands.append(
          ["sample", "--checkpoint", tuned.folder, "--chat", "--prompt", text("chat_prompt") ?? "Hello"] + flags)
      }
      if step.commands.isEmpty { step.note = "no checkpoint to sample from" }
    default:
      break
    }
  }

  // MARK: Running

  enum ProcessResult: Equatable {
    case exited(Int32)
    case interrupted
  }

  /// Runs `hatchery ARGUMENTS` with the terminal's output and waits for it.
  static func runProcess(_ executable: String, _ arguments: [String]) throws -> ProcessResult {
    fflush(nil)  // our lines before the step's own
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    do {
      try process.run()
    } catch {
      throw PipelineError.cannotRun("cannot start \(executable): \(error.localizedDescription)")
    }
    process.waitUntilExit()
    if process.terminationReason == .uncaughtSignal && process.terminationStatus == SIGINT { return .interrupted }
    return .exited(
      process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus)
  }

  // MARK: Summary

  static func summary(
    _ file: PipelineFile, workspace: Workspace, store: ProvenanceStore,
    report: [(step: String, outcome: StepOutcome, seconds: Double?)],
    seconds: Double
  ) throws -> String {
    let figures = try WorkspaceFigures(store: store)
    let ran = report.filter { $0.outcome == .ran }.count
    var lines = [
      String(
        format: "pipeline %@: %d steps, %d run, %d up to date, %.1f s", file.name, report.count, ran,
        report.filter { $0.outcome == .upToDate }.count, seconds)
    ]
    for entry in report {
      lines.append(
        "  " + entry.step.padding(toLength: 24, withPad: " ", startingAt: 0)
          + entry.outcome.rawValue.padding(toLength: 14, withPad: " ", startingAt: 0)
          + (entry.seconds.map { String(format: "%8.1f s", $0) } ?? ""))
    }
    var documents = "documents: \(figures.ingested) ingested (\(figures.rejected) rejected)"
    for drop in figures.droppedByStage { documents += ", \(drop.documents) dropped by \(drop.stage)" }
    documents += ", \(figures.kept) kept; shards: \(figures.shardDocuments) documents, \(figures.shardTokens) tokens"
    lines.append(documents)
    for run in figures.trainingRuns where run.directory.contains("/runs/\(file.name)-") {
      lines.append(
        "\(run.kind) \(run.id): \(run.status), \(run.steps) steps, \(run.tokens) tokens, loss "
          + (run.finalLoss.map { String(format: "%.4f", $0) } ?? "-") + ", validation loss "
          + (run.finalValidationLoss.map { String(format: "%.4f", $0) } ?? "-"))
    }
    let carbon = try CarbonIntensity(country: nil, override: nil)
    lines.append(
      String(
        format: "energy: %.6f kWh, %.3f g CO2e at the world average %.0f g/kWh (hatchery energy --country for a grid)",
        figures.kWh, carbon.emissions(kWh: figures.kWh, pue: 1) * 1000, carbon.gramsPerKWh))
    if FileManager.default.fileExists(atPath: workspace.absolute("report.html")) {
      lines.append("report: \(workspace.absolute("report.html"))")
    }
    return lines.joined(separator: "\n")
  }
}

/// What became of a pipeline step in one `hatchery run`, as its summary lists it.
enum StepOutcome: String, Sendable {
  case notSelected = "not selected"
  case skipped
  case upToDate = "up to date"
  case ran, failed, interrupted, running

  init(_ status: PipelineStepStatus) {
    switch status {
    case .completed: self = .ran
    case .failed: self = .failed
    case .interrupted: self = .interrupted
    case .running: self = .running
    }
  }
}
