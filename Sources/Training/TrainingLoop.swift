import Accounting
import Foundation
import HatcheryCore

/// The optimisation loop shared by pre-training and fine-tuning: per step, `fillBatch` puts a
/// micro-batch into the model's inputs and targets (as many times as gradient accumulation
/// asks), the gradients are averaged, clipped to their global norm and applied by AdamW on the
/// warm-up + cosine schedule; the loss and gradient norm must stay finite. Metrics are appended
/// to `metrics.jsonl`; checkpoints are written every `checkpointEvery` steps and at the end; the
/// run's row in `training_runs` is closed as completed or failed with what was done. The run is
/// metered (EnergyMonitor): `emissions.csv` in the run folder, samples in `energy_samples`.
struct TrainingLoop {
  /// What one evaluation found: the loss on held-out tokens (mean per token), the same in bits
  /// per byte of their text, and bits per byte of each held-out text set.
  struct Evaluation {
    var loss: Float?
    var bitsPerByte: Double?
    var text: [(name: String, bitsPerByte: Double)] = []
  }

  let model: GPT
  let optimizer: AdamW
  let options: TrainOptions
  let runDirectory: String
  /// Copied into every checkpoint folder, so a checkpoint is self-contained.
  let tokenizerJSON: [UInt8]
  let endOfText: UInt32?
  let store: ProvenanceStore
  let runID: String
  let energy: EnergyOptions

  func run(
    from startStep: Int, random: inout SplitMix64, fillBatch: (inout SplitMix64) throws -> Void,
    evaluate: (() throws -> Evaluation)?,
    log: (String) -> Void
  ) throws -> Trainer.Summary {
    var summary = Trainer.Summary(runDirectory: runDirectory)
    let carbon = try CarbonIntensity(country: energy.country, override: energy.carbonIntensity)
    let machine = MachineProfile.current
    let cpuModel = machine.cpuModel
    let powerModel = CPUPowerModel(machine: machine, override: energy.cpuWatts)
    let monitor = EnergyMonitor(
      interval: energy.interval, model: powerModel, ramWatts: energy.ramWatts,
      embodied: (EmbodiedModel.cloudVCPU, powerModel.heldCPUs))
    func record(_ status: TrainingRunStatus) throws {
      let report = monitor.stop()
      summary.kWh = report.kWh * energy.pue
      summary.emissionsKg = carbon.emissions(kWh: report.kWh, pue: energy.pue)
      summary.energyMethod = report.method
      summary.energyLabel = report.label
      summary.embodiedKg = report.embodiedKg
      summary.embodiedMethod = report.embodiedMethod ?? ""
      summary.meteringSeconds = report.samplingSeconds
      summary.carbon = "\(carbon.countryName), \(Int(carbon.gramsPerKWh.rounded())) g/kWh, PUE \(energy.pue)"
      try AtomicFileOutput.write(
        Array(
          EmissionsCSV.text(
            report: report, runID: runID, carbon: carbon, pue: energy.pue, cpuModel: cpuModel,
            logicalCPUs: powerModel.logicalCPUs
          ).utf8),
        to: runDirectory + "/emissions.csv")
      try store.insertEnergySamples(
        trainingRunID: runID, stageRunID: nil,
        samples: report.samples.map { ($0.at, $0.elapsed, $0.cpuWatts, $0.gpuWatts, $0.ramWatts, $0.joules) },
        method: report.method)
      let flops = Double(summary.tokens) * model.config.flopsPerToken
      summary.achievedFLOPS = flops / max(report.seconds, 1e-9)
      summary.peakFLOPS = (try? GEMMPeak.flopsPerSecond(threads: options.threads)) ?? 0
      try store.finishTrainingRun(
        id: runID, status: status, steps: summary.steps, tokens: summary.tokens,
        finalLoss: summary.finalLoss.map(Double.init),
        finalValidationLoss: summary.finalValidationLoss.map(Double.init), flops: flops,
        energy: (
          report.processCPUSeconds, report.kWh, carbon.emissions(kWh: report.kWh, pue: energy.pue), report.method
        ),
        utilisation: summary.peakFLOPS > 0 ? summary.achievedFLOPS / summary.peakFLOPS : nil,
        embodiedKg: report.embodiedKg,
        seconds: report.seconds, forecastSeconds: summary.forecastSeconds)
    }
    // What `hatchery plan` forecasts for this run from the workspace's earlier runs (none before
    // the first), recorded beside what is measured.
    let tokensPerStep = options.batch * options.context * options.accumulation
    let recent = (try? store.recentTrainingUtilisations(limit: TrainerForecast.recentRuns)) ?? []
    if !recent.isEmpty {
      summary.forecastSeconds = try? TrainerForecast.forecast(
        config: model.config, tokens: (options.steps - startStep) * tokensPerStep, threads: options.threads,
        recentUtilisations: recent,
        gramsPerKWh: carbon.gramsPerKWh
      ).plan.wallSeconds
    }
    monitor.start()
    do {
      try steps(from: startStep, random: &random, fillBatch: fillBatch, evaluate: evaluate, log: log, summary: &summary)
    } catch {
      try? record(.failed)
      throw error
    }
    try record(.completed)
    return summary
  }

