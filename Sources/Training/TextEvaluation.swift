import Foundation
import HatcheryCore
import Shards
import Tokenizer

/// One held-out document: its bytes and the source its loss is reported under.
public struct EvaluationDocument: Sendable, Equatable {
  public var text: [UInt8]
  public var source: String

  public init(text: [UInt8], source: String) {
    self.text = text
    self.source = source
  }
}

/// A named set of held-out documents, read from files and folders: a `.jsonl` file gives one
/// document per line (its `text`, under its `source` when it has one), any other file is one
/// document. Without a `source` field a document's source is its file's path below the path
/// given (a file given by itself: its name).
public struct EvaluationSet: Sendable {
  public var name: String
  public var documents: [EvaluationDocument]

  public init(name: String, documents: [EvaluationDocument]) {
    self.name = name
    self.documents = documents
  }

  /// `NAME=PATH` or `PATH` (named after the file or folder, without its extension).
  public static func parse(_ argument: String) throws -> (name: String, path: String) {
    if let equals = argument.firstIndex(of: "="), !argument[..<equals].contains("/") {
      let name = String(argument[..<equals])
      let path = String(argument[argument.index(after: equals)...])
      guard !name.isEmpty, !path.isEmpty else {
        throw TrainingError.invalidOption("'\(argument)': an evaluation set is NAME=PATH or PATH")
      }
      return (name, path)
    }
    // `books.jsonl` is named books; `Apache-2.0` keeps its name (a version is not an extension).
    let file = (argument as NSString).lastPathComponent
    let stem = (file as NSString).deletingPathExtension
    let hasExtension = !stem.isEmpty && (file as NSString).pathExtension.contains { $0.isLetter }
    return (hasExtension ? stem : file, argument)
  }

  public static func load(name: String, path: String) throws -> EvaluationSet {
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
      throw TrainingError.badFile(file: path, reason: "no such file or folder (evaluation set \(name))")
    }
    var files: [(path: String, label: String)] = []
    if isFolder.boolValue {
      guard let walker = FileManager.default.enumerator(atPath: path) else {
        throw HatcheryError.system("read", path: path)
      }
      var names: [String] = []
      while let relative = walker.nextObject() as? String {
        let full = path + "/" + relative
        var folder: ObjCBool = false
        if FileManager.default.fileExists(atPath: full, isDirectory: &folder), !folder.boolValue,
          !(relative as NSString).lastPathComponent.hasPrefix(".")
        {
          names.append(relative)
        }
      }
      files = names.sorted().map { (path + "/" + $0, $0) }
    } else {
      files = [(path, (path as NSString).lastPathComponent)]
    }
    var documents: [EvaluationDocument] = []
    for file in files {
      guard let data = FileManager.default.contents(atPath: file.path) else {
        throw HatcheryError.system("read", path: file.path)
      }
      if file.path.hasSuffix(".jsonl") {
        try readLines(data, path: file.path, label: file.label, into: &documents)
      } else if !data.isEmpty {
        documents.append(EvaluationDocument(text: [UInt8](data), source: file.label))
      }
    }
    guard !documents.isEmpty else {
      throw TrainingError.badFile(file: path, reason: "no documents (evaluation set \(name))")
    }
    return EvaluationSet(name: name, documents: documents)
  }

  /// The set's first `bytes` bytes: whole documents while they fit, the one that crosses the
  /// limit cut at a character boundary.
  public func prefix(bytes limit: Int) -> EvaluationSet {
    var kept: [EvaluationDocument] = []
    var total = 0
    for document in documents where total < limit {
      var document = document
      if total + document.text.count > limit {
        var end = limit - total
        while end > 0 && document.text[end] & 0xC0 == 0x80 { end -= 1 }
        document.text.removeSubrange(end...)
      }
      if !document.text.isEmpty { kept.append(document) }
      total += document.text.count
    }
    return EvaluationSet(name: name, documents: kept)
  }

  private static func readLines(_ data: Data, path: String, label: String, into documents: inout [EvaluationDocument])
    throws
  {
    var lineNumber = 0
    for line in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      lineNumber += 1
      guard line.contains(where: { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") })
      else { continue }
      let value: JSONValue
      do {
        value = try line.withUnsafeBytes { try JSONParser.parse($0) }
      } catch {
        throw TrainingError.badFile(file: "\(path):\(lineNumber)", reason: "not a JSON line (\(error))")
      }
      guard let text = value.objectValue?["text"]?.stringValue else {
        throw TrainingError.badFile(file: "\(path):\(lineNumber)", reason: "no \"text\" string")
      }
      guard !text.isEmpty else { continue }
      documents.append(
        EvaluationDocument(text: Array(text.utf8), source: value.objectValue?["source"]?.stringValue ?? label))
    }
  }
}

