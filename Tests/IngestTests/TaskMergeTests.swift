import Foundation
import GRDB
import HatcheryCore
import HatcheryTestSupport
import XCTest

@testable import Ingest

/// Ingest split across machines: tasks write their parts and task files without writing the
/// store; the merge folds them in. The result equals one process's, whatever the split.
final class TaskMergeTests: IngestTestCase {
  private var corpus: String { Self.fixtures + "/corpus" }
  private let adjust: (inout IngestOptions) -> Void = { $0.partBytes = 200 }

  /// Every document and reject row of the store, as text, without the run ids.
  private func rows(_ workspace: Workspace) throws -> [String] {
    try workspace.openStoreForReading().read { db in
      try String.fetchAll(
        db,
        sql: """
          SELECT id || '|' || part || '|' || part_line || '|' || path || '|' || sha256 || '|' || bytes FROM document_rows
          UNION ALL SELECT 'reject|' || part || '|' || path || '|' || reason || '|' || detail FROM rejects
          UNION ALL SELECT 'part|' || part || '|' || fingerprint || '|' || documents || '|' || rejected || '|' || sha256 FROM ingest_parts
          ORDER BY 1
          """)
    }
  }

  private func step(_ step: IngestStep, task: Int = 0, tasks: Int, into workspace: Workspace) throws -> IngestSummary {
    try ingest(
      workspace,
      options("fx", [corpus]) {
        adjust(&$0)
        $0.step = step
        $0.task = task
        $0.tasks = tasks
      })
  }

  private func storeDigest(_ workspace: Workspace) throws -> String {
    let bytes = try Data(contentsOf: URL(fileURLWithPath: workspace.storePath))
    return bytes.withUnsafeBytes { SHA256Hasher.hash($0) }.hex
  }

  func testTasksAndAMergeGiveWhatOneProcessGives() throws {
    let single = try makeWorkspace("single")
    let whole = try ingest(single, options("fx", [corpus], adjust))
    XCTAssertGreaterThan(whole.partsWritten, 3, "several parts, so every task has work")
    for tasks in [1, 3, 7] {
      let split = try makeWorkspace("split-\(tasks)")
      XCTAssertEqual(try step(.register, tasks: tasks, into: split).text, "ingest fx: registered")
      let before = try storeDigest(split)
      for task in 0..<tasks { _ = try step(.task, task: task, tasks: tasks, into: split) }
      XCTAssertEqual(try storeDigest(split), before, "tasks do not write the store")
      XCTAssertEqual(try split.openStoreForReading().stageRuns(stage: "ingest").count, 0)
      let merged = try step(.merge, tasks: tasks, into: split)
      XCTAssertEqual(merged.documents, whole.documents)
      XCTAssertEqual(merged.rejected, whole.rejected)
      XCTAssertEqual(try partFiles(single, source: "fx"), try partFiles(split, source: "fx"), "\(tasks) tasks")
      XCTAssertEqual(try rows(split), try rows(single), "\(tasks) tasks")
      XCTAssertFalse(
        FileManager.default.fileExists(atPath: split.absolute("tasks/ingest/fx/part-00000.db")), "merged task files go")
      XCTAssertEqual(try split.openStoreForReading().stageRuns(stage: "ingest").map(\.status), [.completed])
      // Merging again changes nothing.
      XCTAssertTrue(try step(.merge, tasks: tasks, into: split).nothingToDo)
      XCTAssertEqual(try rows(split), try rows(single))
    }
  }

  func testTheMergeRefusesMissingTasksAndATaskRunAgainCompletesIt() throws {
    let split = try makeWorkspace()
    XCTAssertThrowsError(try step(.task, task: 0, tasks: 3, into: split)) { error in
      guard case .notRegistered(_, _, .task)? = error as? IngestError else { return XCTFail("\(error)") }
    }
    _ = try step(.register, tasks: 3, into: split)
    _ = try step(.task, task: 0, tasks: 3, into: split)
    _ = try step(.task, task: 2, tasks: 3, into: split)
    let before = try rows(split)
    XCTAssertThrowsError(try step(.merge, tasks: 3, into: split)) { error in
      guard case .missingParts(_, _, 3, let waiting)? = error as? IngestError else { return XCTFail("\(error)") }
      XCTAssertEqual(waiting, [1])
    }
    XCTAssertEqual(try rows(split), before, "a refused merge commits nothing")
    XCTAssertTrue(try split.openStoreForReading().stageRuns(stage: "ingest").isEmpty)
    XCTAssertEqual(try step(.task, task: 0, tasks: 3, into: split).partsWritten, 0, "a finished task is not redone")
    _ = try step(.task, task: 1, tasks: 3, into: split)
    let merged = try step(.merge, tasks: 3, into: split)
    XCTAssertFalse(merged.nothingToDo)
    let single = try makeWorkspace("single")
    _ = try ingest(single, options("fx", [corpus], adjust))
    XCTAssertEqual(try rows(split), try rows(single))
  }

  /// The store mounted read-only while the tasks run (as on a cluster where nothing may write it
  /// then): ingest tasks and dedup's signature tasks succeed, and the merges after equal one process.
  func testTaskStepsRunWithTheStoreMountedReadOnly() throws {
    let split = try makeWorkspace("split")
    _ = try step(.register, tasks: 3, into: split)
    // The register step's connection is closed, so its writes are in the store file itself.
    guard let undo = TestSupport.mountReadOnly(split.storePath) else {
      throw XCTSkip("no read-only mount can be made here (needs root)")
    }
    XCTAssertThrowsError(try split.openStore(), "the mount is really read-only")
    for task in 0..<3 { _ = try step(.task, task: task, tasks: 3, into: split) }
    undo()
    _ = try step(.merge, tasks: 3, into: split)
    let single = try makeWorkspace("single")
    _ = try ingest(single, options("fx", [corpus], adjust))
    XCTAssertEqual(try rows(split), try rows(single))
  }
}
