import Foundation
import HatcheryCore

/// The `tokenizer` stage: trains on a workspace's kept documents and writes
/// DIR/tokenizer/tokenizer.json and DIR/tokenizer/tokenizer.tiktoken. Skipped when a completed
/// run had the same options and the same kept documents.
public enum TokenizerStage {
  public static let name = "tokenizer"
  public static let jsonPath = "tokenizer/tokenizer.json"
  public static let tiktokenPath = "tokenizer/tokenizer.tiktoken"

  /// What a run did: its line of text, and — for a run that trained — the counters it records.
  public struct Result: StageSummary {
    public var text: String
    public var documents = 0
    public var bytes = 0
    public var pieces = 0
    public var distinctPieces = 0
    public var merges = 0
    public var vocabSize = 0
    public var tokenizerSHA256 = ""

    public init(text: String) { self.text = text }

    init(text: String, summary: TokenizerTrainingSummary, tokenizer: Tokenizer, documents: Int, sha: String) {
      self.text = text
      self.documents = documents
      bytes = summary.bytes
      pieces = summary.pieces
      distinctPieces = summary.distinctPieces
      merges = summary.merges
      vocabSize = tokenizer.vocabularySize
      tokenizerSHA256 = sha
    }

    enum CodingKeys: String, CodingKey {
      case documents, bytes, pieces, distinctPieces, merges, vocabSize, tokenizerSHA256
    }
  }

  /// `step`, `task`, `tasks` (`StageStep`): across machines, task I of N counts the pieces of
  /// the kept parts k with k mod N = I into a count file (the store only read), and the merge
  /// sums the files and learns the merges — the tokenizer one process learns.
  public static func run(
    workspace: Workspace, options: TokenizerTrainingOptions, force: Bool = false,
    progress: (@Sendable (TokenizerTrainingProgress) -> Void)? = nil, step: StageStep = .all, task: Int = 0,
    tasks: Int = 1
  ) throws -> Result {
    try options.validate()
    guard tasks >= 1, task >= 0, task < tasks else {
      throw TokenizerError.invalidOption("--task must be between 0 and --tasks - 1 (got task \(task) of \(tasks))")
    }
    let store =
      try step == .task
      ? workspace.openStoreForReading() : step == .merge ? workspace.openStoreForMerge() : workspace.openStore()
    // Only the steps that read documents need the kept set (every drop decision's id).
    let kept =
      step == .merge ? nil : try KeptDocuments(workspace: workspace, store: store, includeReview: options.includeReview)
    guard try !(kept?.parts.isEmpty ?? store.allParts().isEmpty) else {
      throw TokenizerError.noDocuments(workspace: workspace.root)
    }
    let stageConfig = StageConfig(
      JSONObject([
        ("vocab_size", .int(options.vocabularySize)), ("pattern", .string(options.pattern.rawValue)),
        ("special", .array(options.specialTokens.map { .string($0) })),
        ("min_frequency", .int(options.minimumFrequency)),
        ("inputs", .string(try KeptDocuments.fingerprint(store: store))),
        ("include_review", options.includeReview ? .bool(true) : .null),
        // The count files' layout (their folder is named by this configuration).
        ("count_format", .string(String(decoding: PieceCountFile.magic, as: UTF8.self))),
      ]))
    let lifecycle = StageLifecycle(stage: name, task: 0, tasks: step == .merge ? tasks : 1, config: stageConfig)
    // Count files of this configuration: tasks/tokenizer/<configuration>/task-NNNNN.counts.
    let countFolder = workspace.absolute("tasks/tokenizer/\(stageConfig.hash.prefix(16))")
    func countFile(_ task: Int) -> String { countFolder + "/task-" + String(format: "%05d", task) + ".counts" }
    if step == .task {
      let path = countFile(task)
      if !force && FileManager.default.fileExists(atPath: path) {
        return Result(
          text: "tokenizer task \(task): nothing to do, its counts are written (use --force to count again)")
      }
      let source = KeptDocumentChunks(kept!, including: { $0 % tasks == task })
      let summary = try TokenizerTrainer.writeCounts(
        source, documents: { source.documents }, options: options, to: path, progress: progress)
      return Result(
        text:
          "tokenizer task \(task) of \(tasks): \(ByteCount.format(summary.bytes)) of text, \(summary.pieces) pieces "
          + "(\(summary.distinctPieces) distinct), \(source.documents) documents → \(path)")
    }
    if !force, try lifecycle.isUpToDate(in: store, outputs: [workspace.absolute(jsonPath)]) {
      return Result(text: "tokenizer: nothing to do, \(jsonPath) is up to date (use --force to retrain)")
    }
    if step == .merge {
      let missing = (0..<tasks).filter { !FileManager.default.fileExists(atPath: countFile($0)) }
      guard missing.isEmpty else {
        throw TokenizerError.missingTaskCounts(tasks: missing, of: tasks)
      }
      Leftovers.remove(in: (workspace.absolute(jsonPath) as NSString).deletingLastPathComponent)
      return try lifecycle.record(in: store) { _ in
        let clock = ContinuousClock()
        let start = clock.now
        let (tokenizer, summary, documents) = try TokenizerTrainer.train(
          countFiles: (0..<tasks).map(countFile), options: options, progress: progress)
        guard summary.bytes > 0 else {
          throw TokenizerError.everyDocumentDropped(workspace: workspace.root)
        }
        let sha = try TokenizerFile.save(tokenizer, to: workspace.absolute(jsonPath))
        try TokenizerFile.save(tokenizer, to: workspace.absolute(tiktokenPath))
        try? FileManager.default.removeItem(atPath: countFolder)
        let seconds = (clock.now - start).seconds
        return Result(
          text: describe(summary, tokenizer: tokenizer, seconds: seconds, path: jsonPath)
            + ", \(documents) documents, \(tasks) task(s) merged",
          summary: summary, tokenizer: tokenizer, documents: documents, sha: sha.hex)
      }
    }
    Leftovers.remove(in: (workspace.absolute(jsonPath) as NSString).deletingLastPathComponent)
    return try lifecycle.record(in: store) { _ in
      let clock = ContinuousClock()
      let start = clock.now
      let source = KeptDocumentChunks(kept!)
      let (tokenizer, summary) = try TokenizerTrainer.train(source, options: options, progress: progress)
      guard summary.bytes > 0 else {
        throw TokenizerError.everyDocumentDropped(workspace: workspace.root)
      }
      let sha = try TokenizerFile.save(tokenizer, to: workspace.absolute(jsonPath))
      try TokenizerFile.save(tokenizer, to: workspace.absolute(tiktokenPath))
      let seconds = (clock.now - start).seconds
      return Result(
        text: describe(summary, tokenizer: tokenizer, seconds: seconds, path: jsonPath)
          + ", \(source.documents) documents",
        summary: summary, tokenizer: tokenizer, documents: source.documents, sha: sha.hex)
    }
  }