  private func steps(
    from startStep: Int, random: inout SplitMix64, fillBatch: (inout SplitMix64) throws -> Void,
    evaluate: (() throws -> Evaluation)?,
    log: (String) -> Void, summary: inout Trainer.Summary
  ) throws {
    let metrics = try Metrics(path: runDirectory + "/metrics.jsonl")
    let tokensPerStep = options.batch * options.context * options.accumulation
    let clock = ContinuousClock()
    let started = clock.now
    for step in startStep..<options.steps {
      let stepStart = clock.now
      model.zeroGradients()
      var loss: Float = 0
      for _ in 0..<options.accumulation {
        try fillBatch(&random)
        loss += model.forward() / Float(options.accumulation)
        model.backward()
      }
      guard loss.isFinite else {
        throw TrainingError.diverged(step: step + 1, quantity: "loss", value: loss)
      }
      if options.accumulation > 1 {
        let scale = 1 / Float(options.accumulation)
        for i in 0..<model.gradients.count { model.gradients[i] *= scale }
      }
      var squares: Double = 0
      for g in model.gradients { squares += Double(g) * Double(g) }
      let norm = Float(squares.squareRoot())
      guard norm.isFinite else {
        throw TrainingError.diverged(step: step + 1, quantity: "gradient norm", value: norm)
      }
      if options.gradientClip > 0 && norm > options.gradientClip {
        let scale = options.gradientClip / norm
        for i in 0..<model.gradients.count { model.gradients[i] *= scale }
      }
      let rate = options.learningRate(at: step)
      optimizer.update(parameters: model.parameters, gradients: model.gradients, rate: rate, threads: model.threads)
      let done = step + 1
      summary.steps = done
      summary.tokens += tokensPerStep
      summary.finalLoss = loss
      var line = JSONObject([
        ("step", .int(done)), ("loss", .number(String(loss))), ("lr", .number(String(rate))),
        ("grad_norm", .number(String(norm))),
        ("tokens_per_s", .number(String(format: "%.1f", Double(tokensPerStep) / (clock.now - stepStart).seconds))),
        ("elapsed", .number(String(format: "%.3f", (clock.now - started).seconds))),
      ])
      if let evaluate, options.evalEvery > 0, done % options.evalEvery == 0 || done == options.steps {
        let evaluation = try evaluate()
        if let loss = evaluation.loss {
          line["val_loss"] = .number(String(loss))
          summary.finalValidationLoss = loss
        }
        if let bits = evaluation.bitsPerByte, bits.isFinite { line["val_bpb"] = .number(String(format: "%.6f", bits)) }
        if !evaluation.text.isEmpty {
          line["eval_bpb"] = .object(
            JSONObject(evaluation.text.map { ($0.name, .number(String(format: "%.6f", $0.bitsPerByte))) }))
          summary.finalEvalBitsPerByte = evaluation.text
        }
      }
      try metrics.append(line)
      log(JSONWriter.encode(.object(line)))
      if options.checkpointEvery > 0 && done % options.checkpointEvery == 0 || done == options.steps {
        let folder = Checkpoint.folder(run: runDirectory, step: done)
        try Checkpoint.save(
          model: model, optimizer: optimizer, step: done, randomState: random.state, endOfText: endOfText, to: folder)
        try AtomicFileOutput.write(tokenizerJSON, to: folder + "/tokenizer.json")
      }
    }
    summary.seconds = (clock.now - started).seconds
    summary.flops = Double(summary.tokens) * model.config.flopsPerToken
  }

  /// A new run folder: `runs/<name>` when a name is given (it must not exist yet), else
  /// `runs/<kind>-<UTC time>` (with a suffix when one started the same second).
  static func newRunDirectory(workspace: Workspace, kind: String, name: String? = nil) throws -> String {
    if let name {
      guard !name.isEmpty, !name.contains("/"), !name.hasPrefix(".") else {
        throw TrainingError.invalidOption("--run-name '\(name)' is not a folder name")
      }
      let folder = workspace.absolute("runs/" + name)
      guard !FileManager.default.fileExists(atPath: folder) else {
        throw TrainingError.runExists(folder: folder)
      }
      try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
      return folder
    }
    var now = time(nil)
    var parts = tm()
    gmtime_r(&now, &parts)
    let stamp = workspace.absolute(
      "runs/\(kind)-"
        + String(
          format: "%04d%02d%02d-%02d%02d%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour,
          parts.tm_min,
          parts.tm_sec))
    var candidate = stamp
    var suffix = 1
    while FileManager.default.fileExists(atPath: candidate) {
      suffix += 1
      candidate = stamp + "-\(suffix)"
    }
    try FileManager.default.createDirectory(atPath: candidate, withIntermediateDirectories: true)
    return candidate
  }
}

/// `metrics.jsonl`: one JSON object per step, appended and flushed as training goes.
final class Metrics {
  private let handle: FileHandle
  private let path: String

  init(path: String) throws {
    if !FileManager.default.fileExists(atPath: path) { _ = FileManager.default.createFile(atPath: path, contents: nil) }
    guard let handle = FileHandle(forWritingAtPath: path) else { throw HatcheryError.system("open", path: path) }
    try handle.seekToEnd()
    self.handle = handle
    self.path = path
  }

  func append(_ line: JSONObject) throws {
    do {
      try handle.write(contentsOf: Data((JSONWriter.encode(.object(line)) + "\n").utf8))
    } catch {
      throw HatcheryError.file("write", path: path, error)
    }
  }

  /// Drops the lines of steps after `step` (a resumed run writes them again).
  static func truncate(_ path: String, after step: Int) throws {
    guard let data = FileManager.default.contents(atPath: path) else { return }
    let kept = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { line in
      guard let value = try? JSONParser.parse(String(line)), let lineStep = value.objectValue?["step"]?.intValue else {
        return false
      }
      return lineStep <= step
    }
    try AtomicFileOutput.write(Array(kept.map { $0 + "\n" }.joined().utf8), to: path)
  }
}
