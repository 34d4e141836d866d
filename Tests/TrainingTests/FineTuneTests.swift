import Foundation
import HatcheryCore
import Tokenizer
import XCTest

@testable import Training

final class FineTuneTests: XCTestCase {
  private func tokenizer() throws -> Tokenizer {
    let tokens = (0..<256).map { [UInt8($0)] } + [Array("<|endoftext|>".utf8)]
    return try Tokenizer(
      pattern: .gpt4, tokens: tokens, merges: [], specialTokens: [("<|endoftext|>", 256)], mergeRule: .listedMerges)
  }

  func testTheTemplateTrainsOnlyTheAssistantsTokens() throws {
    let extended = try ChatExamples.extend(try tokenizer())
    XCTAssertEqual(extended.vocabularySize, 261)
    XCTAssertEqual(try ChatExamples.extend(extended).vocabularySize, 261, "tokens already there are not added twice")
    let chat = ChatExamples(
      path: "sft.jsonl",
      bytes: Array(
        """
        {"prompt": "2+2?", "response": "4"}
        not json
        {"messages": [{"role": "system", "content": "be brief"}, {"role": "user", "content": "hi"}, {"role": "assistant", "content": "yo"}]}
        {"messages": [{"role": "user", "content": "no answer"}]}
        """.utf8))
    XCTAssertEqual(chat.examples.count, 2)
    XCTAssertEqual(chat.skipped.count, 2)
    XCTAssertTrue(chat.skipped[0].hasPrefix("sft.jsonl:2:"), chat.skipped[0])
    XCTAssertTrue(chat.skipped[1].hasPrefix("sft.jsonl:4:"), chat.skipped[1])
    let encoded = ChatExamples.encode(chat.examples[0], tokenizer: extended)
    // <|user|> 2 + 2 ? <|end|> <|assistant|> 4 <|end|>
    XCTAssertEqual(encoded.tokens, [258, 50, 43, 50, 63, 260, 259, 52, 260])
    XCTAssertEqual(encoded.trained, [false, false, false, false, false, false, false, true, true])
  }

  /// Only the assistant's tokens are targets; the prompt's positions are ignored, and an ignored
  /// position's loss gradient is zero (GradientTests checks that in the cross-entropy), so the
  /// model's gradient is the same whatever the prompt's next tokens would have been.
  func testPromptPositionsAreMaskedAndAddNoGradient() throws {
    let extended = try ChatExamples.extend(try tokenizer())
    let example = ChatExamples.encode(
      [.init(role: "user", content: "2+2?"), .init(role: "assistant", content: "4")], tokenizer: extended)
    let config = GPTConfig(vocabularySize: extended.vocabularySize, context: 12, layers: 1, heads: 2, channels: 8)
    let model = try GPT(config: config, batch: 1, sequence: 12, threads: 1)
    model.initializeParameters(seed: 5)
    FineTuner.place(example, row: 0, in: model, padding: 256)
    XCTAssertEqual(
      Array(model.targets), [-1, -1, -1, -1, -1, -1, 52, 260, -1, -1, -1, -1],
      "only '4' and the closing <|end|> are predicted")
    XCTAssertEqual(Array(model.inputs.prefix(9)), example.tokens.map(Int32.init))
    model.zeroGradients()
    model.forward()
    model.backward()
    let masked = Array(model.gradients)
    // Train the prompt positions too: the gradient changes, so the mask is what kept them out.
    for t in 0..<5 { model.targets[t] = model.inputs[t + 1] }
    model.zeroGradients()
    model.forward()
    model.backward()
    XCTAssertNotEqual(Array(model.gradients), masked)
  }

  /// `evaluate --input`: windows of sequence + 1 tokens in order, inputs and targets one apart;
  /// too few tokens and a token outside the vocabulary are refused, naming the file.
  func testTheLossOfWindowsReadsInputsAndTargetsInOrder() throws {
    let config = GPTConfig(vocabularySize: 23, context: 4, layers: 1, heads: 2, channels: 8)
    let model = try GPT(config: config, batch: 2, sequence: 4, threads: 1)
    model.initializeParameters(seed: 3)
    let ids: [UInt32] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 99]
    let loss = try model.loss(windowsOf: ids, source: "ids.bin")
    XCTAssertEqual(Array(model.inputs), [1, 2, 3, 4, 6, 7, 8, 9])
    XCTAssertEqual(Array(model.targets), [2, 3, 4, 5, 7, 8, 9, 10])
    XCTAssertEqual(loss, model.forward())
    XCTAssertThrowsError(try model.loss(windowsOf: Array(ids.prefix(9)), source: "short.bin")) {
      XCTAssertEqual($0 as? TrainingError, .tooFewTokens(source: "short.bin", tokens: 9, windows: 2, length: 5))
    }
    XCTAssertThrowsError(try model.loss(windowsOf: [1, 2, 30, 4, 5, 6, 7, 8, 9, 10], source: "big.bin")) {
      XCTAssertEqual($0 as? TrainingError, .tokenOutsideVocabulary(source: "big.bin", id: 30, vocabularySize: 23))
    }
  }

  /// The cached, one-position-at-a-time logits equal a full forward pass's at every position.
  func testTheKeyValueCacheGivesTheFullPassLogits() throws {
    let config = GPTConfig(vocabularySize: 23, context: 7, layers: 2, heads: 2, channels: 8)
    let full = try GPT(config: config, batch: 1, sequence: 7, threads: 1)
    full.initializeParameters(seed: 11)
    for i in 0..<full.parameters.count where full.parameters[i] != 1 { full.parameters[i] *= 10 }
    let tokens: [UInt32] = [3, 17, 5, 5, 22, 0, 9]
    for (t, token) in tokens.enumerated() { full.inputs[t] = Int32(token) }
    full.forward()
    let expected = full.logits()
    let single = try GPT(config: config, batch: 1, sequence: 1, threads: 1)
    single.parameters.baseAddress!.update(from: full.parameters.baseAddress!, count: full.parameters.count)
    let generator = Generator(model: single)
    for (t, token) in tokens.enumerated() {
      let logits = generator.next(token)
      let reference = Array(expected[t * 23..<(t + 1) * 23])
      let difference = zip(logits, reference).map { abs($0 - $1) }.max()!
      XCTAssertLessThan(difference, 1e-4 * max(1, reference.map(abs).max()!), "position \(t)")
    }
    XCTAssertTrue(generator.isFull)
  }
}