/// What a model's loss on some documents adds up to. Bits per byte is the tokenizer-independent
/// figure: the total loss in bits over the bytes it was paid on, so models with different
/// tokenizers compare.
public struct EvaluationTally: Sendable, Equatable {
  public var documents = 0
  /// UTF-8 bytes and characters (Unicode scalars) of the text whose tokens were predicted.
  public var bytes = 0
  public var characters = 0
  public var tokens = 0
  /// −Σ ln p(token), in nats.
  public var nats = 0.0

  public init() {}

  public var bitsPerByte: Double { bytes > 0 ? nats / M_LN2 / Double(bytes) : .nan }
  public var bitsPerCharacter: Double { characters > 0 ? nats / M_LN2 / Double(characters) : .nan }
  /// Mean loss per predicted token (nats): the figure training logs, tokenizer-dependent.
  public var lossPerToken: Double { tokens > 0 ? nats / Double(tokens) : .nan }

  mutating func add(_ other: EvaluationTally) {
    documents += other.documents
    bytes += other.bytes
    characters += other.characters
    tokens += other.tokens
    nats += other.nats
  }

  public var json: JSONObject {
    JSONObject([
      ("documents", .int(documents)), ("bytes", .int(bytes)), ("characters", .int(characters)),
      ("tokens", .int(tokens)),
      ("bits_per_byte", Self.number(bitsPerByte)), ("bits_per_char", Self.number(bitsPerCharacter)),
      ("loss", Self.number(lossPerToken)),
    ])
  }

  static func number(_ value: Double) -> JSONValue { value.isFinite ? .number(String(format: "%.6f", value)) : .null }
}

/// One evaluation set's result: the whole set and each of its sources.
public struct EvaluationResult: Sendable {
  public var name: String
  public var total = EvaluationTally()
  /// By source name.
  public var sources: [String: EvaluationTally] = [:]

  public var json: JSONObject {
    var object = JSONObject([("set", .string(name))])
    for (key, value) in total.json.members { object[key] = value }
    object["sources"] = .object(JSONObject(sources.keys.sorted().map { ($0, .object(sources[$0]!.json)) }))
    return object
  }
}

/// Scores held-out text with a model: each document is tokenized as the shards hold it (the
/// end-of-text token, then its tokens, special-token text read as ordinary text) and every one
/// of its tokens is predicted, in windows of the model's sequence length that restart the
/// context (a document longer than a window is cut, not slid over); windows of several
/// documents fill one batch. Without an end-of-text token the first token of each document is
/// context only, and its bytes are not counted.
public final class TextEvaluator {
  public let model: GPT
  public let tokenizer: Tokenizer

  public init(model: GPT, tokenizer: Tokenizer) throws {
    guard tokenizer.vocabularySize <= model.config.vocabularySize else {
      throw TrainingError.vocabularyMismatch(
        "the tokenizer has \(tokenizer.vocabularySize) tokens, more than the model's vocabulary of \(model.config.vocabularySize)"
      )
    }
    self.model = model
    self.tokenizer = tokenizer
  }

