import ArgumentParser
import Foundation
import HatcheryCore
import Logging

@main
struct Hatchery: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "hatchery",
    abstract: "Prepare LLM pre-training data: ingest, audit provenance and licences, tokenize, shard, train.",
    discussion: """
      Each stage is its own command over a workspace directory (hatchery init DIR). Stages talk only through \
      the workspace's files and its provenance store, so any stage can be re-run, resumed or split into tasks. \
      Exit status: 0 success, 1 failure, 2 usage error.
      """,
    version: HatcheryVersion.current,
    subcommands: [
      InitCommand.self, IngestCommand.self, DedupCommand.self, TagCommand.self, FilterCommand.self,
      TokenizerCommand.self, ShardCommand.self, TrainCommand.self, FinetuneCommand.self, SampleCommand.self,
      EvaluateCommand.self, LicenseCommand.self,
      AuditCommand.self,
      TraceCommand.self, StatusCommand.self, EnergyCommand.self, PlanCommand.self, ReviewCommand.self,
      ParquetCommand.self, ClassifierCommand.self, ReportCommand.self, ExtractCommand.self, RunCommand.self,
      AblateCommand.self, SlurmCommand.self, ExportCommand.self, SchemaCommand.self, VersionCommand.self,
    ]
  )

  /// Parses and runs the command, with the exit statuses the documentation promises: 0, 1 for a
  /// failure (one line naming the file and what to do), 2 for a usage error.
  static func main() {
    do {
      var command = try TrailingValues.parse(Self.self, Array(CommandLine.arguments.dropFirst()))
      try meteringStage(command) { try command.run() }
    } catch let error as any HatcheryFailure {
      printError(error.message)
      Foundation.exit(1)
    } catch let code as ExitCode {
      // A command that has said why (`hatchery run` after a failed step) only sets the status.
      fflush(nil)
      Foundation.exit(code.rawValue)
    } catch {
      let code = exitCode(for: error)
      if code == .success {
        exit(withError: error)
      }
      if code == .validationFailure {
        FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
        Foundation.exit(2)
      }
      // ArgumentParser words other errors as "Error: …"; a Foundation file error is named by
      // its path and cause instead of its long generic text.
      var message = fullMessage(for: error)
      if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
      if let path = (error as NSError).userInfo[NSFilePathErrorKey] as? String {
        message = "\(path): \(HatcheryError.reason(error))"
      }
      printError(message.isEmpty ? "\(error)" : message)
      Foundation.exit(code == .failure ? 1 : code.rawValue)
    }
  }

  /// One line on standard error; control characters from file names or input are escaped so
  /// they can neither move the cursor nor fake further lines.
  static func printError(_ message: String) {
    FileHandle.standardError.write(Data("error: \(PrintableText.escaped(message))\n".utf8))
  }
}

/// Runs a stage's own check of its options, turning its refusal into a usage error (exit 2).
func asUsageError(_ check: () throws -> Void) throws {
  do {
    try check()
  } catch let error as any HatcheryFailure {
    throw ValidationError(error.message)
  }
}

/// Options every stage shares.
struct StageOptions: ParsableArguments {
  @Option(name: .shortAndLong, help: "The workspace directory (made by `hatchery init`).")
  var workspace: String

  @Option(help: "Log level: trace, debug, info, notice, warning, error, critical.")
  var logLevel: Logger.Level = .notice

  @Option(help: "Log lines as text, or as JSON objects (one per line) for log collectors.")
  var logFormat: LogFormat = .text

  enum LogFormat: String, ExpressibleByArgument, CaseIterable {
    case text, json
  }

  func bootstrapLogging() {
    let level = logLevel
    let format = logFormat
    LoggingSystem.bootstrap { label in
      var handler: LogHandler =
        format == .json ? JSONLogHandler(label: label) : StreamLogHandler.standardError(label: label)
      handler.logLevel = level
      return handler
    }
  }
}

// Log levels are swift-log's and the parser swift-argument-parser's: neither package can
// declare the conformance, so this one does.
// swift-format-ignore: AvoidRetroactiveConformances
extension Logger.Level: @retroactive ExpressibleByArgument {}
