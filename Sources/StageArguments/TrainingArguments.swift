import Accounting
import ArgumentParser
import Foundation
import HatcheryCore
import Training

/// The metering options of `train` and `finetune`.
public struct EnergyArguments: PipelineArguments {
  @Option(help: "Grid country, ISO 3166-1 alpha-3 (e.g. FRA, USA); default: the world average.") public var country:
    String?
  @Option(help: "Grid carbon intensity in g CO2e/kWh, instead of the country's.") public var carbonIntensity: Double?
  @Option(help: "Power usage effectiveness of the data centre.") public var pue = 1.0
  @Option(
    help: """
      CPU watts × the process's CPU share when no meter can be read (default: in a VM or container, CCF's per-vCPU watts of \
      the processor family; on bare metal, the CPU's TDP from the table, else 85).
      """)
  public var cpuWatts: Double?
  @Option(help: "Memory watts instead of the W/GB estimate of resident memory.") public var ramWatts: Double?
  @Flag(
    help:
      "Report the run's embodied emissions (its hardware's manufacturing footprint, amortised) beside the operational.")
  public var embodied = false
  @Option(help: "Seconds between energy samples.") public var energyInterval = 1.0

  public init() {}

  public var options: EnergyOptions {
    var options = EnergyOptions()
    options.country = country
    options.carbonIntensity = carbonIntensity
    options.pue = pue
    options.cpuWatts = cpuWatts
    options.ramWatts = ramWatts
    options.interval = energyInterval
    options.embodied = embodied
    return options
  }
}

/// `hatchery train`'s options that a pipeline file may set (the runner sets `--resume`).
public struct TrainArguments: PipelineArguments {
  public static var fileOptions: Set<String> { ["config"] }

  @OptionGroup(title: "Energy") public var energy: EnergyArguments
  @Option(help: "A YAML file of these options (snake case); options given here override it.") public var config: String?
  @Option(
    help:
      "A model and budget for CPUs: cpu-tiny (0.3 M tokens, ~20 s on 2 cores), cpu-small (1 M tokens, ~2 min), cpu-medium (3 M tokens, ~5 min); options given beside it override it."
  )
  public var preset: String?
  @Option(help: "Transformer blocks (default 4).") public var layers: Int?
  @Option(help: "Attention heads (default 4).") public var heads: Int?
  @Option(help: "Width, the embedding size (default 256).") public var dim: Int?
  @Option(help: "Context length in tokens (default 256).") public var context: Int?
  @Option(help: "Sequences per micro-batch (default 16).") public var batch: Int?
  @Option(help: "Tokens per optimizer step (a multiple of batch × context; gradient accumulation).") public
    var batchTokens: Int?
  @Option(help: "Optimizer steps (default 200).") public var steps: Int?
  @Option(help: "Peak learning rate (default 6e-4).") public var lr: Float?
  @Option(help: "Warm-up steps (default 20).") public var warmup: Int?
  @Option(help: "AdamW weight decay (default 0.1).") public var weightDecay: Float?
  @Flag(help: "Also decay biases, layer norms and embeddings.") public var decayAll = false
  @Option(help: "Clip the gradients' global norm to this; 0: no clipping (default 1).") public var gradClip: Float?
  @Option(help: "Evaluate on the val shards every N steps; 0: never (default 50).") public var evalEvery: Int?
  @Option(help: "Batches per evaluation (default 4).") public var evalBatches: Int?
  @Option(
    help:
      "Held-out text to score in bits per byte at every evaluation: a file or folder (.jsonl: one document per line), repeatable."
  )
  public var evalText: [String] = []
  @Option(help: "Bytes of each --eval-text set scored, from its start (default 262144).") public var evalTextBytes: Int?
  @Option(help: "Checkpoint every N steps, and at the end (default 100).") public var checkpointEvery: Int?
  @Option(help: "Threads (default: every core).") public var threads: Int?
  @Option(help: "Seed of the initialisation and the data order (default 1337).") public var seed: UInt64?

  public init() {}

  /// Defaults, then the --preset, then (with `resume`) the run's own options, then the --config
  /// file (its own preset first), then the options given.
  public func options(resume: String?) throws -> TrainOptions {
    var options = TrainOptions()
    options.threads = ProcessInfo.processInfo.activeProcessorCount
    if let preset {
      guard let known = TrainOptions.Preset(rawValue: preset) else {
        throw HatcheryError(
          "--preset \(preset): one of \(TrainOptions.Preset.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      options.apply(preset: known)
    }
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
    if !evalText.isEmpty { options.evalTexts = evalText }
    if let evalTextBytes { options.evalTextBytes = evalTextBytes }
    if let checkpointEvery { options.checkpointEvery = checkpointEvery }
    if let threads { options.threads = threads }
    if let seed { options.seed = seed }
    return options
  }
}

/// `hatchery finetune`'s options that a pipeline file may set (the runner sets `--from`).
public struct FinetuneArguments: PipelineArguments {
  public static var fileOptions: Set<String> { ["data"] }
  public static var requiredOptions: Set<String> { ["data"] }

  @OptionGroup(title: "Energy") public var energy: EnergyArguments
  @Option(help: "A JSONL file of examples.") public var data: String
  @Option(help: "Optimizer steps.") public var steps = 100
  @Option(help: "Examples per micro-batch.") public var batch = 8
  @Option(help: "Tokens per example (at most the model's context).") public var context = 256
  @Option(help: "Peak learning rate.") public var lr: Float = 1e-4
  @Option(help: "Warm-up steps.") public var warmup = 10
  @Option(help: "AdamW weight decay.") public var weightDecay: Float = 0
  @Option(help: "Evaluate on the held-out examples every N steps (0: never).") public var evalEvery = 25
  @Option(help: "Checkpoint every N steps (and at the end).") public var checkpointEvery = 100
  @Option(help: "Threads.") public var threads = ProcessInfo.processInfo.activeProcessorCount
  @Option(help: "Seed of the example order.") public var seed: UInt64 = 1337

  public init() {}

  public var options: TrainOptions {
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
}

/// `hatchery sample`'s options that a pipeline file may set (the runner sets the checkpoint and
/// `--chat`; a pipeline's `chat_prompt` is the runner's own).
public struct SampleArguments: PipelineArguments {
  @Option(help: "Text to continue (or, with --chat, the user's message).") public var prompt = ""
  @Option(help: "Tokens to generate at most.") public var maxTokens = 64
  @Option(help: "Softmax temperature; 0 picks the most likely token.") public var temperature: Float = 0.8
  @Option(help: "Draw from the K most likely tokens.") public var topK = 40
  @Option(help: "Seed.") public var seed: UInt64 = 1
  @Option(help: "Threads.") public var threads = ProcessInfo.processInfo.activeProcessorCount

  public init() {}
}

/// `hatchery report`'s options that a pipeline file may set.
public struct ReportArguments: PipelineArguments {
  @Option(help: "Grid country for the emissions, ISO 3166-1 alpha-3; default: the world average.") public var country:
    String?
  @Option(help: "Grid carbon intensity in g CO2e/kWh, instead of the country's.") public var carbonIntensity: Double?
  @Option(help: "Power usage effectiveness.") public var pue = 1.0
  @Option(help: "Samples per training run (greedy first, then at temperature 0.8); 0 for none.") public var samples = 2
  @Option(help: "Prompt of the samples.") public var prompt = "The"

  public init() {}
}
