import ArgumentParser
import Filters
import Foundation
import HatcheryCore

struct FilterCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "filter",
    abstract: "Drop low-quality, contaminated and blocked documents (language and PII filters are not built yet).",
    discussion: """
      Each dropped document gets a decision (stage filter, reason the rule's name, score the value measured); part
      files are never changed. --config FILE (YAML): `rules` (gopher_quality, gopher_repetition, c4, fineweb),
      `thresholds` (names in docs/formats.md; the defaults are the published ones), `url_blocklist` and
      `decontamination`.
      """)

  @OptionGroup var stage: StageOptions

  @Option(help: "A YAML filter configuration (rules, thresholds).")
  var config: String?

  @Option(help: "Threads.")
  var threads = ProcessInfo.processInfo.activeProcessorCount

  @Flag(help: "Redo the stage even if its decisions are up to date.")
  var force = false

  func run() throws {
    stage.bootstrapLogging()
    let workspace = try Workspace.open(at: stage.workspace)
    let filterConfig = try config.map(FilterConfig.load) ?? FilterConfig()
    print(try FilterStage.run(workspace: workspace, config: filterConfig, threads: max(1, threads), force: force).text)
  }
}
