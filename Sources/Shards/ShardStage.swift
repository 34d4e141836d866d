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
  /// `all` in one process; across machines `task` (each --task tokenizes its parts, k mod N = I,
  /// into task files; the store only read), then `merge` once (orders the documents, writes the
  /// shards, the manifest and the shard map).
  public var step = StageStep.all
  public var task = 0
  public var tasks = 1

  public init() {}

  public func validate() throws {
    guard tokensPerShard >= 1 else { throw HatcheryError("--tokens-per-shard must be at least 1") }
    guard (0..<1).contains(validationFraction) else { throw HatcheryError("--val-fraction must be in [0, 1)") }
    guard (1...22).contains(level) else { throw HatcheryError("--level must be between 1 and 22") }
    guard (256...ShardWriter.maximumFrameTokens).contains(frameTokens) else {
      throw HatcheryError("--frame-tokens must be between 256 and \(ShardWriter.maximumFrameTokens)")
    }
    guard threads >= 1 else { throw HatcheryError("--threads must be at least 1") }
    guard tasks >= 1, task >= 0, task < tasks else {
      throw HatcheryError("--task must be between 0 and --tasks - 1 (got task \(task) of \(tasks))")
    }
  }
}

/// The `shard` stage: tokenizes the kept documents with the workspace's tokenizer (in parallel,
/// as plain text, so a document cannot forge an end-of-text token), orders them by a seeded hash
/// of their ids (the same order on every run, thread and task count), puts the first
/// `validationFraction` of them in the validation split, and writes each split as shards of
/// about `tokensPerShard` tokens, every document preceded by the end-of-text token. The shard map
/// records where each document's tokens are.
///
/// Tasks and merge: the tokenizing, most of the work, is split by parts — each part's tokens go
/// to a task file of its own (`PartTokenFile`); the order and the shard boundaries need every
/// document's token count, so one merge reads the task files, orders the documents and writes
/// the shards (its zstd frames compressed on every thread). The merge's output depends on the
/// parts only, never on how many tasks tokenized them. Shards are written into a staging folder
/// and moved into place with the store rows and the manifest only when all are done, so a killed
/// run leaves the previous shards (or none) and never a manifest naming a partial shard.
public enum ShardStage {
  public static let name = "shard"

  public struct Summary: Sendable {
    public var nothingToDo = false
    /// For a task step: the task and how many parts it tokenized.
    public var task: (number: Int, of: Int, parts: Int)?
    public var documents = 0
    public var bytes = 0
    public var tokens = 0
    public var shards: [ShardManifest.Shard] = []
    public var tokenizingSeconds = 0.0
    public var seconds = 0.0

    public var text: String {
      if let task {
        if nothingToDo { return "shard task \(task.number) of \(task.of): nothing to do, its parts are tokenized (use --force to tokenize again)" }
        return String(
          format: "shard task %d of %d: %d parts, %d documents, %@ of text → %d tokens; %.2f s",
          task.number, task.of, task.parts, documents, ByteCount.format(bytes), tokens, seconds)
      }
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
    // A task only reads the store (it may be read-only while an array of tasks runs).
    let store = try options.step == .task ? workspace.openStoreForReading() : workspace.openStore()
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
    let inputs = try KeptDocuments.fingerprint(store: store)
    // What the task files depend on: the tokenizer and the kept documents, not the shard options
    // (a new --tokens-per-shard or seed reruns the merge only).
    let tokenizing = StageConfig(
      JSONObject([("tokenizer", .string(tokenizerSHA)), ("inputs", .string(inputs)), ("task_format", .int(Int(PartTokenFile.version)))]))
    func partFile(_ part: Int) -> String {
      workspace.absolute(TaskFiles.folder(stage: name, config: tokenizing) + "/part-" + String(format: "%05d", part) + ".tokens")
    }
    let stageConfig = StageConfig(
      JSONObject([
        ("tokens_per_shard", .int(options.tokensPerShard)), ("val_fraction", .number(String(options.validationFraction))),
        ("seed", .number(String(options.seed))), ("level", .int(options.level)), ("frame_tokens", .int(options.frameTokens)),
        ("tokenizer", .string(tokenizerSHA)), ("inputs", .string(inputs)), ("format", .int(ShardManifest.version)),
      ]))
    if options.step == .task {
      let pending = kept.parts.indices.filter {
        $0 % options.tasks == options.task && (force || !FileManager.default.fileExists(atPath: partFile($0)))
      }
      var summary = try tokenize(parts: pending, kept: kept, tokenizer: tokenizer, threads: options.threads, file: partFile)
      summary.task = (options.task, options.tasks, pending.count)
      summary.nothingToDo = pending.isEmpty
      summary.seconds = (clock.now - started).seconds
      return summary
    }
    let lifecycle = StageLifecycle(stage: name, task: 0, tasks: options.step == .merge ? options.tasks : 1, config: stageConfig)
    if !force, try lifecycle.isUpToDate(in: store, outputs: [workspace.absolute(ShardManifest.path)]) {
      var summary = Summary()
      summary.nothingToDo = true
      return summary
    }
    var tokenizingSeconds = 0.0
    if options.step == .all {
      // Parts a killed run tokenized are kept; --force tokenizes every part again.
      if force { TaskFiles.removeAll(in: workspace, stage: name) }
      let pending = kept.parts.indices.filter { !FileManager.default.fileExists(atPath: partFile($0)) }
      _ = try tokenize(parts: pending, kept: kept, tokenizer: tokenizer, threads: options.threads, file: partFile)
      tokenizingSeconds = (clock.now - started).seconds
    } else {
      let missing = kept.parts.indices.filter { !FileManager.default.fileExists(atPath: partFile($0)) }
      guard missing.isEmpty else {
        throw TaskFiles.refusal(missing, of: kept.parts.count, tasks: options.tasks, stage: name, command: "hatchery shard run")
      }
    }
    // A killed run's staging folder (its process gone) is removed by the next run.
    Leftovers.remove(in: workspace.absolute("shards"))
    return try lifecycle.record(in: store) { runID in
      var summary = try writeShards(
        workspace: workspace, store: store, parts: kept.parts.indices.map(partFile), tokenizer: tokenizer, endOfText: endOfText,
        tokenizerSHA: tokenizerSHA, options: options, runID: runID)
      TaskFiles.removeAll(in: workspace, stage: name)
      summary.tokenizingSeconds = tokenizingSeconds
      summary.seconds = (clock.now - started).seconds
      let counts = JSONObject([
        ("documents", .int(summary.documents)), ("bytes", .int(summary.bytes)), ("tokens", .int(summary.tokens)),
        ("shards", .int(summary.shards.count)), ("tokenizer_sha256", .string(tokenizerSHA)),
      ])
      return (summary, counts)
    }
  }

