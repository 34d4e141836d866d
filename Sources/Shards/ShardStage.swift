import CXXHash
import Foundation
import HatcheryCore
import Tokenizer

public struct ShardOptions: Sendable {
  /// A shard is closed at the first document boundary at or past this many tokens.
  public var tokensPerShard = 100_000_000
  /// The share of documents (after shuffling) that go to the validation split.
  public var validationFraction = 0.01
  public var seed: UInt64 = 0
  public var level = 3
  /// Tokens per zstd frame: smaller frames make random windows faster and compress worse
  /// (docs/benchmarks.md has both figures).
  public var frameTokens = ShardWriter.defaultFrameTokens
  public var threads = ProcessInfo.processInfo.activeProcessorCount

  public init() {}

  public func validate() throws {
    guard tokensPerShard >= 1 else { throw HatcheryError("--tokens-per-shard must be at least 1") }
    guard (0..<1).contains(validationFraction) else { throw HatcheryError("--val-fraction must be in [0, 1)") }
    guard (1...22).contains(level) else { throw HatcheryError("--level must be between 1 and 22") }
    guard (256...ShardWriter.maximumFrameTokens).contains(frameTokens) else {
      throw HatcheryError("--frame-tokens must be between 256 and \(ShardWriter.maximumFrameTokens)")
    }
    guard threads >= 1 else { throw HatcheryError("--threads must be at least 1") }
  }
}

/// The `shard` stage: tokenizes the kept documents with the workspace's tokenizer (in parallel,
/// as plain text, so a document cannot forge an end-of-text token), orders them by a seeded hash
/// of their ids (the same order on every run and thread count), puts the first
/// `validationFraction` of them in the validation split, and writes each split as shards of
/// about `tokensPerShard` tokens, every document preceded by the end-of-text token. The shard map
/// records where each document's tokens are. Shards are written into a staging folder and moved
/// into place with the store rows and the manifest only when all are done, so a killed run
/// leaves the previous shards (or none) and never a manifest naming a partial shard.
public enum ShardStage {
  public static let name = "shard"

  public struct Summary: Sendable {
    public var nothingToDo = false
    public var documents = 0
    public var bytes = 0
    public var tokens = 0
    public var shards: [ShardManifest.Shard] = []
    public var tokenizingSeconds = 0.0
    public var seconds = 0.0

    public var text: String {
      if nothingToDo { return "shard: nothing to do, the shards are up to date (use --force to rebuild them)" }
      let train = shards.filter { $0.split == "train" }
      let validation = shards.filter { $0.split == "val" }
      return String(
        format: "shard: %d documents, %@ of text → %d tokens in %d train shards (%d tokens) and %d val shards (%d tokens); "
          + "%.2f s (tokenizing %.2f s), %.2f M tokens/s",
        documents, ByteCount.format(bytes), tokens, train.count, train.reduce(0) { $0 + $1.tokens }, validation.count,
        validation.reduce(0) { $0 + $1.tokens }, seconds, tokenizingSeconds, seconds > 0 ? Double(tokens) / seconds / 1e6 : 0)
    }
  }

