import ArgumentParser
import Dedup
import Filters
import Foundation
import HatcheryCore
import Ingest
import Licensing
import Shards
import Tokenizer

/// `hatchery ingest`'s options that a pipeline file may set.
public struct IngestArguments: PipelineArguments {
  @Option(help: "When the raw data was obtained (ISO 8601); default: the source's first ingest.")
  public var retrieved: String?

  @Option(help: "The 'added' date written in every document; default: the source's first ingest.")
  public var added: String?

  @Option(help: "Input bytes per part file.")
  public var partBytes: Int = 32 << 20

  @Option(
    help: """
      Largest document in bytes: bigger text files are cut at line ends; bigger JSONL records, extracted \
      pages and articles are rejected; markup files over 8 times this are refused unread.
      """)
  public var maxDocumentBytes: Int = 10 << 20

  @Flag(help: "Reject documents with invalid UTF-8 instead of repairing them with U+FFFD.")
  public var rejectInvalidUtf8 = false

  @Option(help: "Parquet: the column with each row's text.")
  public var textField = "text"

  @Option(
    help:
      "Parquet: the column with each row's own id, kept as metadata.record_id (document ids are made from file and row)."
  )
  public var idField: String?

  @Option(help: "zstd compression level of the part files.")
  public var level: Int32 = 3

  @Option(help: "Compression threads.")
  public var threads: Int = ProcessInfo.processInfo.activeProcessorCount

  public init() {}

  public func apply(to options: inout IngestOptions) {
    options.retrieved = retrieved
    options.added = added
    options.partBytes = partBytes
    options.maximumDocumentBytes = maxDocumentBytes
    options.rejectInvalidUTF8 = rejectInvalidUtf8
    options.textField = textField
    options.idField = idField
    options.compressionLevel = level
    options.threads = threads
  }
}

/// `hatchery dedup`'s options that a pipeline file may set.
public struct DedupArguments: PipelineArguments {
  @Option(help: "Which duplicates: both, exact or near.")
  public var method: DedupOptions.Method = .both

  @Option(help: "Words per shingle.")
  public var shingleSize = 5

  @Option(help: "LSH bands.")
  public var bands = 14

  @Option(help: "MinHash values per band.")
  public var rows = 8

  @Option(help: "Seed of the MinHash permutations.")
  public var seed: UInt64 = 42

  @Flag(help: "Compare case-folded text for exact duplicates.")
  public var caseFold = false

  @Option(help: "Keep a near-duplicate pair only if its signatures agree on at least this share (0 to 1; 0: no check).")
  public var verifyThreshold = 0.75

  @Flag(help: "Also remove paragraphs (lines) seen in an earlier kept document; too short a remainder drops it.")
  public var paragraphs = false

  @Option(help: "With --paragraphs: drop a document left with fewer words than this.")
  public var paragraphMinWords = 20

  @Option(help: "Threads for hashing.")
  public var threads = ProcessInfo.processInfo.activeProcessorCount

  @Flag(
    help: "Keep the signature, bucket and span files in DIR/dedup/ once the stage has completed (they are removed).")
  public var keepIntermediates = false

  @Option(
    help:
      "MB of bucket and paragraph entries a signature task holds, with the scratch of sorting them, before it sorts them to disk in runs (same results)."
  )
  public var memoryBudget = 256

  public init() {}

  public func apply(to options: inout DedupOptions) {
    options.method = method
    options.shingleSize = shingleSize
    options.bands = bands
    options.rows = rows
    options.seed = seed
    options.caseFold = caseFold
    options.verifyThreshold = verifyThreshold
    options.paragraphs = paragraphs
    options.paragraphMinWords = paragraphMinWords
    options.threads = threads
    options.keepIntermediates = keepIntermediates
    options.memoryBudget = memoryBudget > Int.max >> 20 ? Int.max : memoryBudget << 20
  }
}

/// `hatchery tag`'s options that a pipeline file may set.
public struct TagArguments: PipelineArguments {
  public static var fileOptions: Set<String> { ["policy", "references"] }

