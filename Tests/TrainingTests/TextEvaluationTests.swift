import Foundation
import HatcheryCore
import Tokenizer
import XCTest

@testable import Training

final class TextEvaluationTests: XCTestCase {
  /// One token per byte, and the end-of-text token when asked for.
  private func byteTokenizer(endOfText: Bool = true) throws -> Tokenizer {
    let tokens = (0..<256).map { [UInt8($0)] } + (endOfText ? [Array("<|endoftext|>".utf8)] : [])
    return try Tokenizer(
      pattern: .gpt4, tokens: tokens, merges: [], specialTokens: endOfText ? [("<|endoftext|>", 256)] : [],
      mergeRule: .listedMerges)
  }

  private let documents = [
    EvaluationDocument(text: Array("héllo".utf8), source: "a"),  // 6 bytes, 5 characters
    EvaluationDocument(text: Array("abc".utf8), source: "b"),
    EvaluationDocument(text: Array("a longer one, cut into windows".utf8), source: "a"),
  ]

  /// A model whose weights are all zero gives every token the same probability 1/V, so each
  /// predicted token costs ln V: bits per byte is log2(V) when every byte is one token.
  func testBitsPerByteOfAUniformModelByHand() throws {
    let tokenizer = try byteTokenizer()
    let model = try GPT(
      config: GPTConfig(vocabularySize: 257, context: 8, layers: 1, heads: 1, channels: 4), batch: 2, sequence: 4,
      threads: 1)
    let result = try TextEvaluator(model: model, tokenizer: tokenizer).evaluate(
      EvaluationSet(name: "hand", documents: documents))
    let bytes = 6 + 3 + 30
    XCTAssertEqual(result.total.documents, 3)
    XCTAssertEqual(result.total.bytes, bytes)
    XCTAssertEqual(result.total.characters, bytes - 1)
    XCTAssertEqual(result.total.tokens, bytes)
    XCTAssertEqual(result.total.nats, Double(bytes) * log(257.0), accuracy: 1e-3)
    XCTAssertEqual(result.total.bitsPerByte, log2(257.0), accuracy: 1e-5)
    XCTAssertEqual(result.total.bitsPerCharacter, Double(bytes) * log2(257.0) / Double(bytes - 1), accuracy: 1e-5)
    XCTAssertEqual(result.total.lossPerToken, log(257.0), accuracy: 1e-5)
    XCTAssertEqual(result.sources["a"]?.documents, 2)
    XCTAssertEqual(result.sources["a"]?.bytes, 36)
    XCTAssertEqual(result.sources["b"]?.bytes, 3)
    XCTAssertEqual(result.sources["b"]!.nats, 3 * log(257.0), accuracy: 1e-4)

    // Without an end-of-text token the first token of each document is only context.
    let plain = try byteTokenizer(endOfText: false)
    let small = try GPT(
      config: GPTConfig(vocabularySize: 256, context: 8, layers: 1, heads: 1, channels: 4), batch: 2, sequence: 4,
      threads: 1)
    let withoutStart = try TextEvaluator(model: small, tokenizer: plain).evaluate(
      EvaluationSet(name: "plain", documents: documents))
    XCTAssertEqual(withoutStart.total.bytes, bytes - 3)
    XCTAssertEqual(withoutStart.total.tokens, bytes - 3)
    XCTAssertEqual(withoutStart.total.bitsPerByte, 8, accuracy: 1e-5)
  }

  /// With real weights the loss depends on the context: the batched windows must give what
  /// scoring each document alone, one position at a time, gives — context restarting every
  /// `sequence` tokens.
  func testWindowsAndBatchesGiveTheLossOfEachTokenInItsContext() throws {
    let tokenizer = try byteTokenizer()
    let config = GPTConfig(vocabularySize: 257, context: 8, layers: 2, heads: 2, channels: 8)
    let model = try GPT(config: config, batch: 3, sequence: 5, threads: 1)
    model.initializeParameters(seed: 5)
    for i in 0..<model.parameters.count { model.parameters[i] *= 8 }
    let result = try TextEvaluator(model: model, tokenizer: tokenizer).evaluate(
      EvaluationSet(name: "context", documents: documents))

    let single = try GPT(config: config, batch: 1, sequence: 1, threads: 1)
    single.parameters.baseAddress!.update(from: model.parameters.baseAddress!, count: model.parameters.count)
    let generator = Generator(model: single)
    var expected: [String: Double] = [:]
    for document in documents {
      let sequence = [UInt32(256)] + document.text.map(UInt32.init)
      for position in 0..<sequence.count - 1 {
        if position % 5 == 0 { generator.reset() }
        let logits = generator.next(sequence[position]).map(Double.init)
        let maximum = logits.max()!
        let logSum = maximum + log(logits.reduce(0) { $0 + exp($1 - maximum) })
        expected[document.source, default: 0] += logSum - logits[Int(sequence[position + 1])]
      }
    }
    XCTAssertGreaterThan(abs(expected["a"]! / 36 - log(257.0)), 0.05, "the weights must make the context matter")
    for source in ["a", "b"] {
      XCTAssertEqual(result.sources[source]!.nats, expected[source]!, accuracy: 1e-3 * expected[source]!, source)
    }
  }

  func testSetsReadFromFilesAndFolders() throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("eval-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder + "/set/books", withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try Data("one book\n".utf8).write(to: URL(fileURLWithPath: folder + "/set/books/one.txt"))
    try Data("{\"text\": \"web page\", \"source\": \"web\"}\n\n{\"text\": \"no source\"}\n{\"text\": \"\"}\n".utf8)
      .write(to: URL(fileURLWithPath: folder + "/set/mixed.jsonl"))
    let set = try EvaluationSet.load(name: "s", path: folder + "/set")
    XCTAssertEqual(
      set.documents,
      [
        EvaluationDocument(text: Array("one book\n".utf8), source: "books/one.txt"),
        EvaluationDocument(text: Array("web page".utf8), source: "web"),
        EvaluationDocument(text: Array("no source".utf8), source: "mixed.jsonl"),
      ])
    XCTAssertEqual(try EvaluationSet.parse("held=out/x.jsonl").name, "held")
    XCTAssertEqual(try EvaluationSet.parse("out/x.jsonl").name, "x")
    XCTAssertEqual(try EvaluationSet.parse("out/a=b/x.jsonl").path, "out/a=b/x.jsonl")
    XCTAssertEqual(try EvaluationSet.parse("/usr/share/common-licenses/Apache-2.0").name, "Apache-2.0")

    // A fixed sample: whole documents while they fit, the next cut at a character boundary.
    let sample = set.prefix(bytes: 13)
    XCTAssertEqual(sample.documents.map { String(decoding: $0.text, as: UTF8.self) }, ["one book\n", "web "])
    let accented = EvaluationSet(name: "e", documents: [EvaluationDocument(text: Array("aé".utf8), source: "s")])
    XCTAssertEqual(accented.prefix(bytes: 2).documents.map(\.text), [[UInt8(ascii: "a")]])

    try Data("{\"text\": \"fine\"}\n{\"title\": \"no text\"}\n".utf8).write(
      to: URL(fileURLWithPath: folder + "/bad.jsonl"))
    XCTAssertThrowsError(try EvaluationSet.load(name: "bad", path: folder + "/bad.jsonl")) { error in
      XCTAssertEqual("\(error)", "\(folder)/bad.jsonl:2: no \"text\" string")
    }
    XCTAssertThrowsError(try EvaluationSet.load(name: "none", path: folder + "/missing"))
  }
}
