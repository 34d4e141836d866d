import Foundation
import HatcheryCore
import XCTest

@testable import Classifiers

/// fastText models written for these tests, byte by byte in fastText's layout, and checked
/// against probabilities worked out by hand.
final class FastTextModelTests: XCTestCase {
  /// A two-dimensional softmax model: `</s>` = (0, 0), `good` = (1, 0), `bad` = (0, 1);
  /// `pos` scores 2·x, `neg` 2·y.
  static func tinyModel(
    loss: FastTextArgs.Loss = .softmax, version: Int32 = 12, minn: Int32 = 0, maxn: Int32 = 0, bucket: Int32 = 0
  ) -> [UInt8] {
    var writer = FastTextWriter()
    writer.put(FastTextFile.magic)
    writer.put(version)
    var args = FastTextArgs()
    args.dim = 2
    args.loss = loss
    args.bucket = bucket
    args.minn = minn
    args.maxn = maxn
    args.write(to: &writer)
    let entries: [(String, Int64, Int8)] = [
      ("</s>", 10, 0), ("good", 5, 0), ("bad", 4, 0), ("__label__pos", 6, 1), ("__label__neg", 4, 1),
    ]
    writer.put(Int32(entries.count))
    writer.put(Int32(3))
    writer.put(Int32(2))
    writer.put(Int64(19))
    writer.put(Int64(-1))
    for (word, count, type) in entries {
      writer.bytes.append(contentsOf: Array(word.utf8) + [0])
      writer.put(count)
      writer.bytes.append(UInt8(bitPattern: type))
    }
    writer.put(false)
    writer.put(Int64(3 + Int(bucket)))
    writer.put(Int64(2))
    writer.put([0, 0, 1, 0, 0, 1] + [Float](repeating: 0.25, count: 2 * Int(bucket)))
    writer.put(false)
    writer.put(Int64(2))
    writer.put(Int64(2))
    writer.put([2, 0, 0, 2] as [Float])
    return writer.bytes
  }

  static func load(_ bytes: [UInt8]) throws -> FastTextModel {
    try bytes.withUnsafeBytes { raw in
      var reader = FastTextReader(bytes: raw, file: "tiny.bin")
      return try FastTextModel(reading: &reader)
    }
  }

  func testTheTinyModelGivesTheHandComputedProbabilities() throws {
    let predictor = FastTextPredictor(model: try Self.load(Self.tinyModel()))
    // "good" + </s>: hidden (0.5, 0); logits pos 1, neg 0; softmax e/(e+1). fastText reports
    // exp(log(p + 1e-5)).
    let pos = Float(exp(1.0) / (exp(1.0) + 1))
    let good = predictor.predict("good", k: 0)
    XCTAssertEqual(good.map(\.label), ["__label__pos", "__label__neg"])
    XCTAssertEqual(good[0].probability, pos + 1e-5, accuracy: 1e-6)
    XCTAssertEqual(good[1].probability, 1 - pos + 1e-5, accuracy: 1e-6)
    // "good bad" + </s>: hidden (1/3, 1/3): equal logits.
    XCTAssertEqual(predictor.predict("good bad", k: 0).map(\.probability), [0.50001, 0.50001])
    // Label tokens are not words; newlines are spaces; -k 1 gives the best.
    XCTAssertEqual(predictor.predict("__label__neg good\n", k: 1).map(\.label), ["__label__pos"])
    // "bad bad bad" + </s>: hidden (0, 0.75): neg e^1.5/(e^1.5+1).
    let neg = Float(exp(1.5) / (exp(1.5) + 1))
    XCTAssertEqual(predictor.predict("bad  bad\tbad").first?.probability ?? 0, neg + 1e-5, accuracy: 1e-6)
    // A threshold above both leaves nothing.
    XCTAssertEqual(predictor.predict("good", k: 0, threshold: 0.9), [])
  }

  func testEqualProbabilitiesAreOrderedAsFastTextsHeapOrdersThem() throws {
    let predictor = FastTextPredictor(model: try Self.load(Self.tinyModel()))
    // An unknown word and </s>: hidden (0, 0), both 0.5. With k = 1 fastText's heap keeps the
    // later label; with all labels its sort_heap puts the later one first too.
    XCTAssertEqual(predictor.predict("unseen").map(\.label), ["__label__neg"])
    XCTAssertEqual(predictor.predict("unseen", k: 0).map(\.label), ["__label__neg", "__label__pos"])
  }

