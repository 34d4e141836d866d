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

  @Option(help: "Transformer blocks.") var layers = 4
  @Option(help: "Attention heads.") var heads = 4
  @Option(help: "Width (embedding size).") var dim = 256
  @Option(help: "Context length in tokens.") var context = 256
  @Option(help: "Sequences per micro-batch.") var batch = 16
  @Option(help: "Tokens per optimizer step (a multiple of batch × context; gradient accumulation).") var batchTokens: Int?
  @Option(help: "Optimizer steps.") var steps = 200
  @Option(help: "Peak learning rate.") var lr: Float = 6e-4
  @Option(help: "Warm-up steps.") var warmup = 20
  @Option(help: "AdamW weight decay.") var weightDecay: Float = 0.1
  @Flag(help: "Also decay biases, layer norms and embeddings.") var decayAll = false
  @Option(help: "Clip the gradients' global norm to this (0: no clipping).") var gradClip: Float = 1.0
  @Option(help: "Evaluate on the val shards every N steps (0: never).") var evalEvery = 50
  @Option(help: "Batches per evaluation.") var evalBatches = 4
  @Option(help: "Checkpoint every N steps (and at the end).") var checkpointEvery = 100
  @Option(help: "Threads.") var threads = ProcessInfo.processInfo.activeProcessorCount
  @Option(help: "Seed of the initialisation and the data order.") var seed: UInt64 = 1337
  @Option(help: "A run directory to continue from its newest checkpoint.") var resume: String?

  var options: TrainOptions {
    var options = TrainOptions()
    options.layers = layers
    options.heads = heads
    options.channels = dim
    options.context = context
    options.batch = batch
    options.batchTokens = batchTokens
    options.steps = steps
    options.learningRate = lr
    options.warmup = warmup
    options.weightDecay = weightDecay
    options.decayAll = decayAll
    options.gradientClip = gradClip
    options.evalEvery = evalEvery
    options.evalBatches = evalBatches
    options.checkpointEvery = checkpointEvery
    options.threads = threads
    options.seed = seed
    return options
  }

  func validate() throws {
    try asUsageError {
      try options.validate()
      try GPTConfig(vocabularySize: 1, context: context, layers: layers, heads: heads, channels: dim).validate()
    }
  }

  func run() throws {
    stage.bootstrapLogging()
    let summary = try Trainer.train(workspace: try Workspace.open(at: stage.workspace), options: options, resume: resume)
    let achieved = summary.flops / max(summary.seconds, 1e-9)
    let peak = try GEMMPeak.flopsPerSecond(threads: threads)
    print(
      String(
        format: "train: %d steps, %d tokens in %.1f s (%.0f tokens/s), loss %@, val loss %@, %.3g FLOPs, %.1f GFLOP/s = %.0f%% of sgemm's peak (%.1f GFLOP/s, threads: %d); run %@",
        summary.steps, summary.tokens, summary.seconds, Double(summary.tokens) / max(summary.seconds, 1e-9),
        summary.finalLoss.map { String(format: "%.4f", $0) } ?? "-", summary.finalValidationLoss.map { String(format: "%.4f", $0) } ?? "-",
        summary.flops, achieved / 1e9, 100 * achieved / peak, peak / 1e9, threads, summary.runDirectory))
  }
}
