import Dispatch
import Foundation
import Glibc
import HatcheryCore
import Synchronization

/// Trains a supervised fastText model as fastText 0.9 does: a dictionary of the examples'
/// words (by falling count, `</s>` ending every example) and labels, input rows initialised
/// uniformly in ±1/dim, output rows at zero, then SGD over the examples in order, `epoch`
/// times, the learning rate falling linearly to zero over the tokens seen; threads share the
/// matrices without locks (Hogwild, as fastText). Each example updates the output rows of its
/// loss (softmax: all labels; one-vs-all: all labels against the example's; hierarchical
/// softmax: the path to one of its labels) and the input rows of its words, n-grams and word
/// n-grams by the averaged gradient. The result is a model fastText loads.
public struct FastTextTrainer {
  public struct Options: Sendable {
    public var dim = 100
    public var epoch = 5
    public var lr = 0.1
    public var wordNgrams = 1
    public var minCount = 1
    public var minn = 0
    public var maxn = 0
    /// fastText's default; 0 when there are neither subwords nor word n-grams (as fastText).
    public var bucket = 2_000_000
    public var loss = FastTextArgs.Loss.softmax
    public var threads = 1
    public var seed: UInt64 = 0
    public var lrUpdateRate = 100
    public init() {}

    public func validate() throws {
      guard dim > 0, dim <= 4096 else { throw ClassifierError.invalidOption("--dim must be between 1 and 4096") }
      guard epoch > 0, lr > 0, wordNgrams >= 1, wordNgrams <= 10, minCount >= 1, threads >= 1 else {
        throw ClassifierError.invalidOption(
          "--epoch, --lr, --min-count and --threads must be positive, --word-ngrams 1–10")
      }
      guard minn >= 0, maxn >= 0, maxn <= 20, minn <= maxn || maxn == 0 else {
        throw ClassifierError.invalidOption("--minn must be at most --maxn (at most 20)")
      }
      guard bucket >= 0, bucket <= 1 << 27 else {
        throw ClassifierError.invalidOption("--bucket must be between 0 and 134217728")
      }
      guard loss != .negativeSampling else {
        throw ClassifierError.invalidOption("negative sampling is not offered for classifiers; use softmax, ova or hs")
      }
    }
  }

  /// One labelled example: its text (one line as fastText reads it) and labels, each with the
  /// `__label__` prefix.
  public struct Example: Sendable {
    public var text: String
    public var labels: [String]
    public init(text: String, labels: [String]) {
      self.text = text
      self.labels = labels
    }

    /// The example as fastText reads a training line: its labels, then its text.
    var line: String { labels.isEmpty ? text : labels.joined(separator: " ") + " " + text }
  }

  public struct Summary: Sendable {
    public var examples = 0
    public var words = 0
    public var labels = 0
    public var tokens: Int64 = 0
    public var seconds = 0.0
    /// Mean loss over the last epoch's examples.
    public var loss = 0.0
  }

  /// Reads examples from fastText's training format (`__label__a __label__b words…` per line)
  /// or, for `.jsonl`, records with `text` and `label` (a string) or `labels` (strings).
  public static func readExamples(path: String, bytes: [UInt8]) throws -> [Example] {
    var examples: [Example] = []
    let isJSONL = path.lowercased().hasSuffix(".jsonl")
    var lineNumber = 0
    var start = 0
    while start < bytes.count {
      let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
      lineNumber += 1
      defer { start = end + 1 }
      let line = bytes[start..<end]
      if isJSONL {
        if line.allSatisfy(ASCII.isLineSpace) { continue }
        guard let record = (try? line.withUnsafeBytes { try JSONParser.parse($0) })?.objectValue else {
          throw ClassifierError.badExample(file: "\(path):\(lineNumber)", reason: "not a JSON object")
        }
        guard let text = record["text"]?.stringValue else {
          throw ClassifierError.badExample(file: "\(path):\(lineNumber)", reason: "no string member 'text'")
        }
        var labels: [String] = []
        if let label = record["label"]?.stringValue { labels = [label] }
        if case .array(let list)? = record["labels"] { labels += list.compactMap(\.stringValue) }
        guard !labels.isEmpty else {
          throw ClassifierError.badExample(file: "\(path):\(lineNumber)", reason: "no 'label' or 'labels'")
        }
        examples.append(Example(text: text, labels: labels.map { $0.hasPrefix("__label__") ? $0 : "__label__" + $0 }))
      } else {
        examples.append(Example(text: String(decoding: line, as: UTF8.self), labels: []))
      }
    }
    return examples
  }

  // MARK: Dictionary

