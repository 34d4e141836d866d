import ArgumentParser
import Foundation
import HatcheryCore
import Pipeline

struct ReportCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "report",
    abstract: "Write one self-contained report.html: data card, licences, drops, tokenizer, loss curves, samples, energy and carbon.")

  @OptionGroup var stage: StageOptions
  @Option(help: "Where to write it (default: DIR/report.html).") var output: String?
  @Option(help: "Grid country for the emissions, ISO 3166-1 alpha-3; default: the world average.") var country: String?
  @Option(help: "Grid carbon intensity in g CO2e/kWh, instead of the country's.") var carbonIntensity: Double?
  @Option(help: "Power usage effectiveness.") var pue = 1.0
  @Option(help: "Samples per training run (greedy first, then at temperature 0.8); 0 for none.") var samples = 2
  @Option(help: "Prompt of the samples.") var prompt = "The"

  func run() throws {
    let workspace = try Workspace.open(at: stage.workspace)
    var options = WorkspaceReport.Options()
    options.country = country
    options.carbonIntensity = carbonIntensity
    options.pue = pue
    options.samples = samples
    options.prompt = prompt
    let path = output ?? workspace.absolute("report.html")
    try AtomicFileOutput.write(Array(try WorkspaceReport.html(workspace: workspace, options: options).utf8), to: path)
    print("report: \(path)")
  }
}
