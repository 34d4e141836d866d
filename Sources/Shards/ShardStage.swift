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
  /// Shard documents held back for licence review too.
  public var includeReview = false
  /// `all` in one process; across machines `task` (each --task tokenizes its parts, k mod N = I,
  /// into task files; the store only read), then `write` (each --task writes the shards s with
  /// s mod N = I), then `merge` once (the manifest, the shard map, the shards moved into place).
  public var step = ShardStep.all
  public var task = 0
  public var tasks = 1

  public init() {}

  public func validate() throws {
    guard tokensPerShard >= 1 else { throw ShardError.invalidOption("--tokens-per-shard must be at least 1") }
    guard (0..<1).contains(validationFraction) else {
      throw ShardError.invalidOption("--val-fraction must be in [0, 1)")
    }
    guard (1...22).contains(level) else { throw ShardError.invalidOption("--level must be between 1 and 22") }
    guard (256...ShardWriter.maximumFrameTokens).contains(frameTokens) else {
      throw ShardError.invalidOption("--frame-tokens must be between 256 and \(ShardWriter.maximumFrameTokens)")
    }
    guard threads >= 1 else { throw ShardError.invalidOption("--threads must be at least 1") }
    guard tasks >= 1, task >= 0, task < tasks else {
      throw ShardError.invalidOption("--task must be between 0 and --tasks - 1 (got task \(task) of \(tasks))")
    }
  }
}

/// The steps of `shard` across machines (`all` does them in one process).
public enum ShardStep: String, Sendable, CaseIterable {
  case all, task, write, merge
}

/// The `shard` stage: tokenizes the kept documents with the workspace's tokenizer (in parallel,
/// as plain text, so a document cannot forge an end-of-text token), orders them by a seeded hash
/// of their ids (the same order on every run, thread and task count), puts the first
/// `validationFraction` of them in the validation split, and writes each split as shards of
/// about `tokensPerShard` tokens, every document preceded by the end-of-text token. The shard map
/// records where each document's tokens are.
///
/// Tasks and merge: `task` steps tokenize parts (k mod N = I) into task files of their own
/// (`PartTokenFile`), each with a table of its documents in the seeded order; every `write`
/// step merges those tables into the order of all documents (`ShardPlan`), finds the shard
/// boundaries and writes its shards (s mod N = I) from the files' tokens; the `merge` moves the
/// shards into place and writes the manifest and the shard map. What is written depends on the
/// parts only, never on how many tasks did the work. Shards appear in `shards/` only with the
/// store rows and the manifest, so a killed run leaves the previous shards (or none) and never a
/// manifest naming a partial one.
public enum ShardStage {
  public static let name = "shard"

  public struct Summary: StageSummary {
    public var nothingToDo = false
    /// For a task or write step: the step, the task, and how many parts (or shards) it did.
    public var task: (step: ShardStep, number: Int, of: Int, count: Int)?
    public var documents = 0
    public var bytes = 0
    public var tokens = 0
    public var shards: [ShardManifest.Shard] = []
    public var tokenizingSeconds = 0.0
    public var seconds = 0.0
    public var tokenizerSHA256 = ""

    enum CodingKeys: String, CodingKey {
      case documents, bytes, tokens, shards, tokenizerSHA256, tokenizingSeconds, seconds
    }

    /// The run's counters: the shards are counted (the manifest and the store list them).
    public func encode(to encoder: Encoder) throws {
      var container = encoder.container(keyedBy: CodingKeys.self)
      try container.encode(documents, forKey: .documents)
      try container.encode(bytes, forKey: .bytes)
      try container.encode(tokens, forKey: .tokens)
      try container.encode(shards.count, forKey: .shards)
      try container.encode(tokenizerSHA256, forKey: .tokenizerSHA256)
      try container.encode(tokenizingSeconds, forKey: .tokenizingSeconds)
      try container.encode(seconds, forKey: .seconds)
    }

