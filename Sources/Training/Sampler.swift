import Foundation
import HatcheryCore
import Tokenizer

/// `hatchery sample`: text from a checkpoint. Each new token is drawn from the softmax of the
/// last position's logits divided by the temperature, restricted to the `topK` most likely
/// (temperature 0: the most likely), through a key/value cache (Generator). When the context is
/// full, the cache is refilled from the last half of the text. With `chat` (a fine-tuned
/// checkpoint), the prompt is wrapped as a user turn and generation stops at `<|end|>`. Only the
/// continuation is returned.
public enum Sampler {
  public static func sample(
    checkpoint: String, prompt: String, tokens count: Int, temperature: Float, topK: Int, seed: UInt64, chat: Bool,
    threads: Int
  ) throws -> String {
    let checkpoint = Workspace.absolutePath(checkpoint)
    let config = try Checkpoint.config(of: checkpoint)
    let tokenizer = try TokenizerFile.load(path: checkpoint + "/tokenizer.json")
    guard tokenizer.vocabularySize == config.vocabularySize else {
      throw TrainingError.vocabularyMismatch(
        "\(checkpoint): tokenizer.json has \(tokenizer.vocabularySize) tokens, the model \(config.vocabularySize)")
    }
    let model = try GPT(config: config, batch: 1, sequence: 1, threads: threads)
    try model.load(checkpoint: checkpoint)
    let generator = Generator(model: model)
    func special(_ text: String) -> UInt32? { tokenizer.specialTokens.first { $0.text == text }?.id }
    var ids: [UInt32] = []
    if chat {
      guard let user = special("<|user|>"), let end = special("<|end|>"), let assistant = special("<|assistant|>")
      else {
        throw TrainingError.badFile(
          file: checkpoint, reason: "not a fine-tuned chat checkpoint (its tokenizer has no <|user|> token)")
      }
      ids.append(user)
      var text = prompt
      text.withUTF8 { tokenizer.encodeOrdinary(UnsafeRawBufferPointer($0), into: &ids) }
      ids += [end, assistant]
    } else {
      var text = prompt
      text.withUTF8 { tokenizer.encodeOrdinary(UnsafeRawBufferPointer($0), into: &ids) }
      if ids.isEmpty, let endOfText = tokenizer.endOfText { ids.append(endOfText) }
    }
    let stop = Set([chat ? special("<|end|>") : tokenizer.endOfText].compactMap { $0 })
    var generated: [UInt32] = []
    var random = SplitMix64(seed: seed)
    var logits: [Float] = []
    for id in ids.suffix(config.context) { logits = generator.next(id) }
    for _ in 0..<count {
      let next = choose(logits, temperature: temperature, topK: topK, random: &random)
      if stop.contains(next) { break }
      ids.append(next)
      generated.append(next)
      if generator.isFull {
        generator.reset()
        for id in ids.suffix(config.context / 2).dropLast() { _ = generator.next(id) }
      }
      logits = generator.next(next)
    }
    return String(decoding: try tokenizer.decode(generated), as: UTF8.self)
  }

  static func choose(_ logits: [Float], temperature: Float, topK: Int, random: inout SplitMix64) -> UInt32 {
    let order = logits.indices.sorted { logits[$0] > logits[$1] }
    guard temperature > 0 else { return UInt32(order[0]) }
    let candidates = order.prefix(max(1, min(topK, logits.count)))
    let maximum = logits[order[0]]
    let weights = candidates.map { expf((logits[$0] - maximum) / temperature) }
    let total = weights.reduce(0, +)
    var pick = Float(Double(random.next() >> 11) / 9_007_199_254_740_992) * total
    for (index, weight) in zip(candidates, weights) {
      pick -= weight
      if pick <= 0 { return UInt32(index) }
    }
    return UInt32(candidates.last!)
  }
}