  func testOneVersusAllUsesFastTextsSigmoidTable() throws {
    let predictor = FastTextPredictor(model: try Self.load(Self.tinyModel(loss: .oneVsAll)))
    // "good": logit pos 1 → table index Int((1 + 8) · 32) = 288 → x = 288·16/512 − 8 = 1.0.
    let result = predictor.predict("good", k: 0)
    XCTAssertEqual(result[0].label, "__label__pos")
    XCTAssertEqual(result[0].probability, Float(1 / (1 + exp(-1.0))) + 1e-5, accuracy: 1e-6)
    XCTAssertEqual(result[1].probability, 0.5 + 1e-5, accuracy: 1e-6)
  }

  func testHierarchicalSoftmaxWalksFastTextsTree() throws {
    let predictor = FastTextPredictor(model: try Self.load(Self.tinyModel(loss: .hierarchicalSoftmax)))
    // Two labels: the root (node 2) takes the rarer label as its left child (neg, 4) and the
    // other as its right (pos, 6); its row is the output matrix's first, (2, 0). "good":
    // f = σ(1); right (pos) f, left (neg) 1 − f.
    let f = Float(1 / (1 + exp(-1.0)))
    let result = predictor.predict("good", k: 0)
    XCTAssertEqual(result.map(\.label), ["__label__pos", "__label__neg"])
    XCTAssertEqual(result[0].probability, f + 1e-5, accuracy: 1e-5)
    XCTAssertEqual(result[1].probability, 1 - f + 1e-5, accuracy: 1e-5)
  }

  func testOnePassGivesTheLabelsProbabilityAndTheBest() throws {
    for loss in [FastTextArgs.Loss.softmax, .oneVsAll, .hierarchicalSoftmax] {
      let predictor = FastTextPredictor(model: try Self.load(Self.tinyModel(loss: loss)))
      for text in ["good", "bad bad", "good bad unseen"] {
        let both = Array(text.utf8).withUnsafeBytes { predictor.probability(of: 1, withBestIn: $0) }
        XCTAssertEqual(
          both.probability, Array(text.utf8).withUnsafeBytes { predictor.probability(of: 1, in: $0) }, "\(loss) \(text)"
        )
        let top = Array(text.utf8).withUnsafeBytes { predictor.top($0) }
        XCTAssertEqual(both.best?.index, top?.index, "\(loss) \(text)")
        XCTAssertEqual(both.best?.probability, top?.probability, "\(loss) \(text)")
      }
    }
  }

  func testHashesAndCharacterNgramsAreFastTexts() throws {
    // FNV-1a with each byte sign-extended (values from a reimplementation of fastText's
    // Dictionary::hash in Python).
    XCTAssertEqual(Array("a".utf8).withUnsafeBytes { FastTextDictionary.hash($0) }, 0xe40c_292c)
    XCTAssertEqual(Array("é".utf8).withUnsafeBytes { FastTextDictionary.hash($0) }, 0x3cfa_68c1)
    var args = FastTextArgs()
    args.minn = 1
    args.maxn = 2
    args.bucket = 1000
    let dictionary = FastTextDictionary(args: args)
    var rows: [Int32] = []
    // "<é>": n-grams "<é", "é", "é>" (one-character n-grams at either end are left out);
    // buckets hash % 1000, after the dictionary's 0 words.
    Array("<é>".utf8).withUnsafeBytes { dictionary.characterNgrams($0, into: &rows) }
    XCTAssertEqual(rows, [627, 777, 781])
    // Word bigrams of good, bad, </s> over signed hashes widened to 64 bits.
    let hashes = ["good", "bad", "</s>"].map {
      Int32(bitPattern: Array($0.utf8).withUnsafeBytes { FastTextDictionary.hash($0) })
    }
    XCTAssertEqual(hashes, [-94_359_080, 1_622_628_984, -677_604_519])
    rows = []
    dictionary.wordNgrams(hashes, n: 2, into: &rows)
    XCTAssertEqual(rows, [920, 545])
  }

  func testSubwordsReachUnknownWordsAndVersion11DropsThem() throws {
    // With subwords every n-gram row is (0.25, 0.25): an unknown word is no longer empty.
    let subwords = FastTextPredictor(model: try Self.load(Self.tinyModel(minn: 1, maxn: 2, bucket: 50)))
    let unknown = subwords.predict("zz", k: 0)
    XCTAssertEqual(unknown.count, 2)
    XCTAssertEqual(unknown[0].probability, 0.50001, accuracy: 1e-6)
    let version11 = try Self.load(Self.tinyModel(version: 11, minn: 1, maxn: 2, bucket: 50))
    XCTAssertEqual(version11.args.maxn, 0, "fastText reads version-11 classifiers without subwords")
  }

