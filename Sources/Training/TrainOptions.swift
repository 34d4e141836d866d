import Foundation
import HatcheryCore

/// What `hatchery train` trains and how.
public struct TrainOptions: Sendable {
  public var layers = 4
  public var heads = 4
  public var channels = 256
  public var context = 256
  public var batch = 16
  /// Tokens per optimizer step; a multiple of batch × context, reached by gradient accumulation.
  public var batchTokens: Int?
  public var steps = 200
  public var learningRate: Float = 6e-4
  /// The cosine decay ends at this fraction of the peak rate.
  public var minimumLearningRateFraction: Float = 0.1
  public var warmup = 20
  public var weightDecay: Float = 0.1
  /// Also decay biases, layer norms and embeddings.
  public var decayAll = false
  public var gradientClip: Float = 1.0
  public var evalEvery = 50
  public var evalBatches = 4
  /// Held-out text scored in bits per byte at every evaluation (files or folders, each a set
  /// named after it: EvaluationSet), up to `evalTextBytes` bytes of each: a fixed sample.
  public var evalTexts: [String] = []
  public var evalTextBytes = 262_144
  public var checkpointEvery = 100
  public var threads = 1
  public var seed: UInt64 = 1337

  public init() {}

  /// Model and budget presets for CPUs: each learns visibly in its time on a 2-core machine
  /// (docs/benchmarks.md has the measured times). Options given beside a preset override it.
  public enum Preset: String, CaseIterable, Sendable {
    /// ~20 s: 2 blocks of 128, context 64, 300 steps of 1,024 tokens; enough to check a pipeline.
    case cpuTiny = "cpu-tiny"
    /// ~2 min: 4 blocks of 128, context 128, 500 steps of 2,048 tokens (1 M tokens); the
    /// ablation benchmark's model.
    case cpuSmall = "cpu-small"
    /// ~5 min: 4 blocks of 128, context 128, 1,500 steps of 2,048 tokens (3 M tokens); the
    /// quickstart's.
    case cpuMedium = "cpu-medium"
  }

  public mutating func apply(preset: Preset) {
    switch preset {
    case .cpuTiny:
      (layers, heads, channels, context, batch, steps) = (2, 4, 128, 64, 16, 300)
      (learningRate, warmup, evalEvery) = (3e-3, 20, 50)
    case .cpuSmall:
      (layers, heads, channels, context, batch, steps) = (4, 4, 128, 128, 16, 500)
      (learningRate, warmup, evalEvery) = (3e-3, 50, 125)
    case .cpuMedium:
      (layers, heads, channels, context, batch, steps) = (4, 4, 128, 128, 16, 1500)
      (learningRate, warmup, evalEvery) = (3e-3, 100, 250)
    }
    batchTokens = nil
    minimumLearningRateFraction = 0.1
  }

  var accumulation: Int { (batchTokens ?? batch * context) / (batch * context) }

  public func validate() throws {
    guard steps >= 1, batch >= 1, context >= 2, threads >= 1 else {
      throw TrainingError.invalidOption("--steps, --batch, --threads must be at least 1 and --context at least 2")
    }
    guard learningRate > 0, warmup >= 0, evalEvery >= 0, checkpointEvery >= 0, evalBatches >= 1, evalTextBytes >= 1
    else {
      throw TrainingError.invalidOption(
        "--lr must be positive; --warmup, --eval-every and --checkpoint-every at least 0; --eval-batches and --eval-text-bytes at least 1"
      )
    }
    if let batchTokens {
      guard batchTokens > 0, batchTokens % (batch * context) == 0 else {
        throw TrainingError.invalidOption(
          "--batch-tokens \(batchTokens) must be a multiple of batch × context (\(batch * context))")
      }
    }
  }

  /// Linear warm-up to the peak over `warmup` steps, then cosine decay to the minimum at the last
  /// step. `step` counts from 0.
  public func learningRate(at step: Int) -> Float {
    if step < warmup { return learningRate * Float(step + 1) / Float(warmup) }
    let minimum = learningRate * minimumLearningRateFraction
    guard steps > warmup + 1 else { return learningRate }
    let progress = Float(step - warmup) / Float(steps - warmup - 1)
    return minimum + 0.5 * (learningRate - minimum) * (1 + cosf(Float.pi * min(1, progress)))
  }

  var json: JSONObject {
    JSONObject([
      ("layers", .int(layers)), ("heads", .int(heads)), ("dim", .int(channels)), ("context", .int(context)),
      ("batch", .int(batch)),
      ("batch_tokens", .int(batchTokens ?? batch * context)), ("steps", .int(steps)),
      ("lr", .number(String(learningRate))),
      ("min_lr_fraction", .number(String(minimumLearningRateFraction))), ("warmup", .int(warmup)),
      ("weight_decay", .number(String(weightDecay))), ("decay_all", .bool(decayAll)),
      ("grad_clip", .number(String(gradientClip))),
      ("eval_every", .int(evalEvery)), ("eval_batches", .int(evalBatches)),
      ("eval_text", .array(evalTexts.map { .string($0) })), ("eval_text_bytes", .int(evalTextBytes)),
      ("checkpoint_every", .int(checkpointEvery)),
      ("threads", .int(threads)), ("seed", .number(String(seed))),
    ])
  }
}
