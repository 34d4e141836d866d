import Foundation
import HatcheryCore
import XCTest

@testable import Reporting

final class WorkspaceStatusTests: XCTestCase {
  func testStatusShowsRunsTaskOutputsAndDedupTasks() throws {
    let folder = NSTemporaryDirectory() + "hatchery-status-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let workspace = try Workspace.create(at: folder)
    XCTAssertEqual(
      try WorkspaceStatus.lines(workspace: workspace).prefix(2),
      ["stage runs (the newest of each stage, scope and task):", "  none yet"])
    let store = try workspace.openStore()
    let config = StageConfig(JSONObject([("k", .int(1))]))
    _ = try StageLifecycle(stage: "dedup", scope: "merge", tasks: 4, config: config).record(in: store) { _ in
      (0, JSONObject())
    }
    let failing = StageLifecycle(stage: "tag", config: config)
    _ = try? failing.record(in: store) { _ -> (result: Int, counts: JSONObject) in throw HatcheryError("x") }
    for part in [0, 1, 2, 5, 9] {
      let path = workspace.absolute("tasks/ingest/web/part-" + String(format: "%05d", part) + ".db")
      try FileManager.default.createDirectory(
        atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
      _ = FileManager.default.createFile(atPath: path, contents: Data())
    }
    try FileManager.default.createDirectory(atPath: workspace.absolute("dedup/abc"), withIntermediateDirectories: true)
    for name in ["documents-00000.bin", "documents-00001.bin", "documents-00003.bin", "drops-00000.bin"] {
      _ = FileManager.default.createFile(atPath: workspace.absolute("dedup/abc/" + name), contents: Data())
    }
    let lines = try WorkspaceStatus.lines(workspace: workspace)
    XCTAssertTrue(
      lines.contains {
        $0.contains("dedup") && $0.contains("merge") && $0.contains("task 0 of 4") && $0.contains("completed")
      }, "\(lines)")
    XCTAssertTrue(lines.contains { $0.contains("tag") && $0.contains("failed") }, "\(lines)")
    XCTAssertTrue(lines.contains("  tasks/ingest/web: 5 file(s), numbers 0-2, 5, 9"), "\(lines)")
    XCTAssertTrue(
      lines.contains("dedup intermediates dedup/abc: signatures of task(s) 0-1, 3; clustered for task(s) 0"), "\(lines)"
    )
  }
}
