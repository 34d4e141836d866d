import ArgumentParser
import Foundation
import HatcheryCore
import Pipeline

struct RunCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "run",
    abstract: "Run a pipeline file: ingest, dedup, tag, filter, tokenizer, shard, train, finetune, sample, report.",
    discussion: """
      Each stage runs as its own `hatchery` process. A step whose command line, input files and upstream steps are \
      unchanged since it last completed is skipped. The run stops at the first failure, with the stage's own message; \
      Ctrl-C stops it cleanly, and running it again resumes (a pre-training run continues from its newest checkpoint). \
      The format is in docs/formats.md and schemas/pipeline.schema.json.
      """)

  @Option(help: "Start at this stage (earlier ones are not run).") var from: PipelineStage?
  @Option(help: "Stop after this stage.") var until: PipelineStage?
  @Option(help: "Redo this stage even if it is up to date (repeatable).") var force: [PipelineStage] = []
  @Flag(help: "Print the JSON Schema of pipeline files and exit.") var schema = false
  @Argument(help: "The pipeline file (YAML).") var file: String?

  func validate() throws {
    if !schema && file == nil { throw ValidationError("give a pipeline file (or --schema)") }
  }

  func run() throws {
    if schema {
      print(PipelineSchema.text, terminator: "")
      return
    }
    let pipeline = try PipelineFile.load(path: file!)
    var options = PipelineRunner.Options(executable: Self.executablePath)
    options.from = from
    options.until = until
    options.force = Set(force)
    switch try PipelineRunner.run(pipeline, options: options) {
    case .completed: return
    case .failed: throw ExitCode.failure
    case .interrupted: throw ExitCode(130)
    }
  }

  /// This program's own file, so the steps run the same build.
  static var executablePath: String {
    (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
  }
}

extension PipelineStage: ExpressibleByArgument {}
