import HatcheryCore

/// Hugging Face `tokenizer.json` (format "1.0") for byte-level BPE: a `Split` pre-tokenizer with
/// the pattern's regex (isolated pieces) followed by `ByteLevel` without its own regex, a BPE
/// model whose vocabulary and merges are written in the byte-level alphabet, the ByteLevel
/// decoder, and the special tokens as added tokens (also in the model's vocabulary, as the
/// library's own trainer writes them). Reading accepts what the library writes for such a
/// tokenizer, including GPT-2's own file (a `ByteLevel` pre-tokenizer with its regex) and merges
/// as `"a b"` strings; anything Hatchery cannot reproduce exactly (a normalizer, another
/// pattern, dropout, byte fallback, word prefixes) is refused with the reason.
public enum HuggingFaceTokenizerFile {
  public static func encode(_ tokenizer: Tokenizer) -> [UInt8] {
    let specialIDs = Set(tokenizer.specialTokens.map(\.id))
    var writer = JSONWriter(capacity: 1 << 20)
    writer.appendRaw("{\n  \"version\": \"1.0\",\n  \"truncation\": null,\n  \"padding\": null,\n  \"added_tokens\": [")
    for (index, special) in tokenizer.specialTokens.enumerated() {
      writer.appendRaw(index == 0 ? "\n    {\"id\": " : ",\n    {\"id\": ")
      writer.appendInt(Int(special.id))
      writer.appendRaw(", \"content\": ")
      writer.appendString(special.text)
      writer.appendRaw(
        ", \"single_word\": false, \"lstrip\": false, \"rstrip\": false, \"normalized\": false, \"special\": true}")
    }
    writer.appendRaw(tokenizer.specialTokens.isEmpty ? "],\n" : "\n  ],\n")
    writer.appendRaw("  \"normalizer\": null,\n  \"pre_tokenizer\": {\"type\": \"Sequence\", \"pretokenizers\": [\n")
    writer.appendRaw("    {\"type\": \"Split\", \"pattern\": {\"Regex\": ")
    writer.appendString(tokenizer.pattern.regex)
    writer.appendRaw("}, \"behavior\": \"Isolated\", \"invert\": false},\n")
    writer.appendRaw(
      "    {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"trim_offsets\": true, \"use_regex\": false}\n  ]},\n"
    )
    writer.appendRaw("  \"post_processor\": null,\n")
    writer.appendRaw(
      "  \"decoder\": {\"type\": \"ByteLevel\", \"add_prefix_space\": true, \"trim_offsets\": true, \"use_regex\": true},\n"
    )
    writer.appendRaw(
      "  \"model\": {\n    \"type\": \"BPE\", \"dropout\": null, \"unk_token\": null, \"continuing_subword_prefix\": null,\n"
    )
    writer.appendRaw(
      "    \"end_of_word_suffix\": null, \"fuse_unk\": false, \"byte_fallback\": false, \"ignore_merges\": false,\n")
    writer.appendRaw("    \"vocab\": {")
    for (id, bytes) in tokenizer.tokens.enumerated() {
      writer.appendRaw(id == 0 ? "\n      " : ",\n      ")
      writer.appendString(
        specialIDs.contains(UInt32(id)) ? String(decoding: bytes, as: UTF8.self) : ByteLevelAlphabet.encode(bytes))
      writer.appendRaw(": ")
      writer.appendInt(id)
    }
    writer.appendRaw("\n    },\n    \"merges\": [")
    for (index, merge) in tokenizer.merges.enumerated() {
      writer.appendRaw(index == 0 ? "\n      [" : ",\n      [")
      writer.appendString(ByteLevelAlphabet.encode(tokenizer.tokens[Int(merge.left)]))
      writer.appendRaw(", ")
      writer.appendString(ByteLevelAlphabet.encode(tokenizer.tokens[Int(merge.right)]))
      writer.appendRaw("]")
    }
    writer.appendRaw("\n    ]\n  }\n}\n")
    return writer.bytes
  }