    public var text: String {
      if let task, task.step == .task {
        if nothingToDo {
          return
            "shard task \(task.number) of \(task.of): nothing to do, its parts are tokenized (use --force to tokenize again)"
        }
        return String(
          format: "shard task %d of %d: %d parts, %d documents, %@ of text → %d tokens; %.2f s",
          task.number, task.of, task.count, documents, ByteCount.format(bytes), tokens, seconds)
      }
      if let task {
        if nothingToDo {
          return
            "shard write \(task.number) of \(task.of): nothing to do, its shards are written (use --force to write again)"
        }
        return String(
          format: "shard write %d of %d: %d shards, %d tokens; %.2f s", task.number, task.of, task.count, tokens,
          seconds)
      }
      if nothingToDo { return "shard: nothing to do, the shards are up to date (use --force to rebuild them)" }
      let train = shards.filter { $0.split == "train" }
      let validation = shards.filter { $0.split == "val" }
      return String(
        format:
          "shard: %d documents, %@ of text → %d tokens in %d train shards (%d tokens) and %d val shards (%d tokens); "
          + "%.2f s (tokenizing %.2f s), %.2f M tokens/s",
        documents, ByteCount.format(bytes), tokens, train.count, train.reduce(0) { $0 + $1.tokens }, validation.count,
        validation.reduce(0) { $0 + $1.tokens }, seconds, tokenizingSeconds,
        seconds > 0 ? Double(tokens) / seconds / 1e6 : 0)
    }
  }