  public static func run(workspace: Workspace, options: ShardOptions, force: Bool = false) throws -> Summary {
    try options.validate()
    let clock = ContinuousClock()
    let started = clock.now
    let store = try workspace.openStore()
    let tokenizerPath = workspace.absolute(TokenizerStage.jsonPath)
    guard FileManager.default.fileExists(atPath: tokenizerPath) else {
      throw HatcheryError("\(tokenizerPath): no tokenizer; run `hatchery tokenizer train --workspace \(workspace.root)` first")
    }
    let tokenizerBytes = try Data(contentsOf: URL(fileURLWithPath: tokenizerPath))
    let tokenizerSHA = tokenizerBytes.withUnsafeBytes { SHA256Hasher.hash($0) }.hex
    let tokenizer = try TokenizerFile.load(path: tokenizerPath)
    guard let endOfText = tokenizer.endOfText else {
      throw HatcheryError("\(tokenizerPath): the tokenizer has no <|endoftext|> special token to separate documents")
    }
    let kept = try KeptDocuments(workspace: workspace, store: store)
    let stageConfig = StageConfig(
      JSONObject([
        ("tokens_per_shard", .int(options.tokensPerShard)), ("val_fraction", .number(String(options.validationFraction))),
        ("seed", .number(String(options.seed))), ("level", .int(options.level)), ("frame_tokens", .int(options.frameTokens)),
        ("tokenizer", .string(tokenizerSHA)),
        ("inputs", .string(try KeptDocuments.fingerprint(store: store))), ("format", .int(ShardManifest.version)),
      ]))
    let lifecycle = StageLifecycle(stage: name, config: stageConfig)
    if !force, try lifecycle.isUpToDate(in: store, outputs: [workspace.absolute(ShardManifest.path)]) {
      var summary = Summary()
      summary.nothingToDo = true
      return summary
    }
    // A killed run's staging folder (its process gone) is removed by the next run.
    Leftovers.remove(in: workspace.absolute("shards"))
    return try lifecycle.record(in: store) { runID in
      let staging = workspace.absolute("shards/.staging-\(runID)-\(getpid())")
      try? FileManager.default.removeItem(atPath: staging)
      try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
      defer { try? FileManager.default.removeItem(atPath: staging) }
      var summary = Summary()
      let tokenized = try TokenizedDocuments(kept: kept, tokenizer: tokenizer, threads: options.threads, folder: staging)
      summary.documents = tokenized.documents.count
      summary.bytes = tokenized.bytes
      summary.tokenizingSeconds = (clock.now - started).seconds
      guard !tokenized.documents.isEmpty else {
        throw HatcheryError("\(workspace.root): no documents to shard (every document was dropped, or none was ingested)")
      }
      let tokenType = TokenType(vocabularySize: tokenizer.vocabularySize)
      let order = shuffled(tokenized.documents.indices, ids: tokenized.documents.map(\.id), seed: options.seed)
      var validationCount = Int((Double(order.count) * options.validationFraction).rounded())
      if options.validationFraction > 0 && order.count >= 2 { validationCount = max(1, validationCount) }
      var shards: [ShardManifest.Shard] = []
      var map: [(shard: Int, tokenOffset: Int, documentID: String, tokenCount: Int)] = []
      let separator = [endOfText]
      for (split, documents) in [("val", order.prefix(validationCount)), ("train", order.dropFirst(validationCount))] {
        var writer: ShardWriter?
        var documentsInShard = 0
        func close() throws {
          guard let open = writer else { return }
          let result = try open.finish()
          shards.append(
            .init(
              path: "shards/\(split)/" + (open.path as NSString).lastPathComponent, split: split, tokens: result.tokens,
              documents: documentsInShard, frames: result.frames, bytes: result.bytes, sha256: result.sha256))
          writer = nil
        }
        for index in documents {
          if writer == nil {
            let number = shards.filter { $0.split == split }.count
            writer = try ShardWriter(
              path: "\(staging)/\(split)/shard-\(String(format: "%05d", number)).tok.zst", tokenType: tokenType, level: options.level,
              frameTokens: options.frameTokens)
            documentsInShard = 0
          }
          let document = tokenized.documents[index]
          try separator.withUnsafeBufferPointer { try writer!.append($0) }
          map.append((shards.count, writer!.tokens, document.id, document.tokenCount))
          try tokenized.withTokens(of: index) { try writer!.append($0) }
          documentsInShard += 1
          summary.tokens += 1 + document.tokenCount
          if writer!.tokens >= options.tokensPerShard { try close() }
        }
        try close()
      }
      // Move into place: the old manifest goes first, the new one last.
      let shardsFolder = workspace.absolute("shards")
      try? FileManager.default.removeItem(atPath: workspace.absolute(ShardManifest.path))
      for split in ["train", "val"] {
        try? FileManager.default.removeItem(atPath: "\(shardsFolder)/\(split)")
        if FileManager.default.fileExists(atPath: "\(staging)/\(split)") {
          try FileManager.default.moveItem(atPath: "\(staging)/\(split)", toPath: "\(shardsFolder)/\(split)")
        }
      }
      try store.replaceShards(
        shards.map {
          ShardRecord(
            split: $0.split, path: $0.path, tokens: $0.tokens, documents: $0.documents, dtype: tokenType.rawValue, bytes: $0.bytes,
            sha256: $0.sha256, tokenizerSHA256: tokenizerSHA)
        }, map: map, stageRunID: runID)
      let manifest = ShardManifest(
        tokenizerPath: TokenizerStage.jsonPath, tokenizerSHA256: tokenizerSHA, vocabularySize: tokenizer.vocabularySize,
        endOfText: endOfText, tokenType: tokenType, frameTokens: options.frameTokens, seed: options.seed,
        validationFraction: options.validationFraction, shards: shards)
      try AtomicFileOutput.write(manifest.encoded(), to: workspace.absolute(ShardManifest.path))
      summary.shards = shards
      summary.seconds = (clock.now - started).seconds
      let counts = JSONObject([
        ("documents", .int(summary.documents)), ("bytes", .int(summary.bytes)), ("tokens", .int(summary.tokens)),
        ("shards", .int(shards.count)), ("tokenizer_sha256", .string(tokenizerSHA)),
      ])
      return (summary, counts)
    }
  }

  /// `indices` ordered by XXH64(seed, document id), ties by id: a shuffle that depends only on
  /// the seed and the ids.
  static func shuffled(_ indices: Range<Int>, ids: [String], seed: UInt64) -> [Int] {
    let keys = ids.map { id -> UInt64 in
      var id = id
      return id.withUTF8 { XXH64($0.baseAddress, $0.count, seed) }
    }
    return indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : ids[$0] < ids[$1] }
  }
}