  public static func decode(_ bytes: [UInt8], path: String) throws -> Tokenizer {
    func fail(_ reason: String) -> TokenizerError { .badFile(path: path, line: nil, reason: reason) }
    let root: JSONObject
    do {
      guard let object = try bytes.withUnsafeBytes({ try JSONParser.parse($0) }).objectValue else {
        throw fail("not a tokenizer.json: the top level is not an object")
      }
      root = object
    } catch let error as JSONParseError {
      throw fail("not valid JSON: \(error)")
    }
    guard let model = root["model"]?.objectValue, model["type"]?.stringValue == "BPE" else {
      throw fail("not a BPE tokenizer (model.type must be \"BPE\")")
    }
    if let normalizer = root["normalizer"], normalizer != .null {
      throw fail("has a normalizer, which Hatchery does not implement")
    }
    for (key, allowed) in [
      ("dropout", JSONValue.null), ("continuing_subword_prefix", .null), ("end_of_word_suffix", .null),
      ("byte_fallback", .bool(false)),
    ] {
      if let value = model[key], value != allowed, !(allowed == .bool(false) && value == .null) {
        throw fail("model.\(key) is set, which Hatchery does not implement")
      }
    }
    let pattern = try splitPattern(root["pre_tokenizer"], fail: fail)
    guard case .object(let vocabulary)? = model["vocab"] else { throw fail("model.vocab is missing") }

    var specialTexts: [UInt32: String] = [:]
    if case .array(let added)? = root["added_tokens"] {
      for entry in added {
        guard let entry = entry.objectValue, let id = entry["id"]?.intValue, id >= 0,
          let content = entry["content"]?.stringValue
        else {
          throw fail("an added token lacks its id or content")
        }
        specialTexts[UInt32(id)] = content
      }
    }
    var tokens: [[UInt8]?] = []
    var idOfText: [String: UInt32] = [:]
    func place(_ id: Int, _ bytes: [UInt8]) throws {
      if id >= tokens.count { tokens.append(contentsOf: repeatElement(nil, count: id + 1 - tokens.count)) }
      if let existing = tokens[id], existing != bytes { throw fail("token id \(id) is given twice") }
      tokens[id] = bytes
    }
    for (text, value) in vocabulary.members {
      guard let id = value.intValue, id >= 0, id < Int(Int32.max) else {
        throw fail("vocab entry \(text) has no valid id")
      }
      idOfText[text] = UInt32(id)
      if let special = specialTexts[UInt32(id)], special == text {
        try place(id, Array(special.utf8))
      } else {
        guard let bytes = ByteLevelAlphabet.decode(text) else {
          throw fail("vocab entry \(text) is not in the byte-level alphabet")
        }
        try place(id, bytes)
      }
    }
    for (id, text) in specialTexts { try place(Int(id), Array(text.utf8)) }
    if let missing = tokens.firstIndex(where: { $0 == nil }) {
      throw fail("token ids are not contiguous: id \(missing) is missing")
    }

    var merges: [Tokenizer.Merge] = []
    guard case .array(let mergeList)? = model["merges"] else { throw fail("model.merges is missing") }
    for (rank, entry) in mergeList.enumerated() {
      let parts: [String]
      switch entry {
      case .string(let text): parts = text.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
      case .array(let elements): parts = elements.compactMap(\.stringValue)
      default: parts = []
      }
      guard parts.count == 2, let left = idOfText[parts[0]], let right = idOfText[parts[1]],
        let token = idOfText[parts[0] + parts[1]]
      else { throw fail("merge \(rank) names a token that is not in the vocabulary") }
      merges.append(Tokenizer.Merge(left: left, right: right, token: token))
    }
    let specials = specialTexts.sorted { $0.key < $1.key }.map { (text: $0.value, id: $0.key) }
    do {
      return try Tokenizer(
        pattern: pattern, tokens: tokens.map { $0! }, merges: merges, specialTokens: specials, mergeRule: .listedMerges,
        wholeTokensFirst: model["ignore_merges"] == .bool(true))
    } catch let error as any HatcheryFailure {
      throw fail(error.message)
    }
  }

  /// The split pattern of a byte-level pre-tokenizer: `Sequence[Split(regex), ByteLevel(no
  /// regex)]`, or `ByteLevel` with its own (GPT-2) regex.
  private static func splitPattern(_ value: JSONValue?, fail: (String) -> TokenizerError) throws -> SplitPattern {
    guard let object = value?.objectValue else { throw fail("has no pre-tokenizer; Hatchery needs a byte-level one") }
    func byteLevel(_ object: JSONObject) throws -> Bool {
      guard object["type"]?.stringValue == "ByteLevel" else { return false }
      if object["add_prefix_space"] == .bool(true) {
        throw fail("ByteLevel add_prefix_space is set, which Hatchery does not implement")
      }
      return object["use_regex"] != .bool(false)
    }
    switch object["type"]?.stringValue {
    case "ByteLevel":
      guard try byteLevel(object) else { throw fail("the ByteLevel pre-tokenizer splits nothing (use_regex false)") }
      return .gpt2
    case "Sequence":
      guard case .array(let steps)? = object["pretokenizers"], steps.count == 2,
        let split = steps[0].objectValue, let last = steps[1].objectValue,
        split["type"]?.stringValue == "Split", try !byteLevel(last), last["type"]?.stringValue == "ByteLevel"
      else { throw fail("the pre-tokenizer must be Split then ByteLevel") }
      guard split["behavior"]?.stringValue == "Isolated", split["invert"] != .bool(true) else {
        throw fail("the Split pre-tokenizer must isolate its matches")
      }
      guard let regex = split["pattern"]?.objectValue?["Regex"]?.stringValue, let pattern = SplitPattern(regex: regex)
      else {
        throw fail("the split regex is not one Hatchery implements (gpt4 or gpt2)")
      }
      return pattern
    default:
      throw fail("the pre-tokenizer is not byte-level")
    }
  }
}
