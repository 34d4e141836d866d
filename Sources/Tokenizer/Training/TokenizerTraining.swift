import Foundation
import HatcheryCore

/// What to train: the vocabulary size counts the 256 byte tokens, the merges and the special
/// tokens, which take the last ids (so `<|endoftext|>` is id `vocabularySize - 1`, as in GPT-2).
public struct TokenizerTrainingOptions: Sendable {
  public var vocabularySize: Int
  public var pattern: SplitPattern
  public var specialTokens: [String]
  /// Merges stop at the first pair seen fewer times than this.
  public var minimumFrequency: Int
  public var threads: Int
  /// The stage trains on documents held back for licence review too.
  public var includeReview = false

  public init(
    vocabularySize: Int, pattern: SplitPattern = .gpt4, specialTokens: [String] = ["<|endoftext|>"],
    minimumFrequency: Int = 0, threads: Int = 1
  ) {
    self.vocabularySize = vocabularySize
    self.pattern = pattern
    self.specialTokens = specialTokens
    self.minimumFrequency = minimumFrequency
    self.threads = threads
  }

  public func validate() throws {
    let fixed = 256 + specialTokens.count
    guard vocabularySize >= fixed else {
      throw TokenizerError.invalidOption(
        "a vocabulary size of \(vocabularySize) leaves no room: it must be at least \(fixed) (256 bytes + \(specialTokens.count) special)"
      )
    }
    guard vocabularySize <= Int(Int32.max) else {
      throw TokenizerError.invalidOption("vocabulary size \(vocabularySize) is too large")
    }
    guard Set(specialTokens).count == specialTokens.count, !specialTokens.contains("") else {
      throw TokenizerError.invalidOption("special tokens must be distinct and not empty")
    }
    guard threads >= 1 else { throw TokenizerError.invalidOption("--threads must be at least 1") }
  }
}

/// What training saw and did, for the command's report and the stage run's counts.
public struct TokenizerTrainingSummary: Sendable {
  public var bytes = 0
  public var pieces = 0
  public var distinctPieces = 0
  public var merges = 0
  public var countingSeconds = 0.0
  public var mergingSeconds = 0.0
}

/// Where training is: bytes counted so far, then new tokens made so far out of the target.
public enum TokenizerTrainingProgress: Sendable {
  case counting(bytes: Int)
  case merging(tokens: Int, of: Int)
}

public enum TokenizerTrainer {
  /// Trains a tokenizer on every chunk of `source`. Fewer merges than asked are learnt when the
  /// text runs out of pairs (or of pairs above the minimum frequency); the vocabulary is then
  /// smaller and the summary says so.
  public static func train(
    _ source: TextChunkSource, options: TokenizerTrainingOptions,
    progress: (@Sendable (TokenizerTrainingProgress) -> Void)? = nil
  ) throws -> (Tokenizer, TokenizerTrainingSummary) {
    try options.validate()
    // The counting table is dropped once the words are built from it: merging is where the
    // peak memory is.
    let (words, summary) = try {
      let (table, summary) = try count(source, options: options, progress: progress)
      return (TrainingWords(table), summary)
    }()
    FreedMemory.giveBack()
    return try learn(words, summary: summary, options: options, progress: progress)
  }

  /// Counts the pieces of `source` into `path` (`PieceCountFile`): a task's share of the
  /// counting, for `train(countFiles:)` to sum.
  public static func writeCounts(
    _ source: TextChunkSource, documents: () -> Int, options: TokenizerTrainingOptions, to path: String,
    progress: (@Sendable (TokenizerTrainingProgress) -> Void)? = nil
  ) throws -> TokenizerTrainingSummary {
    try options.validate()
    let (table, summary) = try count(source, options: options, progress: progress)
    try PieceCountFile.write(table, bytes: summary.bytes, documents: documents(), to: path)
    return summary
  }

  /// Trains on the summed counts of task files: the tokenizer one process training on all their
  /// text makes (counts are summed, and what the trainer learns depends on the counts alone).
  /// `documents`: how many documents the files counted.
  public static func train(
    countFiles: [String], options: TokenizerTrainingOptions,
    progress: (@Sendable (TokenizerTrainingProgress) -> Void)? = nil
  ) throws -> (tokenizer: Tokenizer, summary: TokenizerTrainingSummary, documents: Int) {
    try options.validate()
    let clock = ContinuousClock()
    let start = clock.now
    var documents = 0
    let (words, summary) = try {
      let table = ByteStringTable(capacity: 1 << 18)
      var summary = TokenizerTrainingSummary()
      for path in countFiles {
        let counted = try PieceCountFile.add(path, into: table)
        summary.bytes += counted.bytes
        documents += counted.documents
      }
      summary.distinctPieces = table.count
      table.forEach { _, count in summary.pieces += Int(count) }
      summary.countingSeconds = (clock.now - start).seconds
      return (TrainingWords(table), summary)
    }()
    FreedMemory.giveBack()
    let (tokenizer, learnt) = try learn(words, summary: summary, options: options, progress: progress)
    return (tokenizer, learnt, documents)
  }

  private static func count(
    _ source: TextChunkSource, options: TokenizerTrainingOptions,
    progress: (@Sendable (TokenizerTrainingProgress) -> Void)?
  ) throws -> (ByteStringTable, TokenizerTrainingSummary) {
    var summary = TokenizerTrainingSummary()
    let clock = ContinuousClock()
    let countingStart = clock.now
    var countingProgress: (@Sendable (Int) -> Void)?
    if let progress { countingProgress = { bytes in progress(.counting(bytes: bytes)) } }
    let counts = try PieceCounter(preTokenizer: PreTokenizer(pattern: options.pattern)).count(
      source, threads: options.threads, progress: countingProgress)
    summary.bytes = counts.bytes
    summary.distinctPieces = counts.table.count
    counts.table.forEach { _, count in summary.pieces += Int(count) }
    summary.countingSeconds = (clock.now - countingStart).seconds
    return (counts.table, summary)
  }

  private static func learn(
    _ words: TrainingWords, summary: TokenizerTrainingSummary, options: TokenizerTrainingOptions,
    progress: (@Sendable (TokenizerTrainingProgress) -> Void)?
  ) throws -> (Tokenizer, TokenizerTrainingSummary) {
    var summary = summary
    let clock = ContinuousClock()
    let mergingStart = clock.now
    let target = options.vocabularySize - 256 - options.specialTokens.count
    var mergingProgress: ((Int) -> Void)?
    if let progress {
      mergingProgress = { made in if made % 256 == 0 { progress(.merging(tokens: made, of: target)) } }
    }
    let learnt = BPETrainer.train(
      words: words, newTokens: target, minimumFrequency: options.minimumFrequency, progress: mergingProgress)
    summary.mergingSeconds = (clock.now - mergingStart).seconds
    summary.merges = learnt.merges.count
    var tokens = learnt.tokens
    let merges = learnt.merges.map { Tokenizer.Merge(left: $0.left, right: $0.right, token: $0.token) }
    let specials = options.specialTokens.map { text -> (text: String, id: UInt32) in
      tokens.append(Array(text.utf8))
      return (text, UInt32(tokens.count - 1))
    }
    let tokenizer = try Tokenizer(
      pattern: options.pattern, tokens: tokens, merges: merges, specialTokens: specials, mergeRule: .listedMerges)
    return (tokenizer, summary)
  }
}
