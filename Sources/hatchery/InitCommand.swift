import ArgumentParser
import HatcheryCore

struct InitCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "init", abstract: "Create a workspace: its folders and its provenance store.")

  @Argument(help: "The workspace directory to create (an existing workspace is left as it is).")
  var directory: String

  func run() throws {
    let workspace = try Workspace.create(at: directory)
    print("workspace ready: \(workspace.root) (store: \(workspace.storePath))")
  }
}
