import HatcheryCore
import Tokenizer

/// Supervised fine-tuning examples and the chat template they are written in. Each turn is
/// `<|role|>` content `<|end|>` (roles system, user, assistant); the model learns only the
/// assistant's content and its closing `<|end|>` (the other positions' targets are ignored), so
/// it learns to answer and to stop, not to repeat prompts.
struct ChatExamples {
  static let specialTokens = ["<|system|>", "<|user|>", "<|assistant|>", "<|end|>"]

  struct Turn {
    let role: String
    let content: String
  }

  /// Token ids, and for each position whether its token is one the model is trained to predict.
  struct Encoded {
    var tokens: [UInt32] = []
    var trained: [Bool] = []
  }

  let examples: [[Turn]]
  let skipped: [String]

  /// Reads `{"prompt", "response"}` or `{"messages": [{"role", "content"}]}` lines; a line that
  /// is neither is skipped with its file and line number.
  init(path: String, bytes: [UInt8]) {
    var examples: [[Turn]] = []
    var skipped: [String] = []
    var number = 0
    for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
      number += 1
      guard !line.allSatisfy(ASCII.isLineSpace) else { continue }
      guard let object = try? Array(line).withUnsafeBytes({ try JSONParser.parse($0) }).objectValue else {
        skipped.append("\(path):\(number): not a JSON object")
        continue
      }
      if let prompt = object["prompt"]?.stringValue, let response = object["response"]?.stringValue {
        examples.append([Turn(role: "user", content: prompt), Turn(role: "assistant", content: response)])
      } else if case .array(let messages)? = object["messages"] {
        let turns = messages.compactMap { message -> Turn? in
          guard let message = message.objectValue, let role = message["role"]?.stringValue,
            ["system", "user", "assistant"].contains(role), let content = message["content"]?.stringValue
          else { return nil }
          return Turn(role: role, content: content)
        }
        guard turns.count == messages.count, turns.contains(where: { $0.role == "assistant" }) else {
          skipped.append(
            "\(path):\(number): messages need a role (system, user, assistant) and content each, and one assistant turn"
          )
          continue
        }
        examples.append(turns)
      } else {
        skipped.append("\(path):\(number): neither prompt/response nor messages")
      }
    }
    self.examples = examples
    self.skipped = skipped
  }

  /// `tokenizer` with the template's special tokens added after its own ids (those it lacks).
  static func extend(_ tokenizer: Tokenizer) throws -> Tokenizer {
    let present = Set(tokenizer.specialTokens.map(\.text))
    let missing = specialTokens.filter { !present.contains($0) }
    guard !missing.isEmpty else { return tokenizer }
    var tokens = tokenizer.tokens
    var specials = tokenizer.specialTokens
    for text in missing {
      specials.append((text, UInt32(tokens.count)))
      tokens.append(Array(text.utf8))
    }
    return try Tokenizer(
      pattern: tokenizer.pattern, tokens: tokens, merges: tokenizer.merges, specialTokens: specials,
      mergeRule: tokenizer.mergeRule)
  }

  static func encode(_ turns: [Turn], tokenizer: Tokenizer) -> Encoded {
    func id(_ text: String) -> UInt32 { tokenizer.specialTokens.first { $0.text == text }!.id }
    var encoded = Encoded()
    for turn in turns {
      let trained = turn.role == "assistant"
      encoded.tokens.append(id("<|\(turn.role)|>"))
      encoded.trained.append(false)
      var content: [UInt32] = []
      var text = turn.content
      text.withUTF8 { tokenizer.encodeOrdinary(UnsafeRawBufferPointer($0), into: &content) }
      encoded.tokens += content
      encoded.trained += Array(repeating: trained, count: content.count)
      encoded.tokens.append(id("<|end|>"))
      encoded.trained.append(trained)
    }
    return encoded
  }
}
