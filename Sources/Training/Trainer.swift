import Accounting
import Foundation
import HatcheryCore
import Shards
import Tokenizer

/// `hatchery train`: pre-trains a GPT-2 on the workspace's shards. Each step draws random
/// windows of context + 1 tokens from the train shards (seeded); the loop (TrainingLoop)
/// accumulates, clips and applies AdamW. Metrics go to `runs/<id>/metrics.jsonl`, checkpoints to
/// `runs/<id>/step-NNNNN/`, the run to the store's `training_runs`. A resumed run continues from
/// its newest checkpoint and, for the same thread count, repeats the uninterrupted run's losses
/// exactly.
public enum Trainer {
  public struct Summary: Sendable {
    public var runDirectory: String
    public var steps = 0
    public var tokens = 0
    public var finalLoss: Float?
    public var finalValidationLoss: Float?
    /// Bits per byte of each `--eval-text` set at the last evaluation.
    public var finalEvalBitsPerByte: [(name: String, bitsPerByte: Double)] = []
    public var seconds = 0.0
    public var flops = 0.0
    /// Energy of the run (facility energy: IT energy × PUE), its emissions, and how each was
    /// obtained.
    public var kWh = 0.0
    public var emissionsKg = 0.0
    public var energyMethod = ""
    /// A few words for `energyMethod`.
    public var energyLabel = ""
    /// The hardware's manufacturing footprint charged to the run (kg CO2e), apart from
    /// `emissionsKg`, and how it was estimated.
    public var embodiedKg = 0.0
    public var embodiedMethod = ""
    /// CPU time the energy sampler took.
    public var meteringSeconds = 0.0
    /// Achieved FLOP/s and the machine's sgemm peak for the run's thread count.
    public var achievedFLOPS = 0.0
    public var peakFLOPS = 0.0
    public var carbon = ""
    /// The wall time `hatchery plan` forecast at the start (nil without a sgemm peak).
    public var forecastSeconds: Double?
  }

  public static func train(
    workspace: Workspace, options: TrainOptions, energy: EnergyOptions = EnergyOptions(), resume: String? = nil,
    runName: String? = nil, log: (String) -> Void = { print($0) }
  ) throws -> Summary {
    try options.validate()
    let store = try workspace.openStore()
    let trainData = try ShardDataset(workspace: workspace, split: "train", threads: options.threads)
    // No validation split means no evaluation; a damaged one is an error, not a silent skip.
    let validationData =
      trainData.manifest.shards.contains { $0.split == "val" }
      ? try ShardDataset(workspace: workspace, split: "val") : nil
    let tokenizerPath = workspace.absolute(trainData.manifest.tokenizerPath)
    let tokenizerJSON = try Array(Data(contentsOf: URL(fileURLWithPath: tokenizerPath)))
    let tokenizer = try HuggingFaceTokenizerFile.decode(tokenizerJSON, path: tokenizerPath)
    // Loaded before anything is written, so a missing set fails the command at once.
    let evalSets = try options.evalTexts.map { path in
      try EvaluationSet.load(name: EvaluationSet.parse(path).name, path: path).prefix(bytes: options.evalTextBytes)
    }
    let config = GPTConfig(
      vocabularySize: trainData.manifest.vocabularySize, context: options.context, layers: options.layers,
      heads: options.heads,
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
        throw TrainingError.noCheckpoint(run: runDirectory)
      }
      try checkResumable(runDirectory, options: options, shardsTokenizer: trainData.manifest.tokenizerSHA256)
      let restored = try Checkpoint.load(from: latest.folder, model: model, optimizer: optimizer)
      startStep = restored.step
      random = SplitMix64(seed: restored.randomState)
      try Metrics.truncate(runDirectory + "/metrics.jsonl", after: startStep)
      log("resuming \(runDirectory) from step \(startStep)")
    } else {
      runDirectory = try TrainingLoop.newRunDirectory(workspace: workspace, kind: "pretrain", name: runName)
      model.initializeParameters(seed: options.seed)
    }
    let runID = (runDirectory as NSString).lastPathComponent
    try AtomicFileOutput.write(Array((configuration.json + "\n").utf8), to: runDirectory + "/train-config.json")
    try store.beginTrainingRun(
      id: runID, kind: "pretrain", runDirectory: runDirectory, parent: nil, config: configuration.json,
      configHash: configuration.hash)
    log(
      "run \(runDirectory): \(config.parameterCount) parameters, \(trainData.tokens) train tokens, \(options.steps) steps of \(options.batch * options.context * options.accumulation) tokens"
    )