  public func evaluate(_ set: EvaluationSet) -> EvaluationResult {
    var result = EvaluationResult(name: set.name)
    let (B, T) = (model.batch, model.sequence)
    // The source each filled row's losses belong to.
    var rowSources: [Int] = []
    var sourceNames: [String] = []
    var sourceIndex: [String: Int] = [:]
    var sourceTallies: [EvaluationTally] = []
    let losses = model.activations + model.activationLayout.losses

    func flush() {
      guard !rowSources.isEmpty else { return }
      for row in rowSources.count..<B {
        for t in 0..<T {
          model.inputs[row * T + t] = 0
          model.targets[row * T + t] = CrossEntropy.ignored
        }
      }
      model.forward()
      for (row, source) in rowSources.enumerated() {
        var nats = 0.0
        for t in 0..<T where model.targets[row * T + t] != CrossEntropy.ignored { nats += Double(losses[row * T + t]) }
        sourceTallies[source].nats += nats
      }
      rowSources.removeAll(keepingCapacity: true)
    }

    var sequence: [UInt32] = []
    var tokens: [UInt32] = []
    for document in set.documents where !document.text.isEmpty {
      tokens.removeAll(keepingCapacity: true)
      document.text.withUnsafeBytes { tokenizer.encodeOrdinary($0, into: &tokens) }
      sequence.removeAll(keepingCapacity: true)
      var counted = EvaluationTally()
      counted.documents = 1
      if let endOfText = tokenizer.endOfText {
        sequence.append(endOfText)
        counted.bytes = document.text.count
        counted.characters = Self.characters(document.text[...])
      } else if let first = tokens.first {
        let skipped = tokenizer.tokens[Int(first)].count
        counted.bytes = document.text.count - skipped
        counted.characters = Self.characters(document.text[skipped...])
      }
      sequence += tokens
      guard sequence.count >= 2 else { continue }
      counted.tokens = sequence.count - 1
      let source: Int
      if let known = sourceIndex[document.source] {
        source = known
      } else {
        source = sourceNames.count
        sourceIndex[document.source] = source
        sourceNames.append(document.source)
        sourceTallies.append(EvaluationTally())
      }
      sourceTallies[source].add(counted)
      for start in stride(from: 0, to: sequence.count - 1, by: T) {
        let row = rowSources.count
        let predicted = min(T, sequence.count - 1 - start)
        for t in 0..<T {
          model.inputs[row * T + t] = t < predicted ? Int32(bitPattern: sequence[start + t]) : 0
          model.targets[row * T + t] = t < predicted ? Int32(bitPattern: sequence[start + t + 1]) : CrossEntropy.ignored
        }
        rowSources.append(source)
        if rowSources.count == B { flush() }
      }
    }
    flush()
    for (index, name) in sourceNames.enumerated() {
      result.sources[name] = sourceTallies[index]
      result.total.add(sourceTallies[index])
    }
    return result
  }

  /// Token shards made with this tokenizer (a workspace's val split): windows of the model's
  /// sequence + 1 tokens one after another through every shard, each predicting its last
  /// `sequence` tokens, the first `batches` batches of them (nil: all). Bytes and characters are
  /// those of the predicted tokens (special tokens stand for none).
  public func evaluate(shards data: ShardDataset, batches: Int? = nil) throws -> EvaluationTally {
    let (B, T) = (model.batch, model.sequence)
    var tokenBytes = tokenizer.tokens.map(\.count)
    var tokenCharacters = tokenizer.tokens.map { Self.characters($0[...]) }
    for special in tokenizer.specialTokens where Int(special.id) < tokenBytes.count {
      tokenBytes[Int(special.id)] = 0
      tokenCharacters[Int(special.id)] = 0
    }
    let losses = model.activations + model.activationLayout.losses
    var tally = EvaluationTally()
    var filled = 0
    var evaluated = 0
    func forward() {
      model.forward()
      evaluated += 1
      for row in 0..<B * T where model.targets[row] != CrossEntropy.ignored {
        let target = Int(model.targets[row])
        tally.tokens += 1
        tally.nats += Double(losses[row])
        if target < tokenBytes.count {
          tally.bytes += tokenBytes[target]
          tally.characters += tokenCharacters[target]
        }
      }
    }
    try data.forEachSequentialWindow(length: T + 1) { window in
      for t in 0..<T {
        model.inputs[filled * T + t] = Int32(bitPattern: window[t])
        model.targets[filled * T + t] = Int32(bitPattern: window[t + 1])
      }
      filled += 1
      if filled == B {
        forward()
        filled = 0
      }
      return evaluated < (batches ?? Int.max)
    }
    if filled > 0 && evaluated < (batches ?? Int.max) {
      for row in filled * T..<B * T { model.targets[row] = CrossEntropy.ignored }
      forward()
    }
    return tally
  }

  /// Unicode scalars of UTF-8 text: the bytes that are not continuation bytes.
  static func characters(_ bytes: ArraySlice<UInt8>) -> Int {
    var count = 0
    for byte in bytes where byte & 0xC0 != 0x80 { count += 1 }
    return count
  }
}
