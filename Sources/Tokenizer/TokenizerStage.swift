import Foundation
import HatcheryCore

/// The `tokenizer` stage: trains on a workspace's kept documents and writes
/// DIR/tokenizer/tokenizer.json and DIR/tokenizer/tokenizer.tiktoken. Skipped when a completed
/// run had the same options and the same kept documents.
public enum TokenizerStage {
  public static let name = "tokenizer"
  public static let jsonPath = "tokenizer/tokenizer.json"
  public static let tiktokenPath = "tokenizer/tokenizer.tiktoken"

  public struct Result: Sendable {
    public var text: String
  }

  public static func run(
    workspace: Workspace, options: TokenizerTrainingOptions, force: Bool = false,
    progress: (@Sendable (TokenizerTrainingProgress) -> Void)? = nil
  ) throws -> Result {
    try options.validate()
    let store = try workspace.openStore()
    let kept = try KeptDocuments(workspace: workspace, store: store)
    guard !kept.parts.isEmpty else {
      throw HatcheryError("\(workspace.root): no documents to train on; run `hatchery ingest` first")
    }
    let stageConfig = StageConfig(
      JSONObject([
        ("vocab_size", .int(options.vocabularySize)), ("pattern", .string(options.pattern.rawValue)),
        ("special", .array(options.specialTokens.map { .string($0) })), ("min_frequency", .int(options.minimumFrequency)),
        ("inputs", .string(try KeptDocuments.fingerprint(store: store))),
      ]))
    let lifecycle = StageLifecycle(stage: name, config: stageConfig)
    if !force, try lifecycle.isUpToDate(in: store, outputs: [workspace.absolute(jsonPath)]) {
      return Result(text: "tokenizer: nothing to do, \(jsonPath) is up to date (use --force to retrain)")
    }
    Leftovers.remove(in: (workspace.absolute(jsonPath) as NSString).deletingLastPathComponent)
    return try lifecycle.record(in: store) { _ in
      let clock = ContinuousClock()
      let start = clock.now
      let source = KeptDocumentChunks(kept)
      let (tokenizer, summary) = try TokenizerTrainer.train(source, options: options, progress: progress)
      guard summary.bytes > 0 else { throw HatcheryError("\(workspace.root): every document was dropped; nothing to train on") }
      let sha = try TokenizerFile.save(tokenizer, to: workspace.absolute(jsonPath))
      try TokenizerFile.save(tokenizer, to: workspace.absolute(tiktokenPath))
      let seconds = (clock.now - start).seconds
      let counts = JSONObject([
        ("documents", .int(source.documents)), ("bytes", .int(summary.bytes)), ("pieces", .int(summary.pieces)),
        ("distinct_pieces", .int(summary.distinctPieces)), ("merges", .int(summary.merges)),
        ("vocab_size", .int(tokenizer.vocabularySize)), ("tokenizer_sha256", .string(sha.hex)),
      ])
      return (Result(text: describe(summary, tokenizer: tokenizer, seconds: seconds, path: jsonPath) + ", \(source.documents) documents"), counts)
    }
  }

  /// One line: what was read, what was made, how long it took.
  public static func describe(_ summary: TokenizerTrainingSummary, tokenizer: Tokenizer, seconds: Double, path: String) -> String {
    String(
      format: "tokenizer: %@ of text, %d pieces (%d distinct), %d merges, vocabulary %d → %@; %.2f s (counting %.2f s, merging %.2f s)",
      ByteCount.format(summary.bytes), summary.pieces, summary.distinctPieces, summary.merges, tokenizer.vocabularySize, path,
      seconds, summary.countingSeconds, summary.mergingSeconds)
  }
}

/// The kept documents of a workspace as training chunks of about 4 MB.
final class KeptDocumentChunks: TextChunkSource {
  private let reader: KeptDocuments.Reader
  private(set) var documents = 0

  init(_ kept: KeptDocuments) {
    reader = kept.reader()
  }

  func nextChunk() throws -> TextChunk? {
    var bytes: [UInt8] = []
    var ranges: [Range<Int>] = []
    while bytes.count < 4 << 20, let (_, text) = try reader.next() {
      documents += 1
      ranges.append(bytes.count..<bytes.count + text.count)
      bytes.append(contentsOf: text)
    }
    return ranges.isEmpty ? nil : TextChunk(bytes: bytes, documents: ranges)
  }
}
