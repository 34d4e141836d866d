import Foundation
import HatcheryCore
import Ingest
import Logging
import XCTest

@testable import Filters

final class FilterStageTests: XCTestCase {
  func testDecisionsNameTheRuleAndRerunsDoNothing() throws {
    let folder = NSTemporaryDirectory() + "hatchery-filter-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.createDirectory(atPath: folder + "/in", withIntermediateDirectories: true)
    try "Too short to keep.".write(toFile: folder + "/in/short.txt", atomically: false, encoding: .utf8)
    try (0..<40).map { "var x\($0) = { value: \($0) };" }.joined(separator: "\n")
      .write(toFile: folder + "/in/code.txt", atomically: false, encoding: .utf8)
    let workspace = try Workspace.create(at: folder + "/ws")
    _ = try IngestStage.run(
      workspace: workspace, options: IngestOptions(source: "s", paths: [folder + "/in"]),
      logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, showProgress: false)
    let summary = try FilterStage.run(workspace: workspace, config: FilterConfig(), threads: 2)
    XCTAssertEqual(summary.documents, 2)
    XCTAssertEqual(summary.dropped.values.reduce(0, +), 2)
    let decisions = try workspace.openStore().decisions(stage: "filter")
    XCTAssertEqual(Set(decisions.map(\.reason)), ["gopher_short_doc", "gopher_below_alpha_threshold"])
    XCTAssertTrue(decisions.allSatisfy { $0.action == "drop" && $0.score != nil })
    XCTAssertTrue(try FilterStage.run(workspace: workspace, config: FilterConfig()).nothingToDo)
    var curlyFirst = FilterConfig()
    curlyFirst.families = [.c4]
    _ = try FilterStage.run(workspace: workspace, config: curlyFirst)
    XCTAssertEqual(
      Set(try workspace.openStore().decisions(stage: "filter").map(\.reason)), ["curly_bracket", "c4_too_few_sentences"],
      "a new configuration replaces the decisions")
  }
}
