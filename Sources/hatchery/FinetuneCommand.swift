import ArgumentParser
import Foundation
import HatcheryCore
import StageArguments
import Training

struct FinetuneCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "finetune",
    abstract:
      "Supervised fine-tuning of a checkpoint on {prompt, response} or {messages} JSONL; loss on the responses only.",
    discussion: """
      The checkpoint's tokenizer gains <|system|>, <|user|>, <|assistant|> and <|end|>; each turn is <|role|> text <|end|>. \
      Writes runs/finetune-<time>/ like `hatchery train` (metrics.jsonl, step-NNNNN/ with tokenizer.json).
      """)

  @OptionGroup var stage: StageOptions
  @Option(help: "The checkpoint folder to start from (runs/<id>/step-NNNNN).") var from: String
  @OptionGroup(title: "Options a pipeline file may set") var arguments: FinetuneArguments
  @Option(help: "Name of the run's folder under runs/ (default finetune-<UTC time>).") var runName: String?

  func validate() throws {
    try asUsageError {
      try arguments.options.validate()
      try arguments.energy.options.validate()
    }
  }

  func run() throws {
    stage.bootstrapLogging()
    let summary = try FineTuner.finetune(
      workspace: try Workspace.open(at: stage.workspace), from: from, data: arguments.data, options: arguments.options,
      energy: arguments.energy.options,
      runName: runName)
    print("energy method: \(summary.energyMethod)" + (arguments.energy.embodied ? "; \(summary.embodiedMethod)" : ""))
    print(
      String(
        format:
          "finetune: %d steps, %d tokens in %.1f s, loss %@, val loss %@; %.6f kWh (%@), %.3f g CO2e (%@); run %@",
        summary.steps,
        summary.tokens, summary.seconds, summary.finalLoss.map { String(format: "%.4f", $0) } ?? "-",
        summary.finalValidationLoss.map { String(format: "%.4f", $0) } ?? "-", summary.kWh,
        summary.energyLabel
          + (arguments.energy.embodied
            ? String(format: "; embodied %.3f g CO2e, apart", summary.embodiedKg * 1000) : ""),
        summary.emissionsKg * 1000,
        summary.carbon, summary.runDirectory))
  }
}

struct SampleCommand: ParsableCommand {
  static let configuration = CommandConfiguration(commandName: "sample", abstract: "Generate text from a checkpoint.")

  @Option(help: "A checkpoint folder (runs/<id>/step-NNNNN).") var checkpoint: String
  @OptionGroup(title: "Options a pipeline file may set") var arguments: SampleArguments
  @Flag(help: "Wrap the prompt in the chat template of a fine-tuned checkpoint.") var chat = false

  func run() throws {
    print(
      try Sampler.sample(
        checkpoint: checkpoint, prompt: arguments.prompt, tokens: arguments.maxTokens,
        temperature: arguments.temperature,
        topK: arguments.topK, seed: arguments.seed, chat: chat, threads: arguments.threads))
  }
}