  public static func run(workspace: Workspace, options: ShardOptions, force: Bool = false) throws -> Summary {
    try options.validate()
    let clock = ContinuousClock()
    let started = clock.now
    // Task and write steps only read the store (it may be read-only while an array runs).
    let store =
      try options.step == .task || options.step == .write
      ? workspace.openStoreForReading() : options.step == .merge ? workspace.openStoreForMerge() : workspace.openStore()
    let tokenizerPath = workspace.absolute(TokenizerStage.jsonPath)
    guard FileManager.default.fileExists(atPath: tokenizerPath) else {
      throw ShardError.missingTokenizer(path: tokenizerPath, workspace: workspace.root)
    }
    let tokenizerBytes = try Data(contentsOf: URL(fileURLWithPath: tokenizerPath))
    let tokenizerSHA = tokenizerBytes.withUnsafeBytes { SHA256Hasher.hash($0) }.hex
    let tokenizer = try TokenizerFile.load(path: tokenizerPath)
    guard let endOfText = tokenizer.endOfText else {
      throw ShardError.noEndOfText(tokenizer: tokenizerPath)
    }
    let kept = try KeptDocuments(workspace: workspace, store: store, includeReview: options.includeReview)
    let inputs = try KeptDocuments.fingerprint(store: store)
    // What the token files depend on: the tokenizer, the kept documents and the seed (their
    // tables are in the seeded order), not the other shard options.
    let tokenizing = StageConfig(
      JSONObject([
        ("tokenizer", .string(tokenizerSHA)), ("inputs", .string(inputs)), ("seed", .number(String(options.seed))),
        ("include_review", options.includeReview ? .bool(true) : .null),
        ("task_format", .int(Int(PartTokenFile.version))),
      ]))
    let folder = workspace.absolute(TaskFiles.folder(stage: name, config: tokenizing))
    func partFile(_ part: Int) -> String { folder + "/part-" + String(format: "%05d", part) + ".tokens" }
    let stageConfig = StageConfig(
      JSONObject([
        ("tokens_per_shard", .int(options.tokensPerShard)),
        ("val_fraction", .number(String(options.validationFraction))),
        ("seed", .number(String(options.seed))), ("level", .int(options.level)),
        ("frame_tokens", .int(options.frameTokens)),
        ("tokenizer", .string(tokenizerSHA)), ("inputs", .string(inputs)), ("format", .int(ShardManifest.version)),
      ]))
    // Written shards of this configuration, each with its result beside it, until the merge.
    let written = folder + "/written-" + stageConfig.hash.prefix(16)
    let tokenType = TokenType(vocabularySize: tokenizer.vocabularySize)
    func missingParts() -> [Int] { kept.parts.indices.filter { !FileManager.default.fileExists(atPath: partFile($0)) } }
    func makePlan() throws -> ShardPlan {
      let missing = missingParts()
      guard missing.isEmpty else {
        throw TaskFiles.refusal(
          missing, of: kept.parts.count, tasks: options.tasks, stage: name, command: "hatchery shard run")
      }
      return try ShardPlan(parts: kept.parts.indices.map(partFile), options: options)
    }
    switch options.step {
    case .task:
      let pending = kept.parts.indices.filter {
        $0 % options.tasks == options.task && (force || !FileManager.default.fileExists(atPath: partFile($0)))
      }
      var summary = try tokenize(
        parts: pending, kept: kept, tokenizer: tokenizer, threads: options.threads, seed: options.seed, file: partFile)
      summary.task = (.task, options.task, options.tasks, pending.count)
      summary.nothingToDo = pending.isEmpty
      summary.seconds = (clock.now - started).seconds
      return summary
    case .write:
      let plan = try makePlan()
      let mine = plan.shards.indices.filter {
        $0 % options.tasks == options.task
          && (force || !FileManager.default.fileExists(atPath: written + "/" + plan.shards[$0].resultName))
      }
      var summary = Summary()
      let results = try plan.write(
        shards: mine, into: written, tokenType: tokenType, endOfText: endOfText, options: options)
      summary.tokens = results.reduce(0) { $0 + $1.tokens }
      summary.task = (.write, options.task, options.tasks, mine.count)
      summary.nothingToDo = mine.isEmpty
      summary.seconds = (clock.now - started).seconds
      return summary
    case .all, .merge: break
    }
    let lifecycle = StageLifecycle(
      stage: name, task: 0, tasks: options.step == .merge ? options.tasks : 1, config: stageConfig)
    // A part ingested again clears the recorded shards (ProvenanceStore.deletePart): then they are
    // written again even when the kept documents' fingerprint has not changed.
    if !force, try !store.shards().isEmpty,
      try lifecycle.isUpToDate(in: store, outputs: [workspace.absolute(ShardManifest.path)])
    {
      var summary = Summary()
      summary.nothingToDo = true
      return summary
    }
    var tokenizingSeconds = 0.0
    let plan: ShardPlan
    if options.step == .all {
      // Parts and shards a killed run finished are kept; --force does every one again.
      if force { TaskFiles.removeAll(in: workspace, stage: name) }
      _ = try tokenize(
        parts: missingParts(), kept: kept, tokenizer: tokenizer, threads: options.threads, seed: options.seed,
        file: partFile)
      tokenizingSeconds = (clock.now - started).seconds
      plan = try makePlan()
      let unwritten = plan.shards.indices.filter {
        !FileManager.default.fileExists(atPath: written + "/" + plan.shards[$0].resultName)
      }
      _ = try plan.write(shards: unwritten, into: written, tokenType: tokenType, endOfText: endOfText, options: options)
    } else {
      plan = try makePlan()
      let unwritten = plan.shards.indices.filter {
        !FileManager.default.fileExists(atPath: written + "/" + plan.shards[$0].resultName)
      }
      guard unwritten.isEmpty else {
        let waiting = Set(unwritten.map { $0 % options.tasks }).sorted()
        throw ShardError.unwrittenShards(
          unwritten: unwritten.count, of: plan.shards.count, tasks: options.tasks, waiting: waiting)
      }
    }
    guard plan.documents > 0 else {
      throw ShardError.noDocuments(workspace: workspace.root, action: "shard")
    }
    return try lifecycle.record(in: store) { runID in
      var summary = try install(
        plan: plan, written: written, workspace: workspace, store: store, tokenizer: tokenizer, endOfText: endOfText,
        tokenType: tokenType, tokenizerSHA: tokenizerSHA, options: options, runID: runID)
      TaskFiles.removeAll(in: workspace, stage: name)
      summary.tokenizingSeconds = tokenizingSeconds
      summary.seconds = (clock.now - started).seconds
      summary.tokenizerSHA256 = tokenizerSHA
      return summary
    }
  }