  /// One line: what was read, what was made, how long it took.
  public static func describe(_ summary: TokenizerTrainingSummary, tokenizer: Tokenizer, seconds: Double, path: String)
    -> String
  {
    String(
      format:
        "tokenizer: %@ of text, %d pieces (%d distinct), %d merges, vocabulary %d → %@; %.2f s (counting %.2f s, merging %.2f s)",
      ByteCount.format(summary.bytes), summary.pieces, summary.distinctPieces, summary.merges, tokenizer.vocabularySize,
      path,
      seconds, summary.countingSeconds, summary.mergingSeconds)
  }
}

/// The kept documents of a workspace as training chunks of about 1 MB: every task ends with one
/// thread counting its last chunk while the others wait, up to a chunk's counting time (~50 ms
/// for 4 MB chunks).
final class KeptDocumentChunks: TextChunkSource {
  private let reader: KeptDocuments.Reader
  private(set) var documents = 0

  init(_ kept: KeptDocuments, including: @escaping (Int) -> Bool = { _ in true }) {
    reader = kept.reader(including: including)
  }

  func nextChunk() throws -> TextChunk? {
    var bytes: [UInt8] = []
    var ranges: [Range<Int>] = []
    while bytes.count < 1 << 20, let (_, text) = try reader.next() {
      documents += 1
      ranges.append(bytes.count..<bytes.count + text.count)
      bytes.append(contentsOf: text)
    }
    return ranges.isEmpty ? nil : TextChunk(bytes: bytes, documents: ranges)
  }
}
