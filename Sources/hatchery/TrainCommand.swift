import ArgumentParser
import Foundation
import HatcheryCore
import StageArguments
import Training

struct TrainCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "train",
    abstract: "Pre-train a GPT-2 on the workspace's shards (float32, OpenBLAS); checkpoints load in transformers.",
    discussion: """
      Writes runs/<id>/metrics.jsonl (step, loss, val_loss, lr, grad_norm, tokens_per_s, elapsed) and checkpoints \
      runs/<id>/step-NNNNN/ (model.safetensors, config.json, optimizer.bin). --resume RUN_DIR continues a run from its \
      newest checkpoint; with the same --threads it repeats the uninterrupted run's losses exactly.
      """)

  @OptionGroup var stage: StageOptions
  @OptionGroup(title: "Options a pipeline file may set") var arguments: TrainArguments
  @Option(help: "A run directory to continue from its newest checkpoint.") var resume: String?
  @Option(help: "Name of the new run's folder under runs/ (default pretrain-<UTC time>).") var runName: String?

  func options() throws -> TrainOptions { try arguments.options(resume: resume) }

  func validate() throws {
    try asUsageError {
      let options = try options()
      try options.validate()
      try GPTConfig(
        vocabularySize: 1, context: options.context, layers: options.layers, heads: options.heads,
        channels: options.channels
      )
      .validate()
      try arguments.energy.options.validate()
    }
  }

  func run() throws {
    stage.bootstrapLogging()
    let options = try options()
    let summary = try Trainer.train(
      workspace: try Workspace.open(at: stage.workspace), options: options, energy: arguments.energy.options,
      resume: resume,
      runName: runName)
    let achieved = summary.achievedFLOPS
    let peak = max(summary.peakFLOPS, 1)
    print("energy method: \(summary.energyMethod)" + (arguments.energy.embodied ? "; \(summary.embodiedMethod)" : ""))
    print(
      String(
        format:
          "train: %d steps, %d tokens in %.1f s (%.0f tokens/s), loss %@, val loss %@; %.6f kWh (%@; metering took %.1f ms), %.3f g CO2e (%@); "
          + "%.3g FLOPs, %.1f GFLOP/s = %.0f%% of sgemm's peak (%.1f GFLOP/s, threads: %d); forecast %@; run %@",
        summary.steps, summary.tokens, summary.seconds, Double(summary.tokens) / max(summary.seconds, 1e-9),
        summary.finalLoss.map { String(format: "%.4f", $0) } ?? "-",
        summary.finalValidationLoss.map { String(format: "%.4f", $0) } ?? "-",
        summary.kWh,
        summary.energyLabel
          + (arguments.energy.embodied
            ? String(format: "; embodied %.3f g CO2e, apart", summary.embodiedKg * 1000) : ""),
        summary.meteringSeconds * 1000, summary.emissionsKg * 1000, summary.carbon, summary.flops, achieved / 1e9,
        100 * achieved / peak,
        peak / 1e9, options.threads, summary.forecastSeconds.map { String(format: "%.1f s", $0) } ?? "none",
        summary.runDirectory))
    for (name, bits) in summary.finalEvalBitsPerByte {
      print(String(format: "eval %@: %.4f bits per byte", name, bits))
    }
  }
}
