import HatcheryCore

/// Step 3, per task: turns the task's drops into decision rows (stage `dedup`), replacing the
/// dedup decisions its documents had, in one transaction; or, for every task at once
/// (`runAll`), replacing every dedup decision in one transaction.
enum DecideStep {
  static let stage = "dedup"

  static func run(_ context: DedupContext, task: Int, stageRunID: Int64?) throws -> Int {
    let (decisions, spans) = try rows(context, task: task)
    // Every document of the task loses the dedup rows it had.
    let documents = try TaskDocuments(context, task: task)
    let ids = try (0..<documents.count).map { try documents.entry($0).key.id }
    try context.store.replaceDecisions(stage: stage, for: ids, with: decisions, spans: spans, stageRunID: stageRunID)
    return decisions.count
  }

  /// Every task's rows replace every dedup row: cleared once, inserted task by task — where a
  /// transaction per task deleted each document's rows one by one (docs/benchmarks.md).
  static func runAll(_ context: DedupContext, tasks: Int, stageRunID: Int64?) throws -> Int {
    var count = 0
    try context.store.inOneTransaction { batch in
      try batch.clearDecisions(stage: stage)
      for task in 0..<tasks {
        let (decisions, spans) = try rows(context, task: task)
        try batch.insertDecisions(stage: stage, decisions: decisions, spans: spans, stageRunID: stageRunID)
        count += decisions.count
      }
    }
    return count
  }

  /// A task's documents file, read by ordinal where a drop or a span names one: the ids of a
  /// task's every document are not held in memory (DESIGN.md: memory bounded by the options).
  struct TaskDocuments {
    let reader: RecordFileReader
    var count: Int { reader.count }

    init(_ context: DedupContext, task: Int) throws {
      reader = try RecordFileReader(
        path: context.documentsPath(task: task), kind: .documents, recordSize: DocumentEntry.size)
    }

    /// The entry of document `ordinal`, which the file at `source` (drops, spans) names.
    func entry(_ ordinal: Int, namedIn source: String? = nil) throws -> DocumentEntry {
      guard ordinal < reader.count else {
        throw DedupError.documentOutOfRange(file: source ?? reader.path, ordinal: Int(ordinal), documents: reader.count)
      }
      return DocumentEntry(decoding: try reader.record(at: ordinal))
    }
  }

  /// The task's decisions and its removed spans.
  private static func rows(_ context: DedupContext, task: Int) throws -> ([DecisionRecord], [RemovedSpanRecord]) {
    let documents = try TaskDocuments(context, task: task)
    let drops = try RecordFileReader(path: context.dropsPath(task: task), kind: .drops, recordSize: DropEntry.size)
    var decisions: [DecisionRecord] = []
    while let record = try drops.next() {
      let drop = try DropEntry(decoding: record)
      decisions.append(
        DecisionRecord(
          documentID: try documents.entry(Int(drop.ordinal), namedIn: drops.path).key.id, stage: stage, action: .drop,
          reason: drop.reason.name,
          duplicateOf: drop.survivor.id, similarity: (Double(drop.similarity) * 1e4).rounded() / 1e4, score: nil))
    }
    let spans: (drops: [DecisionRecord], removed: [RemovedSpanRecord]) =
      context.options.paragraphs ? try paragraphDecisions(context, task: task, documents: documents) : ([], [])
    decisions += spans.drops
    return (decisions, spans.removed)
  }

  /// A document whose seen-before paragraphs leave fewer than `paragraphMinWords` words is
  /// dropped (reason `paragraph`, as the duplicate of the document its first removed paragraph
  /// came from); otherwise its seen-before paragraphs are recorded as removed spans.
  private static func paragraphDecisions(_ context: DedupContext, task: Int, documents: TaskDocuments) throws
    -> (drops: [DecisionRecord], removed: [RemovedSpanRecord])
  {
    let reader = try RecordFileReader(path: context.spansPath(task: task), kind: .spans, recordSize: SpanEntry.size)
    var byDocument: [UInt32: [SpanEntry]] = [:]
    var order: [UInt32] = []
    while let record = try reader.next() {
      let span = SpanEntry(decoding: record)
      guard Int(span.ordinal) < documents.count else {
        throw DedupError.documentOutOfRange(
          file: reader.path, ordinal: Int(span.ordinal), documents: documents.count)
      }
      if byDocument[span.ordinal] == nil { order.append(span.ordinal) }
      byDocument[span.ordinal, default: []].append(span)
    }
    var drops: [DecisionRecord] = []
    var removed: [RemovedSpanRecord] = []
    for ordinal in order {
      let spans = byDocument[ordinal]!
      let entry = try documents.entry(Int(ordinal), namedIn: reader.path)
      let id = entry.key.id
      let removedWords = spans.reduce(0) { $0 + Int($1.words) }
      let total = Int(entry.paragraphWords)
      if total - removedWords < context.options.paragraphMinWords {
        drops.append(
          DecisionRecord(
            documentID: id, stage: stage, action: .drop, reason: "paragraph", duplicateOf: spans[0].survivor.id,
            similarity: nil, score: total > 0 ? (Double(removedWords) / Double(total) * 1e4).rounded() / 1e4 : 1))
      } else {
        removed += spans.map {
          RemovedSpanRecord(
            documentID: id, stage: stage, start: Int($0.start), end: Int($0.end), reason: "paragraph",
            duplicateOf: $0.survivor.id)
        }
      }
    }
    return (drops, removed)
  }
}
