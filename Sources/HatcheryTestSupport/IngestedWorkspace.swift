import Foundation
import HatcheryCore
import Ingest
import Logging

/// A fresh workspace with text files ingested as source `s`, in a temporary folder of its own
/// (the files in `folder/in`, the workspace in `folder/ws`): the fixture the stage tests share.
public struct IngestedWorkspace {
  public let folder: String
  public let workspace: Workspace

  /// `files`: the name and text of each input file; `configure` adjusts the ingest options.
  public init(
    _ label: String, files: [(name: String, text: String)], configure: (inout IngestOptions) -> Void = { _ in }
  ) throws {
    folder = NSTemporaryDirectory() + "hatchery-\(label)-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder + "/in", withIntermediateDirectories: true)
    for file in files { try file.text.write(toFile: folder + "/in/" + file.name, atomically: false, encoding: .utf8) }
    workspace = try Workspace.create(at: folder + "/ws")
    var options = IngestOptions(source: "s", paths: [folder + "/in"])
    configure(&options)
    _ = try IngestStage.run(
      workspace: workspace, options: options, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
      showProgress: false)
  }

  /// Removes the folder (a test's tearDown).
  public func remove() { try? FileManager.default.removeItem(atPath: folder) }
}