  @Option(help: "A YAML licence policy (allow, deny, unknown, conflict).")
  public var policy: String?

  @Option(help: "A folder of reference licence texts named by SPDX id (repeatable).")
  public var references: [String] = []

  @Option(help: "Threads.")
  public var threads = ProcessInfo.processInfo.activeProcessorCount

  @Flag(
    inversion: .prefixedNo,
    help: "Licence files and package metadata cover the documents of their directory tree, the nearest winning.")
  public var scope = true

  @Option(
    help: "How many directory levels above a document a covering licence file may be (default: up to the input folder)."
  )
  public var scopeDepth: Int?

  public init() {}

  public func apply(to options: inout TagOptions) {
    options.policyPath = policy
    options.referenceFolders = references
    options.threads = max(1, threads)
    options.scope = scope
    options.scopeDepth = scopeDepth
  }
}

/// `hatchery filter run`'s options that a pipeline file may set.
public struct FilterArguments: PipelineArguments {
  public static var fileOptions: Set<String> { ["config"] }

  @Option(help: "A YAML filter configuration.")
  public var config: String?

  @Option(help: "Threads.")
  public var threads = ProcessInfo.processInfo.activeProcessorCount

  public init() {}

  /// The configuration file, read; the defaults without one.
  public func filterConfig() throws -> FilterConfig { try config.map(FilterConfig.load) ?? FilterConfig() }
}

/// `hatchery tokenizer train`'s options that a pipeline file may set.
public struct TokenizerArguments: PipelineArguments {
  public static var requiredOptions: Set<String> { ["vocab_size"] }

  @Option(help: "Vocabulary size: 256 bytes + merges + special tokens.")
  public var vocabSize: Int

  @Option(help: "Split pattern: gpt4 (cl100k) or gpt2.")
  public var pattern: SplitPattern = .gpt4

  @Option(help: "Special tokens, comma-separated; empty for none.")
  public var special = "<|endoftext|>"

  @Option(help: "Stop at the first pair seen fewer times than this.")
  public var minFrequency = 0

  @Option(help: "Threads for counting.")
  public var threads = ProcessInfo.processInfo.activeProcessorCount

  @Flag(help: "Train on documents held back for licence review too (`hatchery review`).")
  public var includeReview = false

  public init() {}

  public var specialTokens: [String] { special.split(separator: ",").map(String.init) }

  public var options: TokenizerTrainingOptions {
    var options = TokenizerTrainingOptions(
      vocabularySize: vocabSize, pattern: pattern, specialTokens: specialTokens, minimumFrequency: minFrequency,
      threads: threads)
    options.includeReview = includeReview
    return options
  }
}

/// `hatchery shard run`'s options that a pipeline file may set.
public struct ShardArguments: PipelineArguments {
  @Option(help: "Close a shard at the first document boundary at or past this many tokens.")
  public var tokensPerShard = 100_000_000

  @Option(help: "Share of the documents for the validation split.")
  public var valFraction = 0.01

  @Option(help: "Seed of the document order.")
  public var seed: UInt64 = 0

  @Option(help: "zstd level.")
  public var level = 3

  @Option(help: "Tokens per zstd frame: smaller is faster for random windows, larger compresses better.")
  public var frameTokens = 8192

  @Option(help: "Threads for tokenizing and compressing.")
  public var threads = ProcessInfo.processInfo.activeProcessorCount

  @Flag(help: "Shard documents held back for licence review too (`hatchery review`); by default they are left out.")
  public var includeReview = false

  public init() {}

  public func apply(to options: inout ShardOptions) {
    options.includeReview = includeReview
    options.tokensPerShard = tokensPerShard
    options.validationFraction = valFraction
    options.seed = seed
    options.level = level
    options.frameTokens = frameTokens
    options.threads = threads
  }
}

extension DedupOptions.Method: ExpressibleByArgument {}
extension SplitPattern: ExpressibleByArgument {}
