import Foundation
import HatcheryCore
import Synchronization

/// The `filter` stage: URL block-lists, decontamination against evaluation sets, and the Gopher,
/// C4 and FineWeb quality rules, and language identification, over every document; a document that fails one is dropped by a
/// decision (stage `filter`, reason the rule's name and what it matched, score the value
/// measured), or flagged (`keep`) for contamination when so configured. With PII redaction, every
/// part also gets a `redacted` version (docs/<source>/redacted/part-NNNNN.jsonl.zst, recorded in
/// `part_versions`) of the documents the stage keeps, with the counts per document in
/// `redactions`; the original part stays.
public enum FilterStage {
  public static let name = "filter"

  public struct Summary: Sendable {
    public var nothingToDo = false
    public var documents = 0
    public var bytes = 0
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
        + (redacted.isEmpty ? "" : "\nredacted: " + redacted.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", "))
    }
  }

  public static func run(
    workspace: Workspace, config: FilterConfig, threads: Int = ProcessInfo.processInfo.activeProcessorCount,
    force: Bool = false
  ) throws -> Summary {
    let started = Date()
    var config = config
    if !config.languages.isEmpty && config.languageModel == nil { config.languageModel = try LanguageModel.shipped() }
    let store = try workspace.openStore()
    let parts = try store.allParts()
    guard !parts.isEmpty else {
      throw HatcheryError("\(workspace.root): no documents to filter; run `hatchery ingest` first")
    }
    var configuration = JSONObject([
      ("rules", .array(config.families.map { .string($0.rawValue) })), ("thresholds", .string(config.thresholds.canonical)),
      ("files", .array(config.fileDigests.map { .string($0) })),
      ("languages", .string(config.languages.joined(separator: ",") + "@\(config.languageThreshold)")),
      ("contamination", .string(config.contamination.map { "n=\($0.n) flag=\(config.flagContamination)" } ?? "none")),
    ])
    configuration["parts"] = .array(parts.map { .string("\($0.source.name)/\($0.part.part):\($0.part.sha256)") })
    let lifecycle = StageLifecycle(stage: name, config: StageConfig(configuration))
    if !force, try lifecycle.isUpToDate(in: store) {
      var summary = Summary()
      summary.nothingToDo = true
      return summary
    }
    return try lifecycle.record(in: store) { runID in
      var summary = Summary()
      // The redacted version is the text later stages read, so it leaves out what dedup removed.
      var removedSpans: [String: [Range<Int>]] = [:]
      if config.piiRedactor != nil {
        for span in try store.removedSpans(stage: nil) where span.end > span.start {
          removedSpans[span.documentID, default: []].append(span.start..<span.end)
        }
      }
      for folder in Set(parts.map { Workspace.documentsFolder(source: $0.source.name) + "/redacted" }) {
        Leftovers.remove(in: workspace.absolute(folder))
      }
      func counts() -> JSONObject {
        var counts = JSONObject([("documents", .int(summary.documents))])
        counts["dropped_by_rule"] = .object(JSONObject(summary.dropped.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }))
        return counts
      }
      for part in parts {
        let partSummary: Summary
        do {
          partSummary = try filter(
            part, workspace: workspace, store: store, config: config, removedSpans: removedSpans, threads: threads, runID: runID)
        } catch {
          // Each part's decisions are committed with it: the run's counters say how far it got.
          throw StageLifecycle.PartialFailure(error, counts: counts())
        }
        summary.documents += partSummary.documents
        summary.bytes += partSummary.bytes
        summary.dropped.merge(partSummary.dropped, uniquingKeysWith: +)
        summary.flagged += partSummary.flagged
        summary.redacted.merge(partSummary.redacted, uniquingKeysWith: +)
      }
      summary.seconds = Date().timeIntervalSince(started)
      return (summary, counts())
    }
  }

  /// Filters one part and replaces its documents' `filter` decisions (and, with PII redaction,
  /// their redaction counts and the part's `redacted` version) in one transaction. Documents
  /// are judged in batches on `threads` workers, each with its own scratch counter, so one large
  /// part keeps every core busy (tok-text is a single 59 MB part).
  private static func filter(
    _ entry: (source: SourceRecord, part: PartRecord), workspace: Workspace, store: ProvenanceStore,
    config: FilterConfig, removedSpans: [String: [Range<Int>]], threads: Int, runID: Int64
  ) throws -> Summary {
    let reader = try DocumentPartReader(path: workspace.absolute(entry.part.path))
    let versionPath = Workspace.partPath(source: entry.source.name, part: entry.part.part, version: "redacted")
    let redacted = try config.piiRedactor.map { _ in
      try DocumentPartWriter(path: workspace.absolute(versionPath), compressor: try ZstdCompressor())
    }
    var summary = Summary()
    var ids: [String] = []
    var decisions: [DecisionRecord] = []
    var redactions: [(documentID: String, kind: String, count: Int)] = []
    func judge(_ batch: [Document]) throws {
      let results = Mutex([(verdict: RuleFailure?, text: [UInt8]?, counts: [PIIRedactor.Kind: Int])](
        repeating: (nil, nil, [:]), count: batch.count))
      let next = Atomic<Int>(0)
      let documents = batch
      DispatchQueue.concurrentPerform(iterations: max(1, min(threads, documents.count))) { _ in
        let counter = GramCounter()
        while true {
          let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
          guard index < documents.count else { return }
          let document = documents[index]
          let verdict = config.verdict(document, counter: counter)
          // Dropped documents are neither redacted nor written again: two thirds of the benchmark's
          // documents are dropped, and skipping them took the stage with PII from 36 to 45 MB/s.
          let kept = verdict.map(\.flagOnly) ?? true
          let redaction = kept ? config.piiRedactor.map { redactor in
            if let spans = removedSpans[document.id] {
              return KeptDocuments.cut(Array(document.text.utf8), removing: spans).withUnsafeBytes { redactor.redact($0) }
            }
            var text = document.text
            return text.withUTF8 { redactor.redact(UnsafeRawBufferPointer($0)) }
          } : nil
          results.withLock { $0[index] = (verdict, redaction?.text, redaction?.counts ?? [:]) }
        }
      }
      for (document, result) in zip(batch, results.withLock { $0 }) {
        ids.append(document.id)
        summary.documents += 1
        summary.bytes += document.text.utf8.count
        if let redacted, let text = result.text {
          try text.withUnsafeBytes { bytes in
            try redacted.append(
              id: document.id, text: bytes, source: document.source, added: document.added, created: document.created,
              metadata: document.metadata)
          }
          for (kind, count) in result.counts.sorted(by: { $0.key.rawValue < $1.key.rawValue }) {
            redactions.append((document.id, kind.rawValue, count))
            summary.redacted[kind.rawValue, default: 0] += count
          }
        }
        guard let verdict = result.verdict else { continue }
        if verdict.flagOnly { summary.flagged += 1 } else { summary.dropped[verdict.rule, default: 0] += 1 }
        decisions.append(
          DecisionRecord(
            documentID: document.id, stage: name, action: verdict.flagOnly ? "keep" : "drop",
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
      (sourceID: entry.source.id, part: entry.part.part, name: "redacted", path: versionPath, sha256: try writer.commit().sha256.hex)
    }
    try store.replaceRedactedPart(
      stage: name, for: ids, decisions: decisions, redactions: redactions, version: version, stageRunID: runID)
    return summary
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
