import Foundation
import HatcheryCore
import XCTest

@testable import Classifiers

final class FastTextTrainerTests: XCTestCase {
  /// Two topics with their own words and a few shared ones, in fastText's format.
  static func examples(count: Int) -> [FastTextTrainer.Example] {
    let fruit = ["apple", "banana", "cherry", "pear", "plum", "grape"]
    let car = ["wheel", "engine", "brake", "gear", "clutch", "tyre"]
    let shared = ["the", "a", "with", "and"]
    var random = SplitMix64.trainer(seed: 7)
    return (0..<count).map { index in
      let words = index % 2 == 0 ? fruit : car
      let text = (0..<6).map { position in
        position % 3 == 2 ? shared[Int(random.next() % 4)] : words[Int(random.next() % 6)]
      }.joined(separator: " ")
      return FastTextTrainer.Example(text: "__label__\(index % 2 == 0 ? "fruit" : "car") \(text)", labels: [])
    }
  }

  func testATrainedModelLearnsTheTopicsAndRoundTrips() throws {
    for loss in [FastTextArgs.Loss.softmax, .oneVsAll, .hierarchicalSoftmax] {
      var options = FastTextTrainer.Options()
      options.dim = 8
      options.epoch = 20
      options.lr = 0.5
      options.loss = loss
      options.wordNgrams = 2
      options.minn = 2
      options.maxn = 4
      options.bucket = 1000
      let (model, summary) = try FastTextTrainer.train(Self.examples(count: 200), options: options)
      XCTAssertEqual(summary.labels, 2)
      XCTAssertEqual(summary.words, 6 + 6 + 4 + 1, "\(loss): the words and </s>")
      XCTAssertEqual(
        model.dictionary.entry(0), ArraySlice(FastTextDictionary.endOfSentence),
        "</s> ends every example: the most frequent word")
      let predictor = FastTextPredictor(model: model)
      XCTAssertEqual(predictor.predict("apple cherry with plum").first?.label, "__label__fruit", "\(loss)")
      XCTAssertEqual(predictor.predict("engine and brake").first?.label, "__label__car", "\(loss)")
      // A word never seen reaches the model through its character n-grams.
      XCTAssertEqual(predictor.predict("apples").first?.label, "__label__fruit", "\(loss)")
      // Loaded twice, the bytes predict the same; the trained model (not prepared for
      // prediction: row by row) agrees with them to rounding.
      let loaded = FastTextPredictor(model: try FastTextModelTests.load(model.serialized())).predict("gear plum", k: 0)
      XCTAssertEqual(
        FastTextPredictor(model: try FastTextModelTests.load(model.serialized())).predict("gear plum", k: 0), loaded)
      let trained = predictor.predict("gear plum", k: 0)
      XCTAssertEqual(trained.map(\.label), loaded.map(\.label), "\(loss)")
      for (a, b) in zip(trained, loaded) { XCTAssertEqual(a.probability, b.probability, accuracy: 1e-6, "\(loss)") }
    }
  }

  func testOneThreadWithOneSeedTrainsTheSameModel() throws {
    var options = FastTextTrainer.Options()
    options.dim = 4
    options.epoch = 3
    let first = try FastTextTrainer.train(Self.examples(count: 50), options: options).0.serialized()
    let second = try FastTextTrainer.train(Self.examples(count: 50), options: options).0.serialized()
    XCTAssertEqual(first, second)
    options.seed = 1
    XCTAssertNotEqual(try FastTextTrainer.train(Self.examples(count: 50), options: options).0.serialized(), first)
  }

  func testExamplesAreReadFromFastTextLinesAndJSONL() throws {
    let lines = try FastTextTrainer.readExamples(
      path: "a.txt", bytes: Array("__label__x one two\n__label__y __label__z three\n".utf8))
    XCTAssertEqual(lines.map(\.text), ["__label__x one two", "__label__y __label__z three"])
    let records = try FastTextTrainer.readExamples(
      path: "a.jsonl",
      bytes: Array(
        #"{"text":"one two","label":"x"}"#.utf8 + [10] + #"{"text":"three","labels":["y","__label__z"]}"#.utf8 + [
          10, 10,
        ]))
    XCTAssertEqual(records.map(\.labels), [["__label__x"], ["__label__y", "__label__z"]])
    XCTAssertThrowsError(try FastTextTrainer.readExamples(path: "a.jsonl", bytes: Array(#"{"text":"no label"}"#.utf8)))
    {
      XCTAssertEqual($0 as? ClassifierError, .badExample(file: "a.jsonl:1", reason: "no 'label' or 'labels'"))
    }
    var options = FastTextTrainer.Options()
    options.dim = 4
    XCTAssertThrowsError(
      try FastTextTrainer.train([FastTextTrainer.Example(text: "no labels here", labels: [])], options: options)
    ) {
      guard case .nothingToLearn(let reason)? = $0 as? ClassifierError else { return XCTFail("\($0)") }
      XCTAssertTrue(reason.hasPrefix("no labels"), reason)
    }
  }
}
