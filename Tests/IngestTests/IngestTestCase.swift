import Foundation
import HatcheryCore
import Logging
import XCTest

@testable import Ingest

/// A test case with a fresh temporary folder, a workspace in it, and helpers to ingest and read
/// back.
class IngestTestCase: XCTestCase {
  var folder: String!

  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("Fixtures").path

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "hatchery-ingest-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: folder)
  }

  func makeWorkspace(_ name: String = "ws") throws -> Workspace {
    try Workspace.create(at: folder + "/" + name)
  }

  /// Writes `contents` under the test folder and returns its path.
  @discardableResult
  func write(_ relativePath: String, _ contents: [UInt8]) throws -> String {
    let path = folder + "/" + relativePath
    try FileManager.default.createDirectory(
      atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try Data(contents).write(to: URL(fileURLWithPath: path))
    return path
  }

  @discardableResult
  func write(_ relativePath: String, _ text: String) throws -> String {
    try write(relativePath, Array(text.utf8))
  }

  func options(_ source: String, _ paths: [String], _ adjust: (inout IngestOptions) -> Void = { _ in })
    -> IngestOptions
  {
    var options = IngestOptions(source: source, paths: paths)
    options.added = "2026-01-01T00:00:00Z"
    options.threads = 2
    adjust(&options)
    return options
  }

  func ingest(_ workspace: Workspace, _ options: IngestOptions) throws -> IngestSummary {
    try IngestStage.run(
      workspace: workspace, options: options, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
      showProgress: false)
  }

  /// Every document of a source, part by part, read back from the part files.
  func documents(_ workspace: Workspace, source: String) throws -> [Document] {
    let folder = workspace.absolute(Workspace.documentsFolder(source: source))
    let parts = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".jsonl.zst") }
      .sorted()
    var result: [Document] = []
    for part in parts {
      let reader = try DocumentPartReader(path: folder + "/" + part)
      while let document = try reader.next() { result.append(document) }
    }
    return result
  }

  /// The bytes of every part file of a source, by file name.
  func partFiles(_ workspace: Workspace, source: String) throws -> [String: Data] {
    let folder = workspace.absolute(Workspace.documentsFolder(source: source))
    var result: [String: Data] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: folder) {
      result[name] = try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
    }
    return result
  }
}
