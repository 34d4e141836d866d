import Foundation
import HatcheryCore
import Shards

/// `hatchery train`: pre-trains a GPT-2 on the workspace's shards. Each step draws random
/// windows of context + 1 tokens from the train shards (seeded), accumulates gradients to the
/// target batch, clips their global norm, and takes an AdamW step on the warm-up + cosine
/// schedule. Metrics go to `runs/<id>/metrics.jsonl`, checkpoints to `runs/<id>/step-NNNNN/`, the
/// run to the store's `training_runs`. A resumed run continues from its newest checkpoint and,
/// for the same thread count, repeats the uninterrupted run's losses exactly.
public enum Trainer {
  public struct Summary: Sendable {
    public var runDirectory: String
    public var steps = 0
    public var tokens = 0
    public var finalLoss: Float?
    public var finalValidationLoss: Float?
    public var seconds = 0.0
    public var flops = 0.0
  }

  public static func train(
    workspace: Workspace, options: TrainOptions, resume: String? = nil, log: (String) -> Void = { print($0) }
  ) throws -> Summary {
    try options.validate()
    let store = try workspace.openStore()
    let trainData = try ShardDataset(workspace: workspace, split: "train")
    let validationData = try? ShardDataset(workspace: workspace, split: "val")
    let config = GPTConfig(
      vocabularySize: trainData.manifest.vocabularySize, context: options.context, layers: options.layers, heads: options.heads,
      channels: options.channels)
    try config.validate()
    let model = try GPT(config: config, batch: options.batch, sequence: options.context, threads: options.threads)
    let optimizer = AdamW(model: model, weightDecay: options.weightDecay, decayAll: options.decayAll)
    let configuration = StageConfig(
      JSONObject(options.json.members + [("shards_tokenizer", .string(trainData.manifest.tokenizerSHA256))]))

    var startStep = 0
    var random = SplitMix64(seed: options.seed)
    let runDirectory: String
    if let resume {
      runDirectory = Workspace.absolutePath(resume)
      guard let latest = Checkpoint.latest(in: runDirectory) else {
        throw HatcheryError("\(runDirectory): no complete checkpoint to resume from")
      }
      let restored = try Checkpoint.load(from: latest.folder, model: model, optimizer: optimizer)
      startStep = restored.step
      random = SplitMix64(seed: restored.randomState)
      try Metrics.truncate(runDirectory + "/metrics.jsonl", after: startStep)
      log("resuming \(runDirectory) from step \(startStep)")
    } else {
      // A second run started within the same second gets a suffix.
      let stamp = workspace.absolute("runs/pretrain-" + Self.runStamp())
      var candidate = stamp
      var suffix = 1
      while FileManager.default.fileExists(atPath: candidate) {
        suffix += 1
        candidate = stamp + "-\(suffix)"
      }
      runDirectory = candidate
      try FileManager.default.createDirectory(atPath: runDirectory, withIntermediateDirectories: true)
      model.initializeParameters(seed: options.seed)
    }
    let runID = (runDirectory as NSString).lastPathComponent
    try AtomicFileOutput.write(Array((configuration.json + "\n").utf8), to: runDirectory + "/train-config.json")
    try store.beginTrainingRun(
      id: runID, kind: "pretrain", runDirectory: runDirectory, parent: nil, config: configuration.json, configHash: configuration.hash)
    log("run \(runDirectory): \(config.parameterCount) parameters, \(trainData.tokens) train tokens, \(options.steps) steps of \(options.batch * options.context * options.accumulation) tokens")

    let metrics = try Metrics(path: runDirectory + "/metrics.jsonl")
    var summary = Summary(runDirectory: runDirectory)
    let tokensPerStep = options.batch * options.context * options.accumulation
    let clock = ContinuousClock()
    let started = clock.now
    var window = [UInt32](repeating: 0, count: options.context + 1)
    var lastLoss: Float?
    var lastValidationLoss: Float?
    do {
      for step in startStep..<options.steps {
        let stepStart = clock.now
        model.zeroGradients()
        var loss: Float = 0
        for _ in 0..<options.accumulation {
          for b in 0..<options.batch {
            try window.withUnsafeMutableBufferPointer { buffer in
              try trainData.randomWindow(length: options.context + 1, into: buffer.baseAddress!) { Int(random.next() % UInt64($0)) }
            }
            for t in 0..<options.context {
              model.inputs[b * options.context + t] = Int32(window[t])
              model.targets[b * options.context + t] = Int32(window[t + 1])
            }
          }
          loss += model.forward() / Float(options.accumulation)
          model.backward()
        }
        guard loss.isFinite else {
          throw HatcheryError("step \(step + 1): the loss is \(loss); training stopped, the last good checkpoint is kept (try a lower --lr)")
        }
        if options.accumulation > 1 {
          let scale = 1 / Float(options.accumulation)
          for i in 0..<model.gradients.count { model.gradients[i] *= scale }
        }
        var squares: Double = 0
        for g in model.gradients { squares += Double(g) * Double(g) }
        let norm = Float(squares.squareRoot())
        guard norm.isFinite else { throw HatcheryError("step \(step + 1): the gradient norm is \(norm); training stopped, the last good checkpoint is kept") }
        if options.gradientClip > 0 && norm > options.gradientClip {
          let scale = options.gradientClip / norm
          for i in 0..<model.gradients.count { model.gradients[i] *= scale }
        }
        let rate = options.learningRate(at: step)
        optimizer.update(parameters: model.parameters, gradients: model.gradients, rate: rate)
        lastLoss = loss
        let done = step + 1
        summary.steps = done
        summary.tokens += tokensPerStep
        var line = JSONObject([
          ("step", .int(done)), ("loss", .number(String(loss))), ("lr", .number(String(rate))), ("grad_norm", .number(String(norm))),
          ("tokens_per_s", .number(String(format: "%.1f", Double(tokensPerStep) / (clock.now - stepStart).seconds))),
          ("elapsed", .number(String(format: "%.3f", (clock.now - started).seconds))),
        ])
        if let validationData, options.evalEvery > 0, done % options.evalEvery == 0 || done == options.steps {
          let validation = try evaluate(model, validationData, batches: options.evalBatches)
          line["val_loss"] = .number(String(validation))
          lastValidationLoss = validation
        }
        try metrics.append(line)
        log(JSONWriter.encode(.object(line)))
        if options.checkpointEvery > 0 && done % options.checkpointEvery == 0 || done == options.steps {
          try Checkpoint.save(model: model, optimizer: optimizer, step: done, randomState: random.state, to: Checkpoint.folder(run: runDirectory, step: done))
        }
      }
    } catch {
      summary.seconds = (clock.now - started).seconds
      try? store.finishTrainingRun(
        id: runID, status: "failed", steps: summary.steps, tokens: summary.tokens, finalLoss: lastLoss.map(Double.init),
        finalValidationLoss: lastValidationLoss.map(Double.init), flops: Double(summary.tokens) * config.flopsPerToken)
      throw error
    }
    summary.seconds = (clock.now - started).seconds
    summary.finalLoss = lastLoss
    summary.finalValidationLoss = lastValidationLoss
    summary.flops = Double(summary.tokens) * config.flopsPerToken
    try store.finishTrainingRun(
      id: runID, status: "completed", steps: options.steps, tokens: summary.tokens, finalLoss: lastLoss.map(Double.init),
      finalValidationLoss: lastValidationLoss.map(Double.init), flops: summary.flops)
    return summary
  }

