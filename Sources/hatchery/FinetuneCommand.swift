import ArgumentParser
import Foundation
import HatcheryCore
import Training

struct FinetuneCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "finetune",
    abstract: "Supervised fine-tuning of a checkpoint on {prompt, response} or {messages} JSONL; loss on the responses only.",
    discussion: """
      The checkpoint's tokenizer gains <|system|>, <|user|>, <|assistant|> and <|end|>; each turn is <|role|> text <|end|>.
      Writes runs/finetune-<time>/ like `hatchery train` (metrics.jsonl, step-NNNNN/ with tokenizer.json).
      """)

  @OptionGroup var stage: StageOptions
  @OptionGroup var energy: EnergyArguments
  @Option(help: "The checkpoint folder to start from (runs/<id>/step-NNNNN).") var from: String
  @Option(help: "A JSONL file of examples.") var data: String
  @Option(help: "Optimizer steps.") var steps = 100
  @Option(help: "Examples per micro-batch.") var batch = 8
  @Option(help: "Tokens per example (at most the model's context).") var context = 256
  @Option(help: "Peak learning rate.") var lr: Float = 1e-4
  @Option(help: "Warm-up steps.") var warmup = 10
  @Option(help: "AdamW weight decay.") var weightDecay: Float = 0
  @Option(help: "Evaluate on the held-out examples every N steps (0: never).") var evalEvery = 25
  @Option(help: "Checkpoint every N steps (and at the end).") var checkpointEvery = 100
  @Option(help: "Threads.") var threads = ProcessInfo.processInfo.activeProcessorCount
  @Option(help: "Seed of the example order.") var seed: UInt64 = 1337
  @Option(help: "Name of the run's folder under runs/ (default finetune-<UTC time>).") var runName: String?

  var options: TrainOptions {
    var options = TrainOptions()
    options.steps = steps
    options.batch = batch
    options.context = context
    options.learningRate = lr
    options.warmup = warmup
    options.weightDecay = weightDecay
    options.evalEvery = evalEvery
    options.checkpointEvery = checkpointEvery
    options.threads = threads
    options.seed = seed
    return options
  }

  func validate() throws {
    try asUsageError {
      try options.validate()
      try energy.options.validate()
    }
  }

  func run() throws {
    stage.bootstrapLogging()
    let summary = try FineTuner.finetune(
      workspace: try Workspace.open(at: stage.workspace), from: from, data: data, options: options, energy: energy.options,
      runName: runName)
    print(
      String(
        format: "finetune: %d steps, %d tokens in %.1f s, loss %@, val loss %@; %.6f kWh (%@), %.3f g CO2e (%@); run %@", summary.steps,
        summary.tokens, summary.seconds, summary.finalLoss.map { String(format: "%.4f", $0) } ?? "-",
        summary.finalValidationLoss.map { String(format: "%.4f", $0) } ?? "-", summary.kWh, summary.energyMethod, summary.emissionsKg * 1000,
        summary.carbon, summary.runDirectory))
  }
}

struct SampleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "sample", abstract: "Generate text from a checkpoint.")

  @Option(help: "A checkpoint folder (runs/<id>/step-NNNNN).") var checkpoint: String
  @Option(help: "Text to continue (or, with --chat, the user's message).") var prompt = ""
  @Option(help: "Tokens to generate at most.") var maxTokens = 64
  @Option(help: "Softmax temperature; 0 picks the most likely token.") var temperature: Float = 0.8
  @Option(help: "Draw from the K most likely tokens.") var topK = 40
  @Option(help: "Seed.") var seed: UInt64 = 1
  @Flag(help: "Wrap the prompt in the chat template of a fine-tuned checkpoint.") var chat = false
  @Option(help: "Threads.") var threads = ProcessInfo.processInfo.activeProcessorCount

  func run() throws {
    print(
      try Sampler.sample(
        checkpoint: checkpoint, prompt: prompt, tokens: maxTokens, temperature: temperature, topK: topK, seed: seed, chat: chat,
        threads: threads))
  }
}
