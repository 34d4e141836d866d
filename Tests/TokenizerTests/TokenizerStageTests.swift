import Foundation
import HatcheryCore
import HatcheryTestSupport
import Ingest
import Logging
import XCTest

@testable import Tokenizer

final class TokenizerStageTests: XCTestCase {
  private var fixture: IngestedWorkspace!
  private var folder: String { fixture.folder }
  private var workspace: Workspace { fixture.workspace }

  override func setUpWithError() throws {
    fixture = try IngestedWorkspace(
      "tokstage",
      files: [
        ("a.txt", "keep this first document\nand its second line\n"), ("b.txt", "dropped zebra quagga document"),
        ("c.txt", "head paragraph\nduplicated paragraph\ntail paragraph"),
      ])
  }

  override func tearDown() { fixture?.remove() }

  private func documentID(_ file: String) throws -> String {
    let store = try workspace.openStore()
    let source = try XCTUnwrap(try store.source(named: "s"))
    return try XCTUnwrap(try store.documents(sourceID: source.id).first { $0.path.hasSuffix("/" + file) }).id
  }

  /// Drops b.txt and removes c.txt's middle line, as dedup would.
  private func decide() throws {
    let store = try workspace.openStore()
    let dropped = try documentID("b.txt")
    let spanned = try documentID("c.txt")
    try store.replaceDecisions(
      stage: "dedup", for: [dropped, spanned],
      with: [
        .init(
          documentID: dropped, stage: "dedup", action: .drop, reason: "exact", duplicateOf: nil, similarity: nil,
          score: nil)
      ],
      spans: [.init(documentID: spanned, stage: "dedup", start: 15, end: 36, reason: "paragraph", duplicateOf: nil)],
      stageRunID: nil)
  }

  func testKeptDocumentsLeaveOutDropsAndRemovedSpans() throws {
    try decide()
    let kept = try KeptDocuments(workspace: workspace, store: try workspace.openStore())
    let reader = kept.reader()
    var texts: [String] = []
    while let (_, text) = try reader.next() { texts.append(String(decoding: text, as: UTF8.self)) }
    XCTAssertEqual(
      texts.sorted(), ["head paragraph\ntail paragraph", "keep this first document\nand its second line\n"])
  }

  func testTheStageWritesBothFilesRecordsItsRunAndSkipsWhenUpToDate() throws {
    try decide()
    let options = TokenizerTrainingOptions(vocabularySize: 300)
    let first = try TokenizerStage.run(workspace: workspace, options: options)
    XCTAssertTrue(first.text.contains("2 documents"), first.text)
    let tokenizer = try TokenizerFile.load(path: workspace.absolute(TokenizerStage.jsonPath))
    XCTAssertEqual(tokenizer.vocabularySize, 300)
    let ranks = try TokenizerFile.load(path: workspace.absolute(TokenizerStage.tiktokenPath))
    XCTAssertEqual(ranks.tokens, tokenizer.tokens)
    XCTAssertFalse(
      tokenizer.tokens.contains(Array(" zebra".utf8)) || tokenizer.tokens.contains(Array("zebra".utf8)),
      "the dropped document is not trained on")
    let runs = try workspace.openStore().stageRuns(stage: TokenizerStage.name)
    XCTAssertEqual(runs.map(\.status), [.completed])
    // The count files' layout is part of the configuration (their folder is named by it).
    XCTAssertTrue(runs[0].config.contains("\"count_format\":\"HATCHERY-COUNTS1\""), runs[0].config)
    XCTAssertTrue(try TokenizerStage.run(workspace: workspace, options: options).text.contains("nothing to do"))
    // New decisions change the kept documents, so the stage runs again.
    try workspace.openStore().replaceDecisions(
      stage: "dedup", for: [try documentID("b.txt")], with: [], stageRunID: nil)
    XCTAssertFalse(try TokenizerStage.run(workspace: workspace, options: options).text.contains("nothing to do"))
  }

  func testAWorkspaceWithEveryDocumentDroppedIsAnError() throws {
    let store = try workspace.openStore()
    let source = try XCTUnwrap(try store.source(named: "s"))
    let ids = try store.documents(sourceID: source.id).map(\.id)
    try store.replaceDecisions(
      stage: "dedup", for: ids,
      with: ids.map {
        .init(
          documentID: $0, stage: "dedup", action: .drop, reason: "test", duplicateOf: nil, similarity: nil, score: nil)
      },
      stageRunID: nil)
    XCTAssertThrowsError(
      try TokenizerStage.run(workspace: workspace, options: TokenizerTrainingOptions(vocabularySize: 300))
    ) {
      XCTAssertEqual($0 as? TokenizerError, .everyDocumentDropped(workspace: workspace.root))
    }
    XCTAssertEqual(try store.stageRuns(stage: TokenizerStage.name).map(\.status), [.failed])
  }

  /// Across machines: N counting tasks and one merge learn the tokenizer one process learns,
  /// byte for byte (the counts are summed; what BPE learns depends on them alone).
  func testCountingTasksAndAMergeLearnWhatOneProcessLearns() throws {
    let corpus = folder + "/many"
    try FileManager.default.createDirectory(atPath: corpus, withIntermediateDirectories: true)
    for index in 0..<9 {
      let text = (0..<30).map {
        "Line \($0) of file \(index): the quick brown fox \(index * $0 % 7) jumps over lazy dogs, again."
      }
      try text.joined(separator: "\n").write(toFile: corpus + "/f\(index).txt", atomically: false, encoding: .utf8)
    }
    func workspace(_ name: String) throws -> Workspace {
      let workspace = try Workspace.create(at: folder + "/" + name)
      var options = IngestOptions(source: "s", paths: [corpus])
      options.partBytes = 1
      options.added = "2026-01-01T00:00:00Z"
      _ = try IngestStage.run(
        workspace: workspace, options: options, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
        showProgress: false)
      return workspace
    }
    let options = TokenizerTrainingOptions(vocabularySize: 400, threads: 2)
    let single = try workspace("single")
    _ = try TokenizerStage.run(workspace: single, options: options)
    let expected = try Data(contentsOf: URL(fileURLWithPath: single.absolute(TokenizerStage.jsonPath)))
    for tasks in [1, 3, 7] {
      let split = try workspace("split-\(tasks)")
      // With 3 tasks the store is mounted read-only while they run, where this machine allows.
      let undo = tasks == 3 ? TestSupport.mountReadOnly(split.storePath) : nil
      for task in 0..<tasks where task != 1 {
        _ = try TokenizerStage.run(workspace: split, options: options, step: .task, task: task, tasks: tasks)
      }
      undo?()
      if tasks > 1 {
        // Task 1 killed: the merge refuses and names it; task 1 run again alone completes the stage.
        XCTAssertThrowsError(try TokenizerStage.run(workspace: split, options: options, step: .merge, tasks: tasks)) {
          error in
          XCTAssertEqual(error as? TokenizerError, .missingTaskCounts(tasks: [1], of: tasks))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: split.absolute(TokenizerStage.jsonPath)))
        _ = try TokenizerStage.run(workspace: split, options: options, step: .task, task: 1, tasks: tasks)
      }
      _ = try TokenizerStage.run(workspace: split, options: options, step: .merge, tasks: tasks)
      XCTAssertEqual(
        try Data(contentsOf: URL(fileURLWithPath: split.absolute(TokenizerStage.jsonPath))), expected, "\(tasks) tasks")
      XCTAssertTrue(
        try TokenizerStage.run(workspace: split, options: options, step: .merge, tasks: tasks).text.contains(
          "nothing to do"),
        "merging twice does nothing")
    }
  }
}
