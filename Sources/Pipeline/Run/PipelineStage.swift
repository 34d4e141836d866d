/// The stages a pipeline file can name, in the order `hatchery run` runs them, with the options
/// each accepts: the stage command's own options in snake case (`vocab_size` is
/// `--vocab-size`), less those the runner sets itself (workspace, sources, task split, run
/// folders, checkpoints, `--force`). A test checks each against the command's own help.
public enum PipelineStage: String, CaseIterable, Sendable {
  case ingest, dedup, tag, filter, tokenizer, shard, train, finetune, sample, report

  /// How an option's value is written in YAML and passed on the command line.
  public enum Kind: String, Sendable {
    case string, integer, number, boolean
    /// A file the stage reads: its contents are part of the step's fingerprint.
    case file
    /// Several files, the option repeated.
    case files
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
    switch self {
    case .ingest:
      return [
        "threads": .integer, "part_bytes": .integer, "max_document_bytes": .integer, "reject_invalid_utf8": .boolean,
        "level": .integer, "retrieved": .string, "added": .string,
      ]
    case .dedup:
      return [
        "method": .string, "shingle_size": .integer, "bands": .integer, "rows": .integer, "seed": .integer,
        "case_fold": .boolean, "verify_threshold": .number, "paragraphs": .boolean, "paragraph_min_words": .integer,
        "threads": .integer,
      ]
    case .tag: return ["policy": .file, "references": .files, "threads": .integer]
    case .filter: return ["config": .file, "threads": .integer]
    case .tokenizer:
      return ["vocab_size": .integer, "pattern": .string, "special": .string, "min_frequency": .integer, "threads": .integer]
    case .shard:
      return [
        "tokens_per_shard": .integer, "val_fraction": .number, "seed": .integer, "level": .integer,
        "frame_tokens": .integer, "threads": .integer,
      ]
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
    switch self {
    case .tokenizer: return ["vocab_size"]
    case .finetune: return ["data"]
    default: return []
    }
  }

  /// Whether the stage's command takes `--force` (to redo work it finds up to date).
  var acceptsForce: Bool {
    switch self {
    case .ingest, .dedup, .tag, .filter, .tokenizer, .shard: return true
    case .train, .finetune, .sample, .report: return false
    }
  }
}
