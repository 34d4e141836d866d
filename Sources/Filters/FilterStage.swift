import Classifiers
import Foundation
import HatcheryCore
import Synchronization

/// The `filter` stage: URL block-lists, decontamination against evaluation sets, the Gopher, C4
/// and FineWeb quality rules, fastText classifiers (their scores kept per part) and language
/// identification, over every document; a document that fails one is dropped by a
/// decision (stage `filter`, reason the rule's name and what it matched, score the value
/// measured), or flagged (`keep`) for contamination when so configured. With PII redaction, every
/// part also gets a `redacted` version (docs/<source>/redacted/part-NNNNN.jsonl.zst, recorded in
/// `part_versions`) of the documents the stage keeps, with the counts per document in
/// `redactions`; the original part stays.
public enum FilterStage {
  public static let name = "filter"

  public struct Summary: StageSummary, Codable {
    public var nothingToDo = false
    public var documents = 0
    public var bytes = 0
    /// Documents dropped, by rule.
    public var dropped: [String: Int] = [:]
    public var flagged = 0
    /// PII replaced, by kind.
    public var redacted: [String: Int] = [:]
    public var seconds = 0.0

    public var text: String {
      if nothingToDo { return "filter: nothing to do, the decisions are up to date (use --force to redo them)" }
      let total = dropped.values.reduce(0, +)
      let reasons = dropped.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.map { "\($0.key) \($0.value)" }
      return "filter: \(documents) documents, \(total) dropped, \(flagged) flagged, "
        + String(format: "%.2f s, %.1f MB/s", seconds, seconds > 0 ? Double(bytes) / seconds / 1e6 : 0)
        + (reasons.isEmpty ? "" : "\ndropped by rule: " + reasons.joined(separator: ", "))
        + (redacted.isEmpty
          ? ""
          : "\nredacted: " + redacted.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
    }
  }

