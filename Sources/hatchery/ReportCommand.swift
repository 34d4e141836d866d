import ArgumentParser
import Foundation
import HatcheryCore
import Pipeline
import Reporting
import StageArguments

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract:
      "Write one self-contained report.html: data card, licences, drops, tokenizer, loss curves, samples, energy and carbon."
  )

  @OptionGroup var stage: StageOptions
  @Option(help: "Where to write it (default: DIR/report.html).") var output: String?
  @OptionGroup(title: "Options a pipeline file may set") var arguments: ReportArguments

  func run() throws {
    let workspace = try Workspace.open(at: stage.workspace)
    var options = WorkspaceReport.Options()
    options.country = arguments.country
    options.carbonIntensity = arguments.carbonIntensity
    options.pue = arguments.pue
    options.samples = arguments.samples
    options.prompt = arguments.prompt
    let path = output ?? workspace.absolute("report.html")
    try AtomicFileOutput.write(Array(try WorkspaceReport.html(workspace: workspace, options: options).utf8), to: path)
    print("report: \(path)")
  }
}
