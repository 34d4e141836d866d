import StageArguments

/// The stages a pipeline file can name, in the order `hatchery run` runs them, with the options
/// each accepts: the stage command's own options in snake case (`vocab_size` is
/// `--vocab-size`), less those the runner sets itself (workspace, sources, task split, run
/// folders, checkpoints, `--force`), read from the option group the command declares them in
/// (`PipelineArguments`); a test checks every stage's against the command's own help.
public enum PipelineStage: String, CaseIterable, Sendable {
  case ingest, dedup, tag, filter, tokenizer, shard, train, finetune, sample, report

  /// How an option's value is written in YAML and passed on the command line.
  public typealias Kind = PipelineOptionKind

  /// The option group of the stage's command: the one declaration of its pipeline options.
  public var arguments: any PipelineArguments.Type {
    switch self {
    case .ingest: return IngestArguments.self
    case .dedup: return DedupArguments.self
    case .tag: return TagArguments.self
    case .filter: return FilterArguments.self
    case .tokenizer: return TokenizerArguments.self
    case .shard: return ShardArguments.self
    case .train: return TrainArguments.self
    case .finetune: return FinetuneArguments.self
    case .sample: return SampleArguments.self
    case .report: return ReportArguments.self
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

  /// Options that are not passed to a command but read by the runner.
  public var runnerOptions: Set<String> {
    self == .sample ? ["chat_prompt"] : []
  }

  public var options: [String: Kind] {
    var options = arguments.pipelineOptions
    for option in runnerOptions { options[option] = .string }
    return options
  }

  /// Options a pipeline must give for the stage.
  public var requiredOptions: Set<String> { arguments.requiredOptions }

  /// Whether the stage's command takes `--force` (to redo work it finds up to date).
  var acceptsForce: Bool {
    switch self {
    case .ingest, .dedup, .tag, .filter, .tokenizer, .shard: return true
    case .train, .finetune, .sample, .report: return false
    }
  }
}