  /// `step`, `task`, `tasks`: across machines, task I of N filters the parts k with k mod N = I
  /// into task files (the store only read), and one merge writes them (`StageStep`).
  public static func run(
    workspace: Workspace, config: FilterConfig, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
    force: Bool = false, step: StageStep = .all, task: Int = 0, tasks: Int = 1
  ) throws -> Summary {
    let started = Date()
    guard tasks >= 1, task >= 0, task < tasks else {
      throw FilterError.invalidOption("--task must be between 0 and --tasks - 1 (got task \(task) of \(tasks))")
    }
    var config = config
    if !config.languages.isEmpty && config.languageModel == nil && config.languageClassifier == nil {
      config.languageModel = try LanguageModel.shipped()
    }
    let store =
      try step == .task
      ? workspace.openStoreForReading() : step == .merge ? workspace.openStoreForMerge() : workspace.openStore()
    let parts = try store.allParts()
    guard !parts.isEmpty else {
      throw FilterError.noDocuments(workspace: workspace.root)
    }
    var configuration = JSONObject([
      ("rules", .array(config.families.map { .string($0.rawValue) })),
      ("thresholds", .string(config.thresholds.canonical)),
      ("files", .array(config.fileDigests.map { .string($0) })),
      (
        "languages",
        .string(
          config.languages.joined(separator: ",") + "@\(config.languageThreshold)"
            + (config.languageClassifier.map { " by " + $0 } ?? ""))
      ),
      ("contamination", .string(config.contamination.map { "n=\($0.n) flag=\(config.flagContamination)" } ?? "none")),
    ])
    configuration["parts"] = .array(parts.map { .string("\($0.source.name)/\($0.part.part):\($0.part.sha256)") })
    let stageConfig = StageConfig(configuration)
    let lifecycle = StageLifecycle(stage: name, task: 0, tasks: step == .merge ? tasks : 1, config: stageConfig)
    if step != .task, !force, try lifecycle.isUpToDate(in: store) {
      var summary = Summary()
      summary.nothingToDo = true
      return summary
    }
    // The redacted version is the text later stages read, so it leaves out what dedup removed.
    func removedSpans() throws -> [String: [Range<Int>]] {
      var removedSpans: [String: [Range<Int>]] = [:]
      if config.piiRedactor != nil {
        for span in try store.removedSpans(stage: nil) where span.end > span.start {
          removedSpans[span.documentID, default: []].append(span.start..<span.end)
        }
      }
      return removedSpans
    }
    switch step {
    case .all: break
    case .task:
      let spans = try removedSpans()
      var summary = Summary()
      var done = 0
      for index in parts.indices where index % tasks == task {
        let path = workspace.absolute(taskFile(part: index, config: stageConfig))
        if !force, FileManager.default.fileExists(atPath: path) { continue }
        let result = try filter(
          parts[index], workspace: workspace, config: config, removedSpans: spans, threads: threads)
        try TaskFiles.write(result, to: path)
        summary.add(result.summary)
        done += 1
      }
      summary.nothingToDo = done == 0
      summary.seconds = Date().timeIntervalSince(started)
      return summary
    case .merge:
      let missing = TaskFiles.missing(in: workspace, stage: name, config: stageConfig, parts: parts.count)
      guard missing.isEmpty else {
        throw TaskFiles.refusal(missing, of: parts.count, tasks: tasks, stage: name, command: "hatchery filter run")
      }
      return try lifecycle.record(in: store) { runID in
        var summary = Summary()
        // Every part's results replace every filter row, all in one transaction.
        try store.inOneTransaction { batch in
          try batch.clearRedactions(stage: name)
          try TaskFiles.fold(
            FilterPartResult.self, in: workspace, stage: name, config: stageConfig, parts: parts.count, threads: threads
          ) {
            results in
            for result in results {
              try batch.insertRedactedPart(
                stage: name, decisions: result.decisions,
                redactions: result.redactions.map { ($0.documentID, $0.kind, $0.count) },
                version: result.version.map { ($0.sourceID, $0.part, "redacted", $0.path, $0.sha256) },
                stageRunID: runID)
              try batch.replaceClassifierScores(
                result.scores, sourceID: result.sourceID, part: result.part, stageRunID: runID)
              summary.add(result.summary)
            }
          }
          try dropOutsideTopFractions(config, batch: batch, runID: runID, summary: &summary)
        }
        TaskFiles.removeAll(in: workspace, stage: name)
        summary.seconds = Date().timeIntervalSince(started)
        return summary
      }
    }
    return try lifecycle.record(in: store) { runID in
      var summary = Summary()
      let removedSpans = try removedSpans()
      for folder in Set(parts.map { Workspace.documentsFolder(source: $0.source.name) + "/redacted" }) {
        Leftovers.remove(in: workspace.absolute(folder))
      }
      for part in parts {
        do {
          let result = try filter(
            part, workspace: workspace, config: config, removedSpans: removedSpans, threads: threads)
          try result.write(into: store, stageRunID: runID)
          summary.add(result.summary)
        } catch {
          // Each part's decisions are committed with it: the run's counters say how far it got.
          throw StageLifecycle.PartialFailure(error, partial: summary)
        }
      }
      try store.inOneTransaction { batch in
        try dropOutsideTopFractions(config, batch: batch, runID: runID, summary: &summary)
      }
      summary.seconds = Date().timeIntervalSince(started)
      return summary
    }
  }

  /// Classifiers with `keep_top_fraction` decide once every part is scored: the same cut
  /// whether one process or a merge wrote the scores.
  private static func dropOutsideTopFractions(
    _ config: FilterConfig, batch: borrowing ProvenanceStore.Batch, runID: Int64, summary: inout Summary
  ) throws {
    for classifier in config.classifiers {
      guard let fraction = classifier.keepTopFraction else { continue }
      let dropped = try batch.dropOutsideTopFraction(
        classifier: classifier.name, fraction: fraction, stage: name,
        reason: "\(classifier.rule): \(classifier.label) outside the top \(fraction)",
        stageRunID: runID)
      if dropped > 0 { summary.dropped[classifier.rule, default: 0] += dropped }
    }
  }