  /// The tiny model with its input matrix product-quantized: one sub-quantizer of two values,
  /// centroid 1 = (1, 0), centroid 2 = (0, 1); with `norm`, every row's norm code 0 = `norm`.
  static func quantizedTinyModel(norm: Float?) -> [UInt8] {
    let dense = tinyModel()
    // Everything up to the input matrix's flag is the dense model's.
    let headerAndDictionary = Array(dense[..<(dense.count - (1 + 16 + 24) - (1 + 16 + 16))])
    var writer = FastTextWriter()
    writer.bytes = headerAndDictionary
    writer.put(true)
    writer.put(norm != nil)
    writer.put(Int64(3))
    writer.put(Int64(2))
    writer.put(Int32(3))
    writer.bytes.append(contentsOf: [0, 1, 2] as [UInt8])
    var centroids = [Float](repeating: 0, count: 2 * 256)
    centroids[2] = 1
    centroids[5] = 1
    for value in [2, 1, 2, 2] as [Int32] { writer.put(value) }
    writer.put(centroids)
    if let norm {
      writer.bytes.append(contentsOf: [0, 0, 0] as [UInt8])
      for value in [1, 1, 1, 1] as [Int32] { writer.put(value) }
      writer.put([norm] + [Float](repeating: 0, count: 255))
    }
    writer.put(false)
    writer.put(Int64(2))
    writer.put(Int64(2))
    writer.put([2, 0, 0, 2] as [Float])
    return writer.bytes
  }

  func testQuantizedInputRowsAreDecodedFromTheirCentroidsAndNorms() throws {
    let plain = try Self.load(Self.quantizedTinyModel(norm: nil))
    XCTAssertTrue(plain.isQuantized)
    XCTAssertEqual(
      FastTextPredictor(model: plain).predict("good bad", k: 0),
      FastTextPredictor(model: try Self.load(Self.tinyModel())).predict("good bad", k: 0))
    XCTAssertEqual(
      FastTextPredictor(model: plain).predict("good").first?.probability ?? 0, Float(exp(1.0) / (exp(1.0) + 1)) + 1e-5,
      accuracy: 1e-6)
    // Norm 2 doubles every row: "good" gives logits 2 and 0.
    let scaled = try Self.load(Self.quantizedTinyModel(norm: 2))
    XCTAssertEqual(
      FastTextPredictor(model: scaled).predict("good").first?.probability ?? 0, Float(exp(2.0) / (exp(2.0) + 1)) + 1e-5,
      accuracy: 1e-6)
    XCTAssertEqual(scaled.serialized(), Self.quantizedTinyModel(norm: 2))
  }

  func testAModelRoundTripsThroughItsBytes() throws {
    for bytes in [Self.tinyModel(), Self.tinyModel(loss: .oneVsAll, minn: 2, maxn: 3, bucket: 20)] {
      let model = try Self.load(bytes)
      XCTAssertEqual(model.serialized(), bytes)
      let again = FastTextPredictor(model: try Self.load(model.serialized()))
      XCTAssertEqual(again.predict("good bad zz", k: 0), FastTextPredictor(model: model).predict("good bad zz", k: 0))
    }
  }

  func testDamagedModelsAreErrorsNamingTheByteNeverCrashes() throws {
    let bytes = Self.tinyModel(minn: 1, maxn: 2, bucket: 4)
    for length in 0..<bytes.count {
      XCTAssertThrowsError(try Self.load(Array(bytes[..<length])), "truncated at \(length)") { error in
        XCTAssertTrue(error is FastTextError, "\(error)")
        XCTAssertTrue("\(error)".hasPrefix("tiny.bin: byte "), "\(error)")
      }
    }
    var wrongMagic = bytes
    wrongMagic[0] ^= 0xFF
    XCTAssertThrowsError(try Self.load(wrongMagic)) { XCTAssertTrue("\($0)".contains("not a fastText model"), "\($0)") }
    var newer = bytes
    newer[4] = 13
    XCTAssertThrowsError(try Self.load(newer)) { XCTAssertTrue("\($0)".contains("version 13"), "\($0)") }
    // Random mutations: a load either fails with an error or gives a model that predicts.
    var generator = SplitMix64(seed: 14)
    for _ in 0..<500 {
      var mutated = bytes
      for _ in 0..<Int.random(in: 1...4, using: &generator) {
        mutated[Int.random(in: 0..<mutated.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
      }
      if let model = try? Self.load(mutated) {
        _ = FastTextPredictor(model: model).predict("good bad zz é", k: 0)
      }
    }
  }
}
