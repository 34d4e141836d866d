import ArgumentParser
import Foundation
import HatcheryCore
import Shards
import StageArguments

struct ShardCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "shard",
    abstract: "Tokenize the kept documents into zstd token shards with a manifest and a shard map; verify them.",
    subcommands: [Run.self, Verify.self, Read.self],
    defaultSubcommand: Run.self)

  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "run",
      abstract: "Write shards/{train,val}/shard-NNNNN.tok.zst and shards/manifest.json.",
      discussion: """
        Documents are ordered by a hash of the seed and their id, the first --val-fraction of them form the \
        validation split, and each document is preceded by <|endoftext|>. Shards are seekable zstd (docs/formats.md).
        """)

    @OptionGroup var stage: StageOptions

    @OptionGroup(title: "Options a pipeline file may set")
    var arguments: ShardArguments

    @OptionGroup var runner: StageRunArguments<ShardStep>

    var options: ShardOptions {
      var options = ShardOptions()
      arguments.apply(to: &options)
      options.step = runner.step
      options.task = runner.task
      options.tasks = runner.tasks
      return options
    }

    func validate() throws { try asUsageError { try options.validate() } }

    func run() throws {
      stage.bootstrapLogging()
      print(
        try ShardStage.run(workspace: try Workspace.open(at: stage.workspace), options: options, force: runner.force)
          .text)
    }
  }

  struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "verify", abstract: "Check every shard against the manifest; name the first bad shard and frame.")

    @OptionGroup var stage: StageOptions

    func run() throws {
      print(try ShardVerifier.verify(workspace: try Workspace.open(at: stage.workspace)).text)
    }
  }
}

extension ShardCommand {
  struct Read: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "read",
      abstract: "Read a split as a trainer would and print the speed as one JSON line.",
      discussion: """
        --windows N reads N random windows of --length tokens (shards in proportion to their size), in batches of \
        --batch decoded by --threads threads, as the trainer does; without it, one sequential pass decodes every frame \
        on one thread. Every frame read is checked against its checksum.
        """)

    @OptionGroup var stage: StageOptions

    @Option(help: "train or val.")
    var split = "train"

    @Option(help: "Random windows to read; 0 for one sequential pass.")
    var windows = 0

    @Option(help: "Tokens per window.")
    var length = 1025

    @Option(help: "Seed of the window positions.")
    var seed: UInt64 = 1

    @Option(help: "Random windows per batch.")
    var batch = 64

    @Option(help: "Threads decoding each batch of random windows.")
    var threads = 1

    func validate() throws {
      guard windows >= 0, length >= 1, batch >= 1, threads >= 1 else {
        throw ValidationError("--windows must be at least 0; --length, --batch and --threads at least 1")
      }
    }

    func run() throws {
      let dataset = try ShardDataset(workspace: try Workspace.open(at: stage.workspace), split: split, threads: threads)
      print(try dataset.timedRead(windows: windows, length: length, batch: batch, seed: seed))
    }
  }
}

struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract:
      "Write the shards for other trainers (llm.c .bin files, a Megatron-LM indexed dataset), or the kept documents to publish (Parquet or Dolma JSONL, with a Hugging Face dataset card).",
    discussion: "docs/formats.md gives the formats and the trainer commands that read them.")

  enum Format: String, ExpressibleByArgument, CaseIterable {
    case llmc, megatron, parquet, jsonl
  }

  @OptionGroup var stage: StageOptions

  @Argument(help: "llmc, megatron, parquet or jsonl.")
  var format: Format

  @Argument(help: "The output folder.")
  var output: String

  @Option(help: "parquet, jsonl: rows per file at most (each document part gives one file or more).") var rowsPerFile =
    1_000_000
  @Option(help: "parquet: megabytes of text per row group.") var rowGroupMb = 128
  @Flag(help: "parquet, jsonl: export the documents held back for licence review too.") var includeReview = false
  @OptionGroup(
    title:
      "Across machines (parquet, jsonl: each task writes the files of its parts; the card is written by a run of one task)"
  )
  var split: TaskSplitArguments

  func run() throws {
    let workspace = try Workspace.open(at: stage.workspace)
    switch format {
    case .llmc, .megatron:
      print(
        try TrainerExport.export(
          workspace: workspace, format: TrainerExport.Format(rawValue: format.rawValue)!, to: output
        ).text)
    case .parquet, .jsonl:
      var options = DatasetExport.Options()
      options.format = DatasetExport.Format(rawValue: format.rawValue)!
      options.rowsPerFile = rowsPerFile
      options.rowGroupBytes = max(1, rowGroupMb) << 20
      options.includeReview = includeReview
      options.task = split.task
      options.tasks = split.tasks
      print(try DatasetExport.export(workspace: workspace, to: output, options: options).text)
    }
  }
}

extension TrainerExport.Format: ExpressibleByArgument {}
