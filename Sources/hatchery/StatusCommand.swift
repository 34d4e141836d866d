import ArgumentParser
import Foundation
import HatcheryCore
import Pipeline
import Reporting

struct StatusCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "status",
    abstract:
      "Show where a workspace's stages stand: runs, task outputs waiting for a merge, dedup's tasks (read-only).")

  @OptionGroup var stage: StageOptions

  func run() throws {
    let workspace = try Workspace.open(at: stage.workspace)
    for line in try WorkspaceStatus.lines(workspace: workspace) { print(PrintableText.escaped(line)) }
  }
}