  /// Mean loss over the first `batches` batches of sequential windows of the validation split.
  static func evaluate(_ model: GPT, _ data: ShardDataset, batches: Int) throws -> Float {
    let (B, T) = (model.batch, model.sequence)
    var filled = 0
    var total: Float = 0
    var evaluated = 0
    try data.forEachSequentialWindow(length: T + 1) { window in
      for t in 0..<T {
        model.inputs[filled * T + t] = Int32(window[t])
        model.targets[filled * T + t] = Int32(window[t + 1])
      }
      filled += 1
      if filled == B {
        total += model.forward()
        evaluated += 1
        filled = 0
      }
      return evaluated < batches
    }
    if evaluated == 0 && filled > 0 {
      for row in filled * T..<B * T { model.targets[row] = CrossEntropy.ignored }
      total = model.forward()
      evaluated = 1
    }
    return evaluated > 0 ? total / Float(evaluated) : .nan
  }

  static func runStamp() -> String {
    var now = time(nil)
    var parts = tm()
    gmtime_r(&now, &parts)
    return String(
      format: "%04d%02d%02d-%02d%02d%02d", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday, parts.tm_hour, parts.tm_min, parts.tm_sec)
  }
}

/// `metrics.jsonl`: one JSON object per step, appended and flushed as training goes.
final class Metrics {
  private let handle: FileHandle

  init(path: String) throws {
    if !FileManager.default.fileExists(atPath: path) { FileManager.default.createFile(atPath: path, contents: nil) }
    guard let handle = FileHandle(forWritingAtPath: path) else { throw HatcheryError.system("open", path: path) }
    try handle.seekToEnd()
    self.handle = handle
  }

  func append(_ line: JSONObject) throws {
    try handle.write(contentsOf: Data((JSONWriter.encode(.object(line)) + "\n").utf8))
  }

  /// Drops the lines of steps after `step` (a resumed run writes them again).
  static func truncate(_ path: String, after step: Int) throws {
    guard let data = FileManager.default.contents(atPath: path) else { return }
    let kept = String(decoding: data, as: UTF8.self).split(separator: "\n").filter { line in
      guard let value = try? JSONParser.parse(String(line)), let lineStep = value.objectValue?["step"]?.intValue else { return false }
      return lineStep <= step
    }
    try AtomicFileOutput.write(Array(kept.map { $0 + "\n" }.joined().utf8), to: path)
  }
}
