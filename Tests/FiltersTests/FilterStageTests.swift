import Foundation
import HatcheryCore
import HatcheryTestSupport
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
    XCTAssertTrue(decisions.allSatisfy { $0.action == .drop && $0.score != nil })
    XCTAssertTrue(try FilterStage.run(workspace: workspace, config: FilterConfig()).nothingToDo)
    var curlyFirst = FilterConfig()
    curlyFirst.families = [.c4]
    _ = try FilterStage.run(workspace: workspace, config: curlyFirst)
    XCTAssertEqual(
      Set(try workspace.openStore().decisions(stage: "filter").map(\.reason)),
      ["curly_bracket", "c4_too_few_sentences"],
      "a new configuration replaces the decisions")
  }

  /// Across machines: N filter tasks (task files, redacted parts of their own, the store only
  /// read) and one merge give the rows and files one process gives.
  func testTasksAndAMergeGiveWhatOneProcessGives() throws {
    let folder = NSTemporaryDirectory() + "hatchery-filter-tasks-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.createDirectory(atPath: folder + "/in", withIntermediateDirectories: true)
    for index in 0..<8 {
      let text =
        index % 3 == 0
        ? "Too short \(index)."
        : (0..<12).map {
          "Sentence \($0) of document \(index) tells the reader something plain, mail me at x\(index)@example.org."
        }.joined(separator: " ")
      try text.write(toFile: folder + "/in/doc-\(index).txt", atomically: false, encoding: .utf8)
    }
    let config = try FilterConfig.parse("rules: [gopher_quality, c4]\npii: true\n")
    func workspace(_ name: String) throws -> Workspace {
      try ingestedWorkspace(at: folder + "/" + name, inputs: folder + "/in")
    }
    func rows(_ workspace: Workspace) throws -> [String] {
      try workspace.openStoreForReading().read { db in
        try String.fetchAll(
          db,
          sql: """
            SELECT document_id || '|' || action || '|' || reason || '|' || coalesce(score, '') FROM decisions WHERE stage = 'filter'
            UNION ALL SELECT document_id || '|' || kind || '|' || count FROM redactions
            UNION ALL SELECT part || '|' || version || '|' || path || '|' || sha256 FROM part_versions
            ORDER BY 1
            """)
      }
    }
    let single = try workspace("single")
    let whole = try FilterStage.run(workspace: single, config: config, threads: 2)
    let expected = try rows(single)
    XCTAssertFalse(expected.isEmpty)
    for tasks in [1, 3, 7] {
      let split = try workspace("split-\(tasks)")
      // With 3 tasks the store is mounted read-only while they run, where this machine allows.
      let undo = tasks == 3 ? TestSupport.mountReadOnly(split.storePath) : nil
      for task in 0..<tasks {
        _ = try FilterStage.run(workspace: split, config: config, step: .task, task: task, tasks: tasks)
      }
      undo?()
      XCTAssertTrue(try rows(split).isEmpty, "tasks do not write the store")
      if tasks == 3 {
        unlink(split.absolute(try XCTUnwrap(taskFile(split, stage: "filter", part: 5))))
        XCTAssertThrowsError(try FilterStage.run(workspace: split, config: config, step: .merge, tasks: 3)) { error in
          XCTAssertEqual((error as? StageError)?.waitingTasks, [2])
        }
        _ = try FilterStage.run(workspace: split, config: config, step: .task, task: 2, tasks: 3)
      }
      let merged = try FilterStage.run(workspace: split, config: config, step: .merge, tasks: tasks)
      XCTAssertEqual(merged.dropped, whole.dropped)
      XCTAssertEqual(merged.redacted, whole.redacted)
      XCTAssertEqual(try rows(split), expected, "\(tasks) tasks")
      for part in 0..<8 {
        let path = "docs/s/redacted/part-" + String(format: "%05d", part) + ".jsonl.zst"
        XCTAssertEqual(
          FileManager.default.contents(atPath: split.absolute(path)),
          FileManager.default.contents(atPath: single.absolute(path)), path)
      }
      XCTAssertTrue(try FilterStage.run(workspace: split, config: config, step: .merge, tasks: tasks).nothingToDo)
    }
  }
}

/// A workspace at `path` with every file of `inputs` ingested as source `s`, one document per part.
func ingestedWorkspace(at path: String, inputs: String) throws -> Workspace {
  let workspace = try Workspace.create(at: path)
  var options = IngestOptions(source: "s", paths: [inputs])
  options.partBytes = 1
  options.added = "2026-01-01T00:00:00Z"
  _ = try IngestStage.run(
    workspace: workspace, options: options, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
    showProgress: false)
  return workspace
}

/// A stage's task file of `part`, whatever its configuration folder (relative to the workspace).
private func taskFile(_ workspace: Workspace, stage: String, part: Int) -> String? {
  let root = "tasks/\(stage)"
  let name = "part-" + String(format: "%05d", part) + ".json"
  return ((try? FileManager.default.contentsOfDirectory(atPath: workspace.absolute(root))) ?? [])
    .map { "\(root)/\($0)/\(name)" }.first { FileManager.default.fileExists(atPath: workspace.absolute($0)) }
}
