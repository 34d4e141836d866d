import HatcheryCore

/// Step 3, per task: turns the task's drops into decision rows (stage `dedup`), replacing the
/// dedup decisions its documents had, in one transaction.
enum DecideStep {
  static let stage = "dedup"

  static func run(_ context: DedupContext, task: Int, stageRunID: Int64?) throws -> Int {
    let documents = try RecordFileReader(
      path: context.documentsPath(task: task), kind: .documents, recordSize: DocumentEntry.size)
    var ids: [String] = []
    while let record = try documents.next() { ids.append(DocumentEntry(decoding: record).key.id) }
    let drops = try RecordFileReader(path: context.dropsPath(task: task), kind: .drops, recordSize: DropEntry.size)
    var decisions: [DecisionRecord] = []
    while let record = try drops.next() {
      let drop = try DropEntry(decoding: record)
      guard Int(drop.ordinal) < ids.count else {
        throw HatcheryError("\(drops.path): names document \(drop.ordinal) of a task with \(ids.count)")
      }
      decisions.append(
        DecisionRecord(
          documentID: ids[Int(drop.ordinal)], stage: stage, action: "drop", reason: drop.reason.name,
          duplicateOf: drop.survivor.id, similarity: (Double(drop.similarity) * 1e4).rounded() / 1e4, score: nil))
    }
    try context.store.replaceDecisions(stage: stage, for: ids, with: decisions, stageRunID: stageRunID)
    return decisions.count
  }
}