  /// Words and labels counted over the examples (each example's tokens, then `</s>`), kept at
  /// `minCount`, sorted words first then labels, each by falling count (ties by first sight).
  static func buildDictionary(_ examples: [Example], args: FastTextArgs, minCount: Int) -> FastTextDictionary {
    var counter = TokenCounter()
    for example in examples {
      var text = example.line
      text.withUTF8 { Tokens.forEach(UnsafeRawBufferPointer($0)) { counter.add($0) } }
      FastTextDictionary.endOfSentence.withUnsafeBytes { counter.add($0) }
    }
    let kept = (0..<counter.counts.count)
      .filter { counter.isLabel[$0] || counter.counts[$0] >= Int64(minCount) }
      .sorted { a, b in
        if counter.isLabel[a] != counter.isLabel[b] { return !counter.isLabel[a] }
        if counter.counts[a] != counter.counts[b] { return counter.counts[a] > counter.counts[b] }
        return a < b
      }
    var dictionary = FastTextDictionary(args: args)
    counter.arena.withUnsafeBytes { arena in
      for entry in kept {
        dictionary.append(
          UnsafeRawBufferPointer(rebasing: arena[counter.starts[entry]..<counter.starts[entry + 1]]),
          count: counter.counts[entry],
          type: counter.isLabel[entry] ? .label : .word)
      }
    }
    dictionary.tokenCount = counter.tokens
    dictionary.index()
    return dictionary
  }

  /// Counts distinct tokens: their bytes in one arena, found through open addressing on
  /// fastText's hash (no allocation per token).
  struct TokenCounter {
    var arena: [UInt8] = []
    var starts: [Int] = [0]
    var counts: [Int64] = []
    var isLabel: [Bool] = []
    var tokens: Int64 = 0
    private var table = [Int32](repeating: -1, count: 1 << 16)
    private var hashes: [UInt32] = []

    mutating func add(_ token: UnsafeRawBufferPointer) {
      tokens += 1
      let hash = FastTextDictionary.hash(token)
      var mask = table.count - 1
      var slot = Int(hash) & mask
      while true {
        let entry = table[slot]
        if entry < 0 { break }
        if hashes[Int(entry)] == hash {
          let start = starts[Int(entry)]
          let length = starts[Int(entry) + 1] - start
          let same =
            length == token.count
            && arena.withUnsafeBytes { length == 0 || memcmp($0.baseAddress! + start, token.baseAddress!, length) == 0 }
          if same {
            counts[Int(entry)] += 1
            return
          }
        }
        slot = (slot + 1) & mask
      }
      table[slot] = Int32(counts.count)
      arena.append(contentsOf: token)
      starts.append(arena.count)
      counts.append(1)
      hashes.append(hash)
      isLabel.append(token.starts(with: FastTextDictionary.labelPrefix))
      if counts.count * 2 > table.count {
        table = [Int32](repeating: -1, count: table.count * 2)
        mask = table.count - 1
        for (index, hash) in hashes.enumerated() {
          var slot = Int(hash) & mask
          while table[slot] >= 0 { slot = (slot + 1) & mask }
          table[slot] = Int32(index)
        }
      }
    }
  }

  /// fastText's tokens of a line: split on its white space.
  enum Tokens {
    /// fastText's separators: space, \n, \r, \t, \v, \f, NUL.
    @inline(__always)
    static func isWhiteSpace(_ byte: UInt8) -> Bool {
      byte == 0 || ASCII.isWhitespace(byte)
    }

    static func forEach(_ bytes: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) {
      var start = 0
      for index in 0...bytes.count {
        if index == bytes.count || isWhiteSpace(bytes[index]) {
          if index > start { body(UnsafeRawBufferPointer(rebasing: bytes[start..<index])) }
          start = index + 1
        }
      }
    }
  }

  // MARK: Training

