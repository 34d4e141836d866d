import ArgumentParser
import Foundation
import HatcheryCore
import Ingest
import Logging
import StageArguments

struct IngestCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ingest",
    abstract: "Read raw text, JSONL, Parquet, HTML, WARC and XML files (plain, .gz, .zst or .bz2) into document parts.",
    discussion: """
      Files are read one document per file (text, HTML: main content extracted; JATS, TEI, other XML), one per \
      line with a "text" member (JSONL: Dolma, datatrove and Hugging Face exports), one per HTML or plain-text \
      response record (WARC), or one per main-namespace article (MediaWiki XML exports, streamed). Folders are read recursively, hidden files skipped. Bad records are recorded in \
      the store's rejects table with file, position and reason, and never stop the stage. A re-run with the same \
      inputs does nothing; a killed run resumes where it stopped.
      """)

  @OptionGroup var stage: StageOptions

  @Option(help: "The source's name (letters, digits, '.', '_', '-'): the folder docs/NAME and each document's source.")
  var source: String

  @Option(help: "The SPDX licence expression declared for the whole source, e.g. CC-BY-SA-4.0.")
  var license: String?

  @Option(help: ArgumentHelp(FormatChoice.help))
  var format: FormatChoice = .auto

  @OptionGroup(title: "Options a pipeline file may set")
  var arguments: IngestArguments

  @OptionGroup var runner: StageRunArguments<IngestStep>

  @Argument(help: "Files or folders to read.")
  var paths: [String]

  /// `auto` or one of the formats Ingest reads (listed once, by `InputFormat`).
  struct FormatChoice: ExpressibleByArgument {
    static let auto = FormatChoice(format: nil)
    static let help = "Input format; auto: by file name (.xml by its root element, Parquet by its magic)."
    static var allValueStrings: [String] { ["auto"] + InputFormat.allCases.map(\.rawValue) }

    let format: InputFormat?

    init(format: InputFormat?) {
      self.format = format
    }

    init?(argument: String) {
      if argument == "auto" {
        format = nil
      } else if let format = InputFormat(rawValue: argument) {
        self.format = format
      } else {
        return nil
      }
    }

    var defaultValueDescription: String { format?.rawValue ?? "auto" }
  }

  /// The options as the stage takes them.
  var options: IngestOptions {
    var options = IngestOptions(source: source, paths: paths)
    options.format = format.format
    options.declaredLicense = license
    arguments.apply(to: &options)
    options.task = runner.task
    options.tasks = runner.tasks
    options.force = runner.force
    options.step = runner.step
    return options
  }

  func validate() throws {
    try asUsageError(options.validate)
  }

  func run() throws {
    stage.bootstrapLogging()
    let workspace = try Workspace.open(at: stage.workspace)
    let summary = try IngestStage.run(workspace: workspace, options: options)
    for message in summary.rejectMessages {
      FileHandle.standardError.write(Data("rejected: \(PrintableText.escaped(message))\n".utf8))
    }
    if summary.rejected > summary.rejectMessages.count {
      FileHandle.standardError.write(
        Data(
          "... and \(summary.rejected - summary.rejectMessages.count) more rejects (see the store's rejects table)\n"
            .utf8))
    }
    print(summary.text)
  }
}