    var windows = [UInt32](repeating: 0, count: options.batch * (options.context + 1))
    let loop = TrainingLoop(
      model: model, optimizer: optimizer, options: options, runDirectory: runDirectory, tokenizerJSON: tokenizerJSON,
      endOfText: trainData.manifest.endOfText, store: store,
      runID: runID, energy: energy)
    return try loop.run(
      from: startStep, random: &random,
      fillBatch: { random in
        let length = options.context + 1
        try windows.withUnsafeMutableBufferPointer { buffer in
          try trainData.randomWindows(count: options.batch, length: length, into: buffer.baseAddress!) {
            Int(random.next() % UInt64($0))
          }
        }
        for b in 0..<options.batch {
          for t in 0..<options.context {
            model.inputs[b * options.context + t] = Int32(windows[b * length + t])
            model.targets[b * options.context + t] = Int32(windows[b * length + t + 1])
          }
        }
      },
      evaluate: validationData == nil && evalSets.isEmpty
        ? nil
        : {
          var evaluation = TrainingLoop.Evaluation()
          if let validationData {
            (evaluation.loss, evaluation.bitsPerByte) = try evaluate(
              model, validationData, batches: options.evalBatches, tokenizer: tokenizer)
          }
          if !evalSets.isEmpty {
            let evaluator = try TextEvaluator(model: model, tokenizer: tokenizer)
            evaluation.text = evalSets.map { ($0.name, evaluator.evaluate($0).total.bitsPerByte) }
          }
          return evaluation
        }, log: log)
  }

  /// Refuses to resume a run with options that change its model's shape, or on shards made
  /// with another tokenizer, naming what differs (the checkpoint could not be loaded, or would
  /// be trained on other token ids).
  static func checkResumable(_ runDirectory: String, options: TrainOptions, shardsTokenizer: String) throws {
    var saved = TrainOptions()
    try saved.apply(runConfigurationOf: runDirectory)
    let pairs = [
      ("layers", options.layers, saved.layers), ("heads", options.heads, saved.heads),
      ("dim", options.channels, saved.channels), ("context", options.context, saved.context),
    ]
    if let (name, given, own) = pairs.first(where: { $0.1 != $0.2 }) {
      throw TrainingError.notResumable(
        run: runDirectory,
        reason:
          "--\(name) \(given) differs from the run's \(own) (train-config.json); a resumed run keeps its model's shape: "
          + "leave --\(name) out to take the run's, or start a new run")
    }
    let savedConfig = try? JSONParser.parse(
      String(
        decoding: FileManager.default.contents(atPath: runDirectory + "/train-config.json") ?? Data(), as: UTF8.self))
    if let tokenizer = savedConfig?.objectValue?["shards_tokenizer"]?.stringValue, tokenizer != shardsTokenizer {
      throw TrainingError.notResumable(
        run: runDirectory,
        reason:
          "the run was trained on shards of tokenizer \(tokenizer.prefix(12)), the workspace's shards are of \(shardsTokenizer.prefix(12)); start a new run"
      )
    }
  }

  /// Mean loss over the first `batches` batches of sequential windows of the validation split,
  /// and the same loss in bits per byte (TextEvaluator.evaluate(shards:)).
  static func evaluate(_ model: GPT, _ data: ShardDataset, batches: Int, tokenizer: Tokenizer) throws -> (
    loss: Float, bitsPerByte: Double
  ) {
    let tally = try TextEvaluator(model: model, tokenizer: tokenizer).evaluate(shards: data, batches: batches)
    return (Float(tally.lossPerToken), tally.bitsPerByte)
  }
}