  /// Tokenizes the kept documents of `parts` (indices into `kept.parts`, ascending), in batches
  /// of about 8 MB of text encoded on every thread, into one task file per part (written when
  /// the part's last document is encoded; a part without kept documents gets an empty one).
  static func tokenize(
    parts: [Int], kept: KeptDocuments, tokenizer: Tokenizer, threads: Int, seed: UInt64, file: (Int) -> String
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
        try (writers.removeValue(forKey: index) ?? PartTokenFile.Writer(path: file(index), seed: seed)).finish()
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
              writer = try PartTokenFile.Writer(path: file(document.part), seed: seed)
              writers[document.part] = writer
            }
            let end = ends[number]
            try writer.append(
              id: document.id, tokens: UnsafeBufferPointer(rebasing: encoded[start..<end]),
              textBytes: ranges[number].count)
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

  /// The merge: the written shards (every one has its result file) move into `shards/`, and the
  /// shard rows, the shard map and the manifest are recorded.
  static func install(
    plan: ShardPlan, written: String, workspace: Workspace, store: ProvenanceStore, tokenizer: Tokenizer,
    endOfText: UInt32,
    tokenType: TokenType, tokenizerSHA: String, options: ShardOptions, runID: Int64
  ) throws -> Summary {
    var summary = Summary()
    summary.documents = plan.documents
    summary.bytes = plan.textBytes
    for shard in plan.shards {
      let result = try ShardPlan.readResult(written + "/" + shard.resultName)
      summary.shards.append(
        .init(
          path: "shards/" + shard.relativePath, split: shard.split, tokens: result.tokens,
          documents: shard.documents.count,
          frames: result.frames, bytes: result.bytes, sha256: result.sha256))
      summary.tokens += result.tokens
    }
    // Move into place: the old manifest goes first, the new one last.
    let shardsFolder = workspace.absolute("shards")
    try FileManager.default.createDirectory(atPath: shardsFolder, withIntermediateDirectories: true)
    try? FileManager.default.removeItem(atPath: workspace.absolute(ShardManifest.path))
    for split in ["train", "val"] {
      try? FileManager.default.removeItem(atPath: "\(shardsFolder)/\(split)")
      // A killed write step's unfinished file (`….tmp-PID`) does not move with the shards.
      Leftovers.remove(in: "\(written)/\(split)")
      if FileManager.default.fileExists(atPath: "\(written)/\(split)") {
        try FileManager.default.moveItem(atPath: "\(written)/\(split)", toPath: "\(shardsFolder)/\(split)")
      }
    }
    for split in ["train", "val"] {
      for name in (try? FileManager.default.contentsOfDirectory(atPath: "\(shardsFolder)/\(split)")) ?? []
      where name.hasSuffix(".json") {
        unlink("\(shardsFolder)/\(split)/\(name)")
      }
    }
    try store.replaceShards(
      summary.shards.map {
        ShardRecord(
          split: $0.split, path: $0.path, tokens: $0.tokens, documents: $0.documents, dtype: tokenType.rawValue,
          bytes: $0.bytes,
          sha256: $0.sha256, tokenizerSHA256: tokenizerSHA)
      }, map: plan.forEachMapRow, stageRunID: runID)
    let manifest = ShardManifest(
      tokenizerPath: TokenizerStage.jsonPath, tokenizerSHA256: tokenizerSHA, vocabularySize: tokenizer.vocabularySize,
      endOfText: endOfText, tokenType: tokenType, frameTokens: options.frameTokens, seed: options.seed,
      validationFraction: options.validationFraction, shards: summary.shards)
    try AtomicFileOutput.write(manifest.encoded(), to: workspace.absolute(ShardManifest.path))
    return summary
  }
}
