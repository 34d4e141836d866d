import StageArguments

/// The stages a pipeline file can name, in the order `hatchery run` runs them, with the options
/// each accepts: the stage command's own options in snake case (`vocab_size` is
/// `--vocab-size`), less those the runner sets itself (workspace, sources, task split, run
/// folders, checkpoints, `--force`). A data stage's options are read from the option group its
/// command declares them in (`PipelineArguments`); a test checks every stage's against the
/// command's own help.
public enum PipelineStage: String, CaseIterable, Sendable {
  case ingest, dedup, tag, filter, tokenizer, shard, train, finetune, sample, report

  /// How an option's value is written in YAML and passed on the command line.
  public typealias Kind = PipelineOptionKind

  /// The option group of a data stage's command: the one declaration of its pipeline options.
  public var arguments: (any PipelineArguments.Type)? {
    switch self {
    case .ingest: return IngestArguments.self
    case .dedup: return DedupArguments.self
    case .tag: return TagArguments.self
    case .filter: return FilterArguments.self
    case .tokenizer: return TokenizerArguments.self
    case .shard: return ShardArguments.self
    case .train, .finetune, .sample, .report: return nil
    }
  }

  /// The hatchery subcommand.
  public var command: [String] {
    switch self {
    case .filter: return ["filter", "run"]
    case .tokenizer: return ["tokenizer", "train"]
    case .shard: return ["shard", "run"]
    default: return [rawValue]
    }
  }

  static let energyOptions: [String: Kind] = [
    "country": .string, "carbon_intensity": .number, "pue": .number, "cpu_watts": .number, "ram_watts": .number,
    "energy_interval": .number,
  ]

  /// Options that are not passed to a command but read by the runner.
  public var runnerOptions: Set<String> {
    self == .sample ? ["chat_prompt"] : []
  }

  public var options: [String: Kind] {
    if let arguments { return arguments.pipelineOptions }
    switch self {
    case .ingest, .dedup, .tag, .filter, .tokenizer, .shard: return [:]
    case .train:
      return Self.energyOptions.merging([
        "config": .file, "layers": .integer, "heads": .integer, "dim": .integer, "context": .integer,
        "batch": .integer, "batch_tokens": .integer, "steps": .integer, "lr": .number, "warmup": .integer,
        "weight_decay": .number, "decay_all": .boolean, "grad_clip": .number, "eval_every": .integer,
        "eval_batches": .integer, "checkpoint_every": .integer, "threads": .integer, "seed": .integer,
      ]) { $1 }
    case .finetune:
      return Self.energyOptions.merging([
        "data": .file, "steps": .integer, "batch": .integer, "context": .integer, "lr": .number, "warmup": .integer,
        "weight_decay": .number, "eval_every": .integer, "checkpoint_every": .integer, "threads": .integer,
        "seed": .integer,
      ]) { $1 }
    case .sample:
      return [
        "prompt": .string, "chat_prompt": .string, "max_tokens": .integer, "temperature": .number, "top_k": .integer,
        "seed": .integer, "threads": .integer,
      ]
    case .report:
      return [
        "country": .string, "carbon_intensity": .number, "pue": .number, "samples": .integer, "prompt": .string,
      ]
    }
  }

  /// Options a pipeline must give for the stage.
  public var requiredOptions: Set<String> {
    if let arguments { return arguments.requiredOptions }
    return self == .finetune ? ["data"] : []
  }

  /// Whether the stage's command takes `--force` (to redo work it finds up to date).
  var acceptsForce: Bool {
    switch self {
    case .ingest, .dedup, .tag, .filter, .tokenizer, .shard: return true
    case .train, .finetune, .sample, .report: return false
    }
  }
}
