import Classifiers
import Foundation
import HatcheryCore
import Ingest
import Licensing
import Logging
import Reporting
import XCTest

@testable import Filters

/// fastText classifiers in the filter stage: scores kept per part, drops below a threshold,
/// the language from a classifier, and N tasks equal to one process.
final class ClassifierFilterTests: XCTestCase {
  var folder: String!

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "hatchery-classifier-filter-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder + "/in", withIntermediateDirectories: true)
    // A topic model: fruit against car words.
    let fruit = ["apple", "banana", "cherry", "pear", "plum", "grape"]
    let car = ["wheel", "engine", "brake", "gear", "clutch", "tyre"]
    let examples = (0..<200).map { index in
      let words = index % 2 == 0 ? fruit : car
      return FastTextTrainer.Example(
        text: (0..<5).map { words[($0 * 7 + index) % 6] }.joined(separator: " "),
        labels: [index % 2 == 0 ? "__label__fruit" : "__label__car"])
    }
    var options = FastTextTrainer.Options()
    options.dim = 8
    options.epoch = 20
    options.lr = 0.5
    try FastTextTrainer.train(examples, options: options).0.save(to: folder + "/topic.bin")
    for index in 0..<6 {
      let words = index % 2 == 0 ? fruit : car
      // Different mixes of the words, so the documents score differently.
      try (0..<30).map { words[($0 * (index / 2 + 1) + index) % 6] }.joined(separator: " ")
        .write(toFile: folder + "/in/doc-\(index).txt", atomically: false, encoding: .utf8)
    }
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: folder)
  }

  func workspace(_ name: String) throws -> Workspace {
    try ingestedWorkspace(at: folder + "/" + name, inputs: folder + "/in")
  }

  func testAClassifierDropsBelowItsThresholdAndEveryScoreIsKept() throws {
    let config = try FilterConfig.parse(
      """
      rules: []
      classifiers:
        - {name: topic, model: topic.bin, label: fruit, threshold: 0.5, action: drop}
        - {name: carness, model: topic.bin, label: __label__car, action: score}
      """, relativeTo: folder)
    let workspace = try workspace("ws")
    let summary = try FilterStage.run(workspace: workspace, config: config, threads: 2)
    XCTAssertEqual(summary.dropped, ["classifier_topic": 3])
    let store = try workspace.openStoreForReading()
    let decisions = try store.decisions(stage: "filter")
    XCTAssertEqual(decisions.count, 3)
    XCTAssertTrue(
      decisions.allSatisfy { $0.reason.hasPrefix("classifier_topic") && ($0.score ?? 1) < 0.5 }, "\(decisions)")
    let documents = try store.documents(sourceID: 1)
    XCTAssertEqual(documents.count, 6)
    for document in documents {
      let part = document.part
      let text = try String(
        contentsOfFile: folder + "/in/" + document.path.split(separator: "/").last!, encoding: .utf8)
      let scores = try store.classifierScores(sourceID: 1, part: part)
      XCTAssertEqual(scores.map(\.classifier), ["carness", "topic"])
      XCTAssertEqual(scores.map(\.scores.count), [1, 1])
      // The stored score is the model's probability of the label for the document.
      let predictor = FastTextPredictor(model: try FastTextModel(path: folder + "/topic.bin"))
      XCTAssertEqual(
        scores[1].scores[0], predictor.predict(text, k: 0).first { $0.label == "__label__fruit" }!.probability,
        accuracy: 1e-6)
      XCTAssertEqual(
        scores[1].scores[0] >= 0.5,
        ["apple", "banana", "cherry", "pear", "plum", "grape"].contains { text.contains($0) }, text)
      let trace = try DocumentTrace.lines(workspace: workspace, documentID: document.id)
      XCTAssertTrue(trace.contains { $0.hasPrefix("score     topic: ") && $0.contains("__label__fruit") }, "\(trace)")
    }
    let audit = try AuditReport(workspace: workspace)
    XCTAssertEqual(audit.classifiers.map(\.name), ["carness", "topic"])
    XCTAssertEqual(audit.classifiers.map(\.documents), [6, 6])
    // Percentiles are the scores at ascending positions ⌊6 · p⌋.
    let topic = try (0..<6).map { try store.classifierScores(sourceID: 1, part: $0)[1].scores[0] }.sorted()
    XCTAssertEqual(audit.classifiers[1].percentiles, [topic[0], topic[3], topic[5]])
    XCTAssertEqual(audit.classifiers[1].mean, topic.reduce(0.0) { $0 + Double($1) } / 6, accuracy: 1e-9)
    XCTAssertTrue(audit.render(.md).contains("| topic | __label__fruit | 6 |"), audit.render(.md))
    // Without classifiers the scores go with the decisions.
    _ = try FilterStage.run(workspace: workspace, config: try FilterConfig.parse("rules: []"))
    XCTAssertEqual(try workspace.openStoreForReading().classifierScores(sourceID: 1, part: 0), [])
  }

  func testAClassifierCanNameTheLanguage() throws {
    let config = try FilterConfig.parse(
      """
      rules: []
      languages: [fruit]
      language_classifier: topic
      classifiers: [{name: topic, model: topic.bin, action: score}]
      """, relativeTo: folder)
    let summary = try FilterStage.run(workspace: try workspace("ws"), config: config, threads: 1)
    XCTAssertEqual(summary.dropped, ["language": 3])
    XCTAssertThrowsError(try FilterConfig.parse("languages: [en]\nlanguage_classifier: lid\n")) {
      guard case .badConfiguration(_, let reason)? = $0 as? FilterError else { return XCTFail("\($0)") }
      XCTAssertTrue(reason.hasPrefix("language_classifier 'lid' is not one of the classifiers"), reason)
    }
    XCTAssertThrowsError(
      try FilterConfig.parse("classifiers: [{name: q, model: topic.bin, label: nope}]", relativeTo: folder)
    ) {
      guard case .badFile(let path, let reason)? = $0 as? FilterError else { return XCTFail("\($0)") }
      XCTAssertEqual(path, folder + "/topic.bin")
      XCTAssertTrue(reason.hasPrefix("the model has no label '__label__nope'"), reason)
    }
    XCTAssertThrowsError(
      try FilterConfig.parse(
        "classifiers: [{name: q, model: topic.bin, threshold: 0.2, keep_top_fraction: 0.1}]", relativeTo: folder)
    ) {
      guard case .badConfiguration(_, let reason)? = $0 as? FilterError else { return XCTFail("\($0)") }
      XCTAssertTrue(reason.hasSuffix("give threshold or keep_top_fraction, not both"), reason)
    }
  }

  func testKeepTopFractionKeepsTheBestScoresOfWhatTheOtherRulesKept() throws {
    // `fruit` drops the three car documents by its threshold; `best` keeps the top half of the
    // three left (two, rounded up) by their exact scores.
    let config = try FilterConfig.parse(
      """
      rules: []
      classifiers:
        - {name: fruit, model: topic.bin, label: fruit, threshold: 0.5}
        - {name: best, model: topic.bin, label: fruit, keep_top_fraction: 0.5}
      """, relativeTo: folder)
    let workspace = try workspace("ws")
    let summary = try FilterStage.run(workspace: workspace, config: config, threads: 2)
    XCTAssertEqual(summary.dropped, ["classifier_fruit": 3, "classifier_best": 1])
    let store = try workspace.openStoreForReading()
    let decisions = try store.decisions(stage: "filter")
    let best = try XCTUnwrap(decisions.first { $0.reason == "classifier_best: __label__fruit outside the top 0.5" })
    // The one dropped is the lowest-scoring fruit document.
    let documents = try store.documents(sourceID: 1)
    let fruitScores = try documents.map { document in
      (document.id, try store.classifierScores(sourceID: 1, part: document.part)[1].scores[0])
    }
    .filter { $0.1 >= 0.5 }.sorted { $0.1 < $1.1 }
    XCTAssertEqual(best.documentID, fruitScores.first?.0)
  }

  func testTasksGiveTheScoresAndDecisionsOfOneProcess() throws {
    try checkTasksEqualOneProcess(
      "rules: []\nclassifiers: [{name: topic, model: topic.bin, label: fruit, threshold: 0.5}]\n", expectedRows: 3 + 6)
    try checkTasksEqualOneProcess(
      "rules: []\nclassifiers: [{name: topic, model: topic.bin, label: car, keep_top_fraction: 0.3}]\n",
      expectedRows: 4 + 6)
  }

  private func checkTasksEqualOneProcess(_ yaml: String, expectedRows: Int) throws {
    let config = try FilterConfig.parse(yaml, relativeTo: folder)
    let run = UUID().uuidString.prefix(6)
    func rows(_ workspace: Workspace) throws -> [String] {
      try workspace.openStoreForReading().read { db in
        try String.fetchAll(
          db,
          sql: """
            SELECT document_id || '|' || action || '|' || reason || '|' || coalesce(score, '') FROM decisions WHERE stage = 'filter'
            UNION ALL SELECT classifier || '|' || part || '|' || label || '|' || hex(scores) FROM classifier_scores
            ORDER BY 1
            """)
      }
    }
    let single = try workspace("single-\(run)")
    _ = try FilterStage.run(workspace: single, config: config, threads: 2)
    let expected = try rows(single)
    XCTAssertEqual(expected.count, expectedRows)
    for tasks in [1, 3] {
      let split = try workspace("split-\(tasks)-\(run)")
      for task in 0..<tasks {
        _ = try FilterStage.run(workspace: split, config: config, step: .task, task: task, tasks: tasks)
      }
      XCTAssertTrue(try rows(split).isEmpty, "tasks do not write the store")
      _ = try FilterStage.run(workspace: split, config: config, step: .merge, tasks: tasks)
      XCTAssertEqual(try rows(split), expected, "\(tasks) tasks")
    }
  }
}