  /// Filters one part and replaces its documents' `filter` decisions (and, with PII redaction,
  /// their redaction counts and the part's `redacted` version) in one transaction. Documents
  /// are judged in batches on `threads` workers, each with its own scratch counter, so one large
  /// part keeps every core busy (tok-text is a single 59 MB part).
  private static func filter(
    _ entry: (source: SourceRecord, part: PartRecord), workspace: Workspace, config: FilterConfig,
    removedSpans: [String: [Range<Int>]], threads: Int
  ) throws -> FilterPartResult {
    let reader = try DocumentPartReader(path: workspace.absolute(entry.part.path))
    let versionPath = Workspace.partPath(source: entry.source.name, part: entry.part.part, version: "redacted")
    let redacted = try config.piiRedactor.map { _ in
      try DocumentPartWriter(path: workspace.absolute(versionPath), compressor: try ZstdCompressor())
    }
    var summary = Summary()
    var ids: [String] = []
    var decisions: [DecisionRecord] = []
    var redactions: [FilterPartResult.Redaction] = []
    // Each classifier's scores of the part's documents, in line order.
    var partScores = [[Float]](repeating: [], count: config.classifiers.count)
    func judge(_ batch: [Document]) throws {
      let results = Mutex(
        [(verdict: RuleFailure?, text: [UInt8]?, counts: [PIIRedactor.Kind: Int], scores: [Float])](
          repeating: (nil, nil, [:], []), count: batch.count))
      let next = Atomic<Int>(0)
      let documents = batch
      DispatchQueue.concurrentPerform(iterations: max(1, min(threads, documents.count))) { _ in
        let counter = GramCounter()
        let predictors = config.classifiers.map { FastTextPredictor(model: $0.model) }
        var scores = [Float](repeating: 0, count: config.classifiers.count)
        while true {
          let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
          guard index < documents.count else { return }
          let document = documents[index]
          let verdict = config.verdict(document, counter: counter, predictors: predictors, scores: &scores)
          // Dropped documents are neither redacted nor written again: two thirds of the benchmark's
          // documents are dropped, and skipping them took the stage with PII from 36 to 45 MB/s.
          let kept = verdict.map(\.flagOnly) ?? true
          let redaction =
            kept
            ? config.piiRedactor.map { redactor in
              if let spans = removedSpans[document.id] {
                return KeptDocuments.cut(Array(document.text.utf8), removing: spans).withUnsafeBytes {
                  redactor.redact($0)
                }
              }
              var text = document.text
              return text.withUTF8 { redactor.redact(UnsafeRawBufferPointer($0)) }
            } : nil
          results.withLock { $0[index] = (verdict, redaction?.text, redaction?.counts ?? [:], scores) }
        }
      }
      for (document, result) in zip(batch, results.withLock { $0 }) {
        ids.append(document.id)
        for index in partScores.indices { partScores[index].append(result.scores[index]) }
        summary.documents += 1
        summary.bytes += document.text.utf8.count
        if let redacted, let text = result.text {
          try text.withUnsafeBytes { bytes in
            try redacted.append(
              id: document.id, text: bytes, source: document.source, added: document.added, created: document.created,
              metadata: document.metadata)
          }
          for (kind, count) in result.counts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            redactions.append(FilterPartResult.Redaction(documentID: document.id, kind: kind.rawValue, count: count))
            summary.redacted[kind.rawValue, default: 0] += count
          }
        }
        guard let verdict = result.verdict else { continue }
        if verdict.flagOnly { summary.flagged += 1 } else { summary.dropped[verdict.rule, default: 0] += 1 }
        decisions.append(
          DecisionRecord(
            documentID: document.id, stage: name, action: verdict.flagOnly ? .keep : .drop,
            reason: verdict.flagOnly ? "flag: " + verdict.reason : verdict.reason, duplicateOf: nil, similarity: nil,
            score: (verdict.value * 1e4).rounded() / 1e4))
      }
    }
    // The next batch is read (decompressed, parsed) while the workers judge this one.
    let batches = Batches(reader)
    let readQueue = DispatchQueue(label: "hatchery.filter.read")
    var batch = try batches.next()
    while !batch.isEmpty {
      let upcoming = Mutex<Result<[Document], Error>?>(nil)
      let done = DispatchGroup()
      readQueue.async(group: done) {
        let result = Result { try batches.next() }
        upcoming.withLock { $0 = result }
      }
      try judge(batch)
      done.wait()
      batch = try upcoming.withLock { $0! }.get()
    }
    let version = try redacted.map { writer in
      FilterPartResult.Version(
        sourceID: entry.source.id, part: entry.part.part, path: versionPath, sha256: try writer.commit().sha256.hex)
    }
    let scores = zip(config.classifiers, partScores).map { classifier, scores in
      ClassifierScores(
        classifier: classifier.name, label: classifier.label, sourceID: entry.source.id, part: entry.part.part,
        scores: scores)
    }
    return FilterPartResult(
      sourceID: entry.source.id, part: entry.part.part, ids: ids, decisions: decisions, redactions: redactions,
      scores: scores, version: version,
      summary: summary)
  }

