import Foundation
import HatcheryCore
import HatcheryTestSupport
import Ingest
import Logging
import XCTest

@testable import Dedup

final class DedupStageTests: XCTestCase {
  var folder: String!

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "hatchery-dedup-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: folder)
  }

  /// A text of `count` words drawn from a fixed vocabulary by a seeded generator.
  private func words(_ count: Int, seed: UInt64) -> [String] {
    var state = seed
    return (0..<count).map { _ in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return "w\((state >> 33) % 5000)"
    }
  }

  /// Writes `documents` (file name → text) for `source` and ingests them into `workspace`.
  private func ingest(_ documents: [String: String], source: String, into workspace: Workspace) throws {
    let input = folder + "/input-\(source)"
    for (name, text) in documents {
      try text.write(toFile: input + "/" + name, atomically: false, encoding: .utf8)
    }
    var options = IngestOptions(source: source, paths: [input])
    options.added = "2026-01-01T00:00:00Z"
    options.partBytes = 2000
    _ = try IngestStage.run(
      workspace: workspace, options: options, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
      showProgress: false)
  }

  private func workspace(_ name: String) throws -> Workspace {
    let workspace = try Workspace.create(at: folder + "/" + name)
    for source in ["a", "b"] {
      try FileManager.default.createDirectory(atPath: folder + "/input-\(source)", withIntermediateDirectories: true)
    }
    return workspace
  }

  private func dedup(_ workspace: Workspace, _ adjust: (inout DedupOptions) -> Void = { _ in }) throws -> DedupSummary {
    var options = DedupOptions()
    options.threads = 2
    adjust(&options)
    return try DedupStage.run(
      workspace: workspace, options: options, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
  }

  /// Dropped document path → (reason, survivor path, similarity).
  private func drops(_ workspace: Workspace) throws -> [String: (reason: String, survivor: String, similarity: Double)]
  {
    let store = try workspace.openStore()
    var result: [String: (String, String, Double)] = [:]
    for decision in try store.decisions(stage: "dedup") {
      let dropped = try XCTUnwrap(try store.document(id: decision.documentID))
      let survivor = try XCTUnwrap(try store.document(id: XCTUnwrap(decision.duplicateOf)))
      let source = { (id: Int64) in try store.source(id: id)!.name }
      result["\(try source(dropped.sourceID))/\(dropped.path)"] = (
        decision.reason, "\(try source(survivor.sourceID))/\(survivor.path)", decision.similarity ?? -1
      )
    }
    return result
  }

  /// A corpus with exact copies, planted near copies at known similarity, unrelated texts and
  /// short and wordless documents, over two sources.
  private func plantedCorpus(into workspace: Workspace) throws {
    let base = words(400, seed: 1)
    var edited = base
    for index in stride(from: 0, to: 400, by: 100) { edited[index] = "changed\(index)" }  // 4 words: Jaccard ≈ 0.90
    var distant = base
    for index in stride(from: 0, to: 400, by: 6) { distant[index] = "other\(index)" }  // every 6th: Jaccard ≈ 0.2
    try ingest(
      [
        "base.txt": base.joined(separator: " "),
        "exact-copy.txt": base.joined(separator: "  \n"),  // the same words, other white space
        "edited.txt": edited.joined(separator: " "),
        "distant.txt": distant.joined(separator: " "),
        "unrelated.txt": words(400, seed: 2).joined(separator: " "),
        "short.txt": "three short words",
        "wordless.txt": "!!! ??? ...",
      ], source: "a", into: workspace)
    try ingest(
      [
        "copy-in-b.txt": base.joined(separator: " "),
        "short-copy.txt": "three short words",
        "wordless-copy.txt": "!!! ??? ...",
      ], source: "b", into: workspace)
  }

  func testExactAndPlantedNearDuplicatesAreDroppedWithTheirSurvivor() throws {
    let workspace = try workspace("ws")
    try plantedCorpus(into: workspace)
    let summary = try dedup(workspace)
    XCTAssertEqual(summary.documents, 10)
    XCTAssertEqual(summary.withoutWords, 2)
    let drops = try drops(workspace)
    // Every copy of the base text names one survivor: the first by (source, id) among them.
    let baseCluster = [
      "a/input-a/base.txt", "a/input-a/exact-copy.txt", "b/input-b/copy-in-b.txt", "a/input-a/edited.txt",
    ]
    let survivors = Set(baseCluster.compactMap { drops[$0]?.survivor })
    XCTAssertEqual(survivors.count, 1)
    let survivor = try XCTUnwrap(survivors.first)
    XCTAssertTrue(survivor.hasPrefix("a/"), "a source registered earlier wins")
    XCTAssertNil(drops[survivor])
    // Ids are hashes, so which copy survives is fixed but not chosen here; the reason follows:
    // exact when the text equals the survivor's, near otherwise.
    let survivorIsEdited = survivor.contains("edited")
    for path in baseCluster where path != survivor {
      let drop = try XCTUnwrap(drops[path], path)
      let sameText = path.contains("edited") == survivorIsEdited
      XCTAssertEqual(drop.reason, sameText ? "exact" : "near", path)
      if sameText { XCTAssertEqual(drop.similarity, 1) } else { XCTAssertEqual(drop.similarity, 0.9, accuracy: 0.08) }
    }
    XCTAssertEqual(drops["b/input-b/short-copy.txt"]?.reason, "exact")
    XCTAssertEqual(drops["b/input-b/short-copy.txt"]?.survivor, "a/input-a/short.txt")
    XCTAssertEqual(drops["b/input-b/wordless-copy.txt"]?.survivor, "a/input-a/wordless.txt", "wordless: exact only")
    XCTAssertNil(drops["a/input-a/distant.txt"], "Jaccard about 0.2 stays")
    XCTAssertNil(drops["a/input-a/unrelated.txt"])
    XCTAssertEqual(drops.count, 5)
    XCTAssertEqual(summary.exactDrops + summary.nearDrops, 5)

    // Nothing is deleted from the parts.
    let store = try workspace.openStore()
    XCTAssertEqual(try store.allParts().reduce(0) { $0 + $1.part.documents }, 10)

    // --explain lists the cluster, survivor first.
    let explained = try DedupStage.explain(
      workspace: workspace, documentID: try store.decisions(stage: "dedup")[0].documentID)
    XCTAssertTrue(explained[0].hasPrefix("kept"))
    XCTAssertGreaterThan(explained.count, 1)
  }

  func testVerifyThresholdAndMethodsChangeWhatIsDropped() throws {
    let workspace = try workspace("ws")
    try plantedCorpus(into: workspace)
    XCTAssertEqual(try dedup(workspace) { $0.method = .exact }.nearDrops, 0)
    XCTAssertNil(try drops(workspace)["a/input-a/edited.txt"])
    let near = try dedup(workspace) {
      $0.method = .near
      $0.verifyThreshold = 0.99
    }
    XCTAssertGreaterThan(near.rejectedPairs, 0)
    let verified = try drops(workspace)
    XCTAssertEqual(
      verified.count, 3, "two copies of the base text and the short copy; wordless texts have no signature")
    XCTAssertTrue(verified.values.allSatisfy { $0.similarity >= 0.99 }, "0.9 similar is below a 0.99 check")
    XCTAssertFalse(verified.contains { $0.key.contains("edited") || $0.value.survivor.contains("edited") })
  }

  /// The array steps of a split run: every task's signatures, then the cluster step.
  private func signaturesAndCluster(_ workspace: Workspace, tasks: Int) throws {
    for task in 0..<tasks {
      _ = try dedup(workspace) {
        $0.step = .signatures
        $0.task = task
        $0.tasks = tasks
      }
    }
    _ = try dedup(workspace) {
      $0.step = .cluster
      $0.tasks = tasks
    }
  }

  func testDecisionsAreTheSameWhateverTheSplitAndRerunsDoNothing() throws {
    let single = try workspace("single")
    try plantedCorpus(into: single)
    _ = try dedup(single) { $0.threads = 1 }
    let split = try Workspace.create(at: folder + "/split")
    try plantedCorpus(into: split)
    try signaturesAndCluster(split, tasks: 4)
    for task in 0..<4 {
      _ = try dedup(split) {
        $0.step = .decide
        $0.task = task
        $0.tasks = 4
      }
    }
    let expected = try single.openStore().decisions(stage: "dedup")
    XCTAssertEqual(expected.count, 5)
    XCTAssertEqual(try split.openStore().decisions(stage: "dedup"), expected)
    // Across machines: signature tasks only read the store, one merge writes every decision.
    for tasks in [1, 3, 7] {
      let merged = try Workspace.create(at: folder + "/merged-\(tasks)")
      try plantedCorpus(into: merged)
      let runsBefore = try merged.openStoreForReading().stageRuns(stage: "dedup").count
      let storeBefore = try Data(contentsOf: URL(fileURLWithPath: merged.storePath))
      // With 3 tasks the store is mounted read-only while they run, where this machine allows.
      let undo = tasks == 3 ? TestSupport.mountReadOnly(merged.storePath) : nil
      for task in 0..<tasks {
        _ = try dedup(merged) {
          $0.step = .signatures
          $0.task = task
          $0.tasks = tasks
        }
      }
      undo?()
      XCTAssertEqual(
        try Data(contentsOf: URL(fileURLWithPath: merged.storePath)), storeBefore,
        "signature tasks do not write the store")
      XCTAssertEqual(try merged.openStoreForReading().stageRuns(stage: "dedup").count, runsBefore)
      _ = try dedup(merged) {
        $0.step = .cluster
        $0.tasks = tasks
      }
      XCTAssertEqual(
        try dedup(merged) {
          $0.step = .merge
          $0.tasks = tasks
        }.decisions, 5)
      XCTAssertEqual(try merged.openStore().decisions(stage: "dedup"), expected, "\(tasks) tasks")
      XCTAssertTrue(
        try dedup(merged) {
          $0.step = .merge
          $0.tasks = tasks
        }.nothingToDo, "merging twice does nothing")
    }
    XCTAssertTrue(try dedup(single) { $0.threads = 1 }.nothingToDo)
    _ = try dedup(single) { $0.shingleSize = 4 }
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: single.absolute("dedup")), [],
      "a whole run leaves no intermediate files, of its configuration or another")
    XCTAssertFalse(try dedup(single) { $0.force = true }.nothingToDo)
    XCTAssertEqual(try single.openStore().decisions(stage: "dedup"), expected, "no decision twice")
  }

  func testAResumedRunAfterAKillGivesTheSameDecisions() throws {
    let workspace = try workspace("ws")
    try plantedCorpus(into: workspace)
    // What a kill leaves: signatures of some tasks written, nothing clustered or decided.
    for task in 0..<2 {
      _ = try dedup(workspace) {
        $0.step = .signatures
        $0.task = task
        $0.tasks = 3
      }
    }
    _ = try dedup(workspace) { $0.tasks = 3 }
    let resumed = try workspace.openStore().decisions(stage: "dedup")
    let clean = try Workspace.create(at: folder + "/clean")
    try plantedCorpus(into: clean)
    _ = try dedup(clean)
    XCTAssertEqual(resumed, try clean.openStore().decisions(stage: "dedup"))
  }

  func testIntermediateFilesAreRemovedOnceTheStageCompletesUnlessKept() throws {
    func files(_ workspace: Workspace) -> [String] {
      (FileManager.default.enumerator(atPath: workspace.absolute("dedup"))?.compactMap { $0 as? String } ?? [])
        .filter { $0.hasSuffix(".bin") }
    }
    let workspace = try workspace("ws")
    try plantedCorpus(into: workspace)
    _ = try dedup(workspace) { $0.paragraphs = true }
    XCTAssertEqual(files(workspace), [])
    XCTAssertFalse(try workspace.openStore().decisions(stage: "dedup").isEmpty)
    // The files' layout is part of the configuration that names their folder.
    let config = try XCTUnwrap(try workspace.openStore().stageRuns(stage: "dedup").first?.config)
    XCTAssertTrue(config.contains("\"record_format\":\(RecordFile.version)"), config)
    _ = try dedup(workspace) {
      $0.paragraphs = true
      $0.force = true
      $0.keepIntermediates = true
    }
    XCTAssertTrue(files(workspace).contains { $0.hasSuffix("signatures-00000.bin") }, "\(files(workspace))")
    // A split run's files stay until its merge.
    let split = try Workspace.create(at: folder + "/split")
    try plantedCorpus(into: split)
    try signaturesAndCluster(split, tasks: 2)
    XCTAssertFalse(files(split).isEmpty)
    _ = try dedup(split) {
      $0.step = .merge
      $0.tasks = 2
    }
    XCTAssertEqual(files(split), [])
    XCTAssertEqual(try split.openStore().decisions(stage: "dedup"), try workspace.openStore().decisions(stage: "dedup"))
  }

  /// A memory budget far below the task's bucket entries sorts them to disk in runs: the same
  /// bucket files, the same decisions and spans.
  func testASmallMemoryBudgetSortsInRunsWithTheSameResults() throws {
    func bucketFiles(_ workspace: Workspace) throws -> [String: Data] {
      let root = workspace.absolute("dedup")
      var files: [String: Data] = [:]
      for name in FileManager.default.enumerator(atPath: root)?.compactMap({ $0 as? String }) ?? []
      where name.hasSuffix(".bin") {
        files[(name as NSString).lastPathComponent] = try Data(contentsOf: URL(fileURLWithPath: root + "/" + name))
      }
      return files
    }
    let unconstrained = try workspace("unconstrained")
    try plantedCorpus(into: unconstrained)
    _ = try dedup(unconstrained) {
      $0.paragraphs = true
      $0.keepIntermediates = true
    }
    let constrained = try workspace("constrained")
    try plantedCorpus(into: constrained)
    _ = try dedup(constrained) {
      $0.paragraphs = true
      $0.keepIntermediates = true
      $0.memoryBudget = 4_000
    }
    let expected = try bucketFiles(unconstrained)
    XCTAssertTrue(expected.keys.contains("band-000-00000.bin") && expected.keys.contains("paragraphs-00000.bin"))
    XCTAssertEqual(try bucketFiles(constrained), expected, "no run file is left, and the sorted files are the same")
    XCTAssertEqual(
      try constrained.openStore().decisions(stage: "dedup"), try unconstrained.openStore().decisions(stage: "dedup"))
    XCTAssertEqual(
      try constrained.openStore().removedSpans(stage: "dedup"),
      try unconstrained.openStore().removedSpans(stage: "dedup"))
    XCTAssertFalse(try unconstrained.openStore().decisions(stage: "dedup").isEmpty)
    // A budget of 4,000 bytes, half of it for 15 bucket files, holds one entry per file (with the
    // sort's scratch): every file here was sorted in runs.
    XCTAssertGreaterThan(
      expected["band-000-00000.bin"]!.count, RecordFile.headerSize + RecordFile.trailerSize + 6 * KeyedEntry.size)
  }

  func testACorruptedIntermediateFileIsNamed() throws {
    let workspace = try workspace("ws")
    try plantedCorpus(into: workspace)
    _ = try dedup(workspace) {
      $0.step = .signatures
      $0.tasks = 1
    }
    let folder = try XCTUnwrap(
      FileManager.default.enumerator(atPath: workspace.absolute("dedup"))?.compactMap { $0 as? String }
        .first { $0.hasSuffix("band-003-00000.bin") })
    let path = workspace.absolute("dedup/" + folder)
    var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: path)))
    bytes[30] ^= 0x01
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    XCTAssertThrowsError(
      try dedup(workspace) {
        $0.step = .cluster
        $0.tasks = 1
      }
    ) { error in
      XCTAssertEqual(error as? DedupError, .corruptFile(path: path, reason: "checksum mismatch"))
    }
    try Data(bytes.prefix(50)).write(to: URL(fileURLWithPath: path))
    XCTAssertThrowsError(
      try dedup(workspace) {
        $0.step = .cluster
        $0.tasks = 1
      }
    ) { error in
      guard case .corruptFile(path, _)? = error as? DedupError else { return XCTFail("\(error)") }
    }
  }

  func testClusterNeedsEveryTasksSignatures() throws {
    let workspace = try workspace("ws")
    try plantedCorpus(into: workspace)
    _ = try dedup(workspace) {
      $0.step = .signatures
      $0.task = 0
      $0.tasks = 2
    }
    XCTAssertThrowsError(
      try dedup(workspace) {
        $0.step = .cluster
        $0.tasks = 2
      }
    ) { error in
      XCTAssertEqual(error as? DedupError, .missingSignatures(tasks: [1], of: 2))
    }
  }

  func testParagraphsSeenBeforeAreRemovedAndTooShortRemaindersDropped() throws {
    let workspace = try workspace("ws")
    let boilerplate = "This edition is brought to you by the same publisher as every other one here."
    let ownA = words(30, seed: 11).joined(separator: " ")
    let ownB = words(30, seed: 12).joined(separator: " ")
    let documentA = "\(boilerplate)\n\(ownA)\n\(boilerplate)\n"
    try ingest(["first.txt": documentA], source: "a", into: workspace)
    let documentB = "\(words(30, seed: 13).joined(separator: " "))\n  \(boilerplate.uppercased())  \n"
    try ingest(
      [
        "second.txt": "\(ownB)\n\(boilerplate)\n",
        "mostly-boilerplate.txt": "\(boilerplate)\nonly five words of its own\n",
        "copy-of-first.txt": documentA,
        "case-differs.txt": documentB,
      ], source: "b", into: workspace)
    _ = try dedup(workspace) {
      $0.paragraphs = true
      $0.method = .exact
    }
    let store = try workspace.openStore()
    let byPath = { (path: String) throws -> DocumentRecord in
      try XCTUnwrap(
        try store.documents(sourceID: try store.source(named: path.hasPrefix("input-a") ? "a" : "b")!.id)
          .first { $0.path == path })
    }
    let first = try byPath("input-a/first.txt")
    let second = try byPath("input-b/second.txt")
    XCTAssertEqual(try store.removedSpans(stage: "dedup", documentID: first.id), [], "repeats inside one document stay")
    let spans = try store.removedSpans(stage: "dedup", documentID: second.id)
    XCTAssertEqual(spans.count, 1)
    let text = "\(ownB)\n\(boilerplate)\n"
    let bytes = Array(text.utf8)
    XCTAssertEqual(String(decoding: bytes[spans[0].start..<spans[0].end], as: UTF8.self), boilerplate + "\n")
    XCTAssertEqual(spans[0].duplicateOf, first.id)
    XCTAssertEqual(spans[0].reason, "paragraph")
    let decisions = Dictionary(uniqueKeysWithValues: try store.decisions(stage: "dedup").map { ($0.documentID, $0) })
    XCTAssertEqual(decisions[try byPath("input-b/mostly-boilerplate.txt").id]?.reason, "paragraph")
    XCTAssertEqual(decisions[try byPath("input-b/copy-of-first.txt").id]?.reason, "exact")
    XCTAssertEqual(try store.removedSpans(stage: "dedup", documentID: try byPath("input-b/copy-of-first.txt").id), [])
    XCTAssertEqual(
      try store.removedSpans(stage: "dedup", documentID: try byPath("input-b/case-differs.txt").id), [],
      "without --case-fold, upper case is another paragraph")
    _ = try dedup(workspace) {
      $0.paragraphs = true
      $0.method = .exact
      $0.caseFold = true
    }
    XCTAssertEqual(
      try store.removedSpans(stage: "dedup", documentID: try byPath("input-b/case-differs.txt").id).count, 1)
  }
}
