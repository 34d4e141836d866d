import ArgumentParser
import Foundation
import HatcheryCore
import Shards

struct ShardCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "shard",
    abstract: "Tokenize the kept documents into zstd token shards with a manifest and a shard map; verify them.",
    subcommands: [Run.self, Verify.self],
    defaultSubcommand: Run.self)

  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "run",
      abstract: "Write shards/{train,val}/shard-NNNNN.tok.zst and shards/manifest.json.",
      discussion: """
        Documents are ordered by a hash of the seed and their id, the first --val-fraction of them form the
        validation split, and each document is preceded by <|endoftext|>. Shards are seekable zstd (docs/formats.md).
        """)

    @OptionGroup var stage: StageOptions

    @Option(help: "Close a shard at the first document boundary at or past this many tokens.")
    var tokensPerShard = 100_000_000

    @Option(help: "Share of the documents for the validation split.")
    var valFraction = 0.01

    @Option(help: "Seed of the document order.")
    var seed: UInt64 = 0

    @Option(help: "zstd level.")
    var level = 3

    @Option(help: "Threads for tokenizing.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Flag(help: "Rebuild the shards even if they are up to date.")
    var force = false

    var options: ShardOptions {
      var options = ShardOptions()
      options.tokensPerShard = tokensPerShard
      options.validationFraction = valFraction
      options.seed = seed
      options.level = level
      options.threads = threads
      return options
    }

    func validate() throws { try asUsageError { try options.validate() } }

    func run() throws {
      stage.bootstrapLogging()
      print(try ShardStage.run(workspace: try Workspace.open(at: stage.workspace), options: options, force: force).text)
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

struct ExportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "export",
    abstract: "Write the shards for other trainers: llm.c .bin files or a Megatron-LM indexed dataset.",
    discussion: "docs/formats.md gives the formats and the trainer commands that read them.")

  @OptionGroup var stage: StageOptions

  @Argument(help: "llmc or megatron.")
  var format: TrainerExport.Format

  @Argument(help: "The output folder.")
  var output: String

  func run() throws {
    print(try TrainerExport.export(workspace: try Workspace.open(at: stage.workspace), format: format, to: output).text)
  }
}

extension TrainerExport.Format: ExpressibleByArgument {}