  public static func train(_ examples: [Example], options: Options, log: (String) -> Void = { _ in }) throws -> (
    FastTextModel, Summary
  ) {
    try options.validate()
    let clock = ContinuousClock()
    let started = clock.now
    var args = FastTextArgs()
    args.dim = Int32(options.dim)
    args.epoch = Int32(options.epoch)
    args.minCount = Int32(options.minCount)
    args.wordNgrams = Int32(options.wordNgrams)
    args.loss = options.loss
    args.kind = .supervised
    args.minn = Int32(options.minn)
    args.maxn = Int32(options.maxn)
    args.lrUpdateRate = Int32(options.lrUpdateRate)
    args.bucket = options.wordNgrams <= 1 && options.maxn == 0 ? 0 : Int32(options.bucket)
    let dictionary = buildDictionary(examples, args: args, minCount: options.minCount)
    guard dictionary.labelCount > 0 else {
      throw ClassifierError.nothingToLearn(
        "no labels: every example needs at least one (__label__… or a 'label' member)")
    }
    guard dictionary.wordCount > 0 else { throw ClassifierError.nothingToLearn("no words in the examples") }
    let lines = encode(examples, dictionary: dictionary, args: args)
    let dim = options.dim
    let inputRows = dictionary.wordCount + Int(args.bucket)
    let input = UnsafeMutableBufferPointer<Float>.allocate(capacity: inputRows * dim)
    defer { input.deallocate() }
    let output = UnsafeMutableBufferPointer<Float>.allocate(capacity: dictionary.labelCount * dim)
    defer { output.deallocate() }
    output.initialize(repeating: 0)
    var random = SplitMix64.trainer(seed: options.seed)
    let bound = 1 / Float(dim)
    for index in input.indices { input[index] = (Float(random.next() >> 40) / Float(1 << 24) * 2 - 1) * bound }
    let tree = options.loss == .hierarchicalSoftmax ? HuffmanPaths(counts: dictionary.labelCounts) : nil
    let total = Int64(options.epoch) * dictionary.tokenCount
    let shared = UncheckedBox((input, output, lines, dictionary, tree))
    let progress = Atomic<Int64>(0)
    let losses = Mutex((sum: 0.0, count: 0))
    let threads = min(options.threads, max(1, lines.count))
    DispatchQueue.concurrentPerform(iterations: threads) { thread in
      let (input, output, lines, dictionary, tree) = shared.value
      let worker = Worker(dim: dim, labels: dictionary.labelCount, seed: options.seed &+ UInt64(thread) &+ 1)
      var line = thread * lines.count / threads
      var local: Int64 = 0
      var lossSum = 0.0
      var lossCount = 0
      while true {
        let seen = progress.load(ordering: .relaxed)
        if seen >= total { break }
        let rate = Float(options.lr * (1 - Double(seen) / Double(total)))
        let example = lines[line]
        local += Int64(example.tokens)
        if let loss = worker.update(
          example, dictionary: dictionary, loss: options.loss, tree: tree, lr: rate, input: input, output: output)
        {
          if seen >= total - dictionary.tokenCount {
            lossSum += Double(loss)
            lossCount += 1
          }
        }
        if local > Int64(options.lrUpdateRate) {
          progress.add(local, ordering: .relaxed)
          local = 0
        }
        line += 1
        if line == lines.count { line = 0 }
      }
      losses.withLock {
        $0.sum += lossSum
        $0.count += lossCount
      }
    }
    let model = FastTextModel(
      args: args, dictionary: dictionary, input: .dense(rows: inputRows, columns: dim, values: Array(input)),
      output: .dense(rows: dictionary.labelCount, columns: dim, values: Array(output)), preparingPrediction: false)
    var summary = Summary()
    summary.examples = lines.count
    summary.words = dictionary.wordCount
    summary.labels = dictionary.labelCount
    summary.tokens = dictionary.tokenCount
    summary.seconds = (clock.now - started).seconds
    summary.loss = losses.withLock { $0.count > 0 ? $0.sum / Double($0.count) : 0 }
    log(
      String(
        format: "trained on %d examples (%lld tokens, %d words, %d labels) in %.2f s; loss %.4f", summary.examples,
        summary.tokens, summary.words, summary.labels, summary.seconds, summary.loss))
    return (model, summary)
  }

  /// An example as its input rows (words with their n-grams, word n-grams) and label indices.
  struct EncodedLine: Sendable {
    var rows: [Int32]
    var labels: [Int32]
    /// Tokens fastText counts for the learning rate: the example's words, labels and `</s>`.
    var tokens: Int
  }

  /// Each example through prediction's own line reader (`LineRows`), so training and
  /// prediction see a text the same way.
  static func encode(_ examples: [Example], dictionary: FastTextDictionary, args: FastTextArgs) -> [EncodedLine] {
    var lines: [EncodedLine] = []
    lines.reserveCapacity(examples.count)
    var reader = LineRows(rows: [], hashes: [], scratch: [])
    let unused = UnsafeMutableBufferPointer<Float>(start: nil, count: 0)
    for example in examples {
      var text = example.line
      text.withUTF8 {
        reader.collect(
          UnsafeRawBufferPointer($0), dictionary: dictionary, wordNgrams: Int(args.wordNgrams), sums: nil,
          hidden: unused)
      }
      lines.append(EncodedLine(rows: reader.rows, labels: reader.labels, tokens: reader.tokens))
    }
    return lines
  }

  /// Hierarchical softmax's paths: for each label the inner nodes from its leaf to the root
  /// (as output rows) and the branch taken at each.
  struct HuffmanPaths: Sendable {
    var paths: [[Int32]] = []
    var codes: [[Bool]] = []

    init(counts: [Int64]) {
      let leaves = counts.count
      let children = FastTextModel.huffmanTree(counts)
      var parent = [Int](repeating: -1, count: max(1, 2 * leaves - 1))
      var isRight = [Bool](repeating: false, count: max(1, 2 * leaves - 1))
      for (node, pair) in children.enumerated() where pair.left >= 0 {
        parent[Int(pair.left)] = node
        parent[Int(pair.right)] = node
        isRight[Int(pair.right)] = true
      }
      for leaf in 0..<leaves {
        var path: [Int32] = []
        var code: [Bool] = []
        var node = leaf
        while parent[node] != -1 {
          path.append(Int32(parent[node] - leaves))
          code.append(isRight[node])
          node = parent[node]
        }
        paths.append(path)
        codes.append(code)
      }
    }
  }

}

extension SplitMix64 {
  /// The trainer's generator for `seed`: its sequence starts one step further on than
  /// `SplitMix64(seed:)`'s, as it always has, so a seed trains the same model as before.
  static func trainer(seed: UInt64) -> SplitMix64 { SplitMix64(seed: seed &+ 0x9E37_79B9_7F4A_7C15) }
}