  /// Tokenizes the kept documents of `parts` (indices into `kept.parts`, ascending), in batches
  /// of about 8 MB of text encoded on every thread, into one task file per part (written when
  /// the part's last document is encoded; a part without kept documents gets an empty one).
  static func tokenize(
    parts: [Int], kept: KeptDocuments, tokenizer: Tokenizer, threads: Int, file: (Int) -> String
  ) throws -> Summary {
    var summary = Summary()
    guard !parts.isEmpty else { return summary }
    let wanted = Set(parts)
    let reader = kept.reader(including: { wanted.contains($0) })
    var writers: [Int: PartTokenFile.Writer] = [:]
    var nextToFinish = 0
    // Writes the files of the wanted parts before `part`: the reader has moved past them.
    func finish(before part: Int) throws {
      while nextToFinish < parts.count && parts[nextToFinish] < part {
        let index = parts[nextToFinish]
        try (writers.removeValue(forKey: index) ?? PartTokenFile.Writer(path: file(index))).finish()
        nextToFinish += 1
      }
    }
    var finished = false
    while !finished {
      var text: [UInt8] = []
      var ranges: [Range<Int>] = []
      var documents: [(part: Int, id: String)] = []
      while text.count < 8 << 20 {
        guard let (document, bytes) = try reader.next() else {
          finished = true
          break
        }
        ranges.append(text.count..<text.count + bytes.count)
        text.append(contentsOf: bytes)
        documents.append((reader.partIndex, document.id))
      }
      if !ranges.isEmpty {
        let (encoded, ends) = text.withUnsafeBytes {
          tokenizer.encodeBatch($0, documents: ranges, threads: threads, recognizeSpecialTokens: false)
        }
        var start = 0
        try encoded.withUnsafeBufferPointer { encoded in
          for (number, document) in documents.enumerated() {
            let writer: PartTokenFile.Writer
            if let open = writers[document.part] {
              writer = open
            } else {
              writer = try PartTokenFile.Writer(path: file(document.part))
              writers[document.part] = writer
            }
            let end = ends[number]
            try writer.append(
              id: document.id, tokens: UnsafeBufferPointer(rebasing: encoded[start..<end]), textBytes: ranges[number].count)
            start = end
          }
        }
        summary.documents += documents.count
        summary.bytes += text.count
        summary.tokens += encoded.count
      }
      try finish(before: finished ? Int.max : reader.partIndex)
    }
    return summary
  }

  /// The merge: reads every part's task file, orders the documents, writes the shards into a
  /// staging folder, moves them into place, and records the shard rows, the shard map and the
  /// manifest.
  static func writeShards(
    workspace: Workspace, store: ProvenanceStore, parts: [String], tokenizer: Tokenizer, endOfText: UInt32, tokenizerSHA: String,
    options: ShardOptions, runID: Int64
  ) throws -> Summary {
    let readers = try parts.map { try PartTokenFile.Reader(path: $0) }
    var summary = Summary()
    var located: [(part: Int32, document: Int32)] = []
    var ids: [String] = []
    for (part, reader) in readers.enumerated() {
      for (number, document) in reader.documents.enumerated() {
        located.append((Int32(part), Int32(number)))
        ids.append(document.id)
      }
      summary.bytes += reader.textBytes
    }
    summary.documents = ids.count
    guard !ids.isEmpty else {
      throw HatcheryError("\(workspace.root): no documents to shard (every document was dropped, or none was ingested)")
    }
    let staging = workspace.absolute("shards/.staging-\(runID)-\(getpid())")
    try? FileManager.default.removeItem(atPath: staging)
    try FileManager.default.createDirectory(atPath: staging, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: staging) }
    let tokenType = TokenType(vocabularySize: tokenizer.vocabularySize)
    let order = shuffled(ids.indices, ids: ids, seed: options.seed)
    var validationCount = Int((Double(order.count) * options.validationFraction).rounded())
    if options.validationFraction > 0 && order.count >= 2 { validationCount = max(1, validationCount) }
    var shards: [ShardManifest.Shard] = []
    var map: [(shard: Int, tokenOffset: Int, documentID: String, tokenCount: Int)] = []
    map.reserveCapacity(ids.count)
    var separator = endOfText
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
            frameTokens: options.frameTokens, threads: options.threads)
          documentsInShard = 0
        }
        let (part, number) = located[index]
        let reader = readers[Int(part)]
        let document = reader.documents[Int(number)]
        try withUnsafePointer(to: &separator) { try writer!.append(UnsafeBufferPointer(start: $0, count: 1)) }
        map.append((shards.count, writer!.tokens, document.id, document.tokenCount))
        try reader.withTokens(of: document) { try writer!.append($0) }
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
    return summary
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
