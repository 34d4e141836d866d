import ArgumentParser
import Foundation
import HatcheryCore
import Training

struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Pre-train a GPT-2 on the workspace's shards (float32, OpenBLAS); checkpoints load in transformers.",
    discussion: """
      Writes runs/<id>/metrics.jsonl (step, loss, val_loss, lr, grad_norm, tokens_per_s, elapsed) and checkpoints
      runs/<id>/step-NNNNN/ (model.safetensors, config.json, optimizer.bin). --resume RUN_DIR continues a run from its
      newest checkpoint; with the same --threads it repeats the uninterrupted run's losses exactly.
      """)

  @OptionGroup var stage: StageOptions
  @OptionGroup var energy: EnergyArguments

  @Option(help: "A YAML file of these options (snake case); options given here override it.") var config: String?
  @Option(help: "Transformer blocks (default 4).") var layers: Int?
  @Option(help: "Attention heads (default 4).") var heads: Int?
  @Option(help: "Width, the embedding size (default 256).") var dim: Int?
  @Option(help: "Context length in tokens (default 256).") var context: Int?
  @Option(help: "Sequences per micro-batch (default 16).") var batch: Int?
  @Option(help: "Tokens per optimizer step (a multiple of batch × context; gradient accumulation).") var batchTokens: Int?
  @Option(help: "Optimizer steps (default 200).") var steps: Int?
  @Option(help: "Peak learning rate (default 6e-4).") var lr: Float?
  @Option(help: "Warm-up steps (default 20).") var warmup: Int?
  @Option(help: "AdamW weight decay (default 0.1).") var weightDecay: Float?
  @Flag(help: "Also decay biases, layer norms and embeddings.") var decayAll = false
  @Option(help: "Clip the gradients' global norm to this; 0: no clipping (default 1).") var gradClip: Float?
  @Option(help: "Evaluate on the val shards every N steps; 0: never (default 50).") var evalEvery: Int?
  @Option(help: "Batches per evaluation (default 4).") var evalBatches: Int?
  @Option(help: "Checkpoint every N steps, and at the end (default 100).") var checkpointEvery: Int?
  @Option(help: "Threads (default: every core).") var threads: Int?
  @Option(help: "Seed of the initialisation and the data order (default 1337).") var seed: UInt64?
  @Option(help: "A run directory to continue from its newest checkpoint.") var resume: String?
  @Option(help: "Name of the new run's folder under runs/ (default pretrain-<UTC time>).") var runName: String?

  /// Defaults, then (with --resume) the run's own options, then the --config file, then the
  /// options given on the command line.
  func options() throws -> TrainOptions {
    var options = TrainOptions()
    options.threads = ProcessInfo.processInfo.activeProcessorCount
    if let resume { try options.apply(runConfigurationOf: Workspace.absolutePath(resume)) }
    if let config { try options.apply(configurationAt: config) }
    if let layers { options.layers = layers }
    if let heads { options.heads = heads }
    if let dim { options.channels = dim }
    if let context { options.context = context }
    if let batch { options.batch = batch }
    if let batchTokens { options.batchTokens = batchTokens }
    if let steps { options.steps = steps }
    if let lr { options.learningRate = lr }
    if let warmup { options.warmup = warmup }
    if let weightDecay { options.weightDecay = weightDecay }
    if decayAll { options.decayAll = true }
    if let gradClip { options.gradientClip = gradClip }
    if let evalEvery { options.evalEvery = evalEvery }
    if let evalBatches { options.evalBatches = evalBatches }
    if let checkpointEvery { options.checkpointEvery = checkpointEvery }
    if let threads { options.threads = threads }
    if let seed { options.seed = seed }
    return options
  }

  func validate() throws {
    try asUsageError {
      let options = try options()
      try options.validate()
      try GPTConfig(vocabularySize: 1, context: options.context, layers: options.layers, heads: options.heads, channels: options.channels)
        .validate()
      try energy.options.validate()
    }
  }

  func run() throws {
    stage.bootstrapLogging()
    let options = try options()
    let summary = try Trainer.train(
      workspace: try Workspace.open(at: stage.workspace), options: options, energy: energy.options, resume: resume,
      runName: runName)
    let achieved = summary.achievedFLOPS
    let peak = max(summary.peakFLOPS, 1)
    print(
      String(
        format: "train: %d steps, %d tokens in %.1f s (%.0f tokens/s), loss %@, val loss %@; %.6f kWh (%@; metering took %.1f ms), %.3f g CO2e (%@); "
          + "%.3g FLOPs, %.1f GFLOP/s = %.0f%% of sgemm's peak (%.1f GFLOP/s, threads: %d); run %@",
        summary.steps, summary.tokens, summary.seconds, Double(summary.tokens) / max(summary.seconds, 1e-9),
        summary.finalLoss.map { String(format: "%.4f", $0) } ?? "-", summary.finalValidationLoss.map { String(format: "%.4f", $0) } ?? "-",
        summary.kWh, summary.energyMethod, summary.meteringSeconds * 1000, summary.emissionsKg * 1000, summary.carbon, summary.flops, achieved / 1e9, 100 * achieved / peak,
        peak / 1e9, options.threads, summary.runDirectory))
  }
}