  /// `tasks/filter/<configuration>/part-NNNNN.json`: a filter task's results for part N (counted over every
  /// source), until the merge writes them into the store.
  public static func taskFile(part: Int, config: StageConfig) -> String {
    TaskFiles.path(stage: name, config: config, part: part)
  }

  /// A part's documents in batches of 256, read by one thread at a time: each batch is read on
  /// the read queue while the previous one is judged, and the stage waits for it before asking
  /// for the next, which is what makes the unchecked Sendable sound.
  private final class Batches: @unchecked Sendable {
    private let reader: DocumentPartReader

    init(_ reader: DocumentPartReader) {
      self.reader = reader
    }

    func next() throws -> [Document] {
      var batch: [Document] = []
      while batch.count < 256, let document = try reader.next() { batch.append(document) }
      return batch
    }
  }
}

extension FilterStage.Summary {
  mutating func add(_ other: FilterStage.Summary) {
    documents += other.documents
    bytes += other.bytes
    dropped.merge(other.dropped, uniquingKeysWith: +)
    flagged += other.flagged
    redacted.merge(other.redacted, uniquingKeysWith: +)
  }

}

/// What filtering one part decided, as the store takes it (its redacted part file is written
/// already); a task writes it to its task file.
struct FilterPartResult: Codable {
  struct Redaction: Codable {
    var documentID: String
    var kind: String
    var count: Int
  }

  struct Version: Codable {
    var sourceID: Int64
    var part: Int
    var path: String
    var sha256: String
  }

  var sourceID: Int64
  var part: Int
  var ids: [String]
  var decisions: [DecisionRecord]
  var redactions: [Redaction]
  /// Each classifier's scores of the part's documents (none without classifiers; writing them
  /// replaces whatever an earlier configuration scored).
  var scores: [ClassifierScores]
  var version: Version?
  var summary: FilterStage.Summary

  /// Replaces the part's documents' `filter` decisions, redactions and redacted version, in one
  /// transaction.
  func write(into store: ProvenanceStore, stageRunID: Int64) throws {
    try store.inOneTransaction { batch in
      try batch.replaceRedactedPart(
        stage: FilterStage.name, for: ids, decisions: decisions,
        redactions: redactions.map { ($0.documentID, $0.kind, $0.count) },
        version: version.map { ($0.sourceID, $0.part, "redacted", $0.path, $0.sha256) }, stageRunID: stageRunID)
      try batch.replaceClassifierScores(scores, sourceID: sourceID, part: part, stageRunID: stageRunID)
    }
  }
}
