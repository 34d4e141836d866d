import Foundation
import GRDB

/// Decisions (keep, drop) of the stages that judge documents, and the spans they remove.
extension ProvenanceStore {
  /// Every finished part of every source, in source order (registration) and part order: the
  /// order in which later stages read the workspace's documents.
  public func allParts() throws -> [(source: SourceRecord, part: PartRecord)] {
    let sources = try pool.read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM sources ORDER BY id").map(Self.sourceRecord)
    }
    return try sources.flatMap { source in try parts(sourceID: source.id).map { (source, $0) } }
  }

  /// The input files whose path contains one of `fragments` (ASCII case ignored, SQLite's
  /// LIKE): a few candidates read out of one row per input file, not all of them.
  public func inputFiles(containing fragments: [String]) throws -> [(
    sourceID: Int64, part: Int, file: Int, path: String
  )] {
    guard !fragments.isEmpty else { return [] }
    return try pool.read { db in
      try Row.fetchAll(
        db,
        sql: "SELECT source_id, part, file, path FROM input_files WHERE "
          + Array(repeating: "path LIKE ?", count: fragments.count).joined(separator: " OR ")
          + " ORDER BY source_id, part, file",
        arguments: StatementArguments(fragments.map { "%" + $0 + "%" })
      ).map { ($0["source_id"], $0["part"], $0["file"], $0["path"]) }
    }
  }

  /// The paths of inputs of a stage's rejects whose path ends with `suffix`, by source.
  public func rejectedPaths(stage: String, endingWith suffix: String) throws -> [(sourceID: Int64, path: String)] {
    try pool.read { db in
      try Row.fetchAll(
        db,
        sql:
          "SELECT DISTINCT source_id, path FROM rejects WHERE stage = ? AND source_id IS NOT NULL AND path LIKE ? ORDER BY source_id, path",
        arguments: [stage, "%" + suffix]
      ).map { ($0["source_id"], $0["path"]) }
    }
  }

  /// The part lines (0-based) of the documents read from input file `file` of a part.
  public func partLines(sourceID: Int64, part: Int, file: Int) throws -> [Int] {
    try pool.read { db in
      guard let rows = try Self.documentRows(db, sourceID: sourceID, part: part) else { return [] }
      return try Int.fetchAll(
        db, sql: "SELECT part_line FROM documents WHERE rowid BETWEEN ? AND ? AND file = ? ORDER BY rowid",
        arguments: [rows.lowerBound, rows.upperBound, file])
    }
  }

  /// Replaces a stage's decisions and removed spans on `documentIDs` with `decisions` and
  /// `spans`, in one transaction.
  public func replaceDecisions(
    stage: String, for documentIDs: [String], with decisions: [DecisionRecord], spans: [RemovedSpanRecord] = [],
    stageRunID: Int64?
  ) throws {
    try pool.write { db in
      try Self.replaceDecisions(
        db, stage: stage, for: documentIDs, with: decisions, spans: spans, stageRunID: stageRunID)
    }
  }

  /// With `documentIDs` nil, only inserts.
  static func replaceDecisions(
    _ db: Database, stage: String, for documentIDs: [String]?, with decisions: [DecisionRecord],
    spans: [RemovedSpanRecord], stageRunID: Int64?
  ) throws {
    if let documentIDs {
      let delete = try db.makeStatement(sql: "DELETE FROM decisions WHERE stage = ? AND document_id = ?")
      let deleteSpans = try db.makeStatement(sql: "DELETE FROM removed_spans WHERE stage = ? AND document_id = ?")
      for id in documentIDs {
        try delete.execute(arguments: [stage, id])
        try deleteSpans.execute(arguments: [stage, id])
      }
    }
    let insertSpans = try db.makeStatement(
      sql:
        "INSERT INTO removed_spans (document_id, stage, reason, count, spans, stage_run_id) VALUES (?, ?, ?, ?, ?, ?)")
    // One row per document, stage and reason, in the order the spans came.
    var groups: [SpanGroup: [RemovedSpanSet.Span]] = [:]
    var order: [SpanGroup] = []
    for span in spans {
      let group = SpanGroup(documentID: span.documentID, stage: span.stage, reason: span.reason)
      if groups[group] == nil { order.append(group) }
      groups[group, default: []].append(
        RemovedSpanSet.Span(start: span.start, end: span.end, duplicateOf: span.duplicateOf))
    }
    for group in order {
      let members = groups[group]!
      try insertSpans.execute(arguments: [
        group.documentID, group.stage, group.reason, members.count, try RemovedSpanSet.encode(members), stageRunID,
      ])
    }
    let insert = try db.makeStatement(
      sql: """
        INSERT INTO decisions (document_id, stage, action, reason, duplicate_of, similarity, score, stage_run_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
        """)
    for decision in decisions {
      try insert.execute(arguments: [
        decision.documentID, decision.stage, decision.action.rawValue, decision.reason, decision.duplicateOf,
        decision.similarity, decision.score, stageRunID,
      ])
    }
  }

  /// Decisions of one stage (or of all), optionally only those on one document or naming one
  /// survivor.
  public func decisions(stage: String?, documentID: String? = nil, duplicateOf: String? = nil) throws
    -> [DecisionRecord]
  {
    try pool.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT * FROM decisions WHERE (? IS NULL OR stage = ?) AND (? IS NULL OR document_id = ?)
            AND (? IS NULL OR duplicate_of = ?) ORDER BY document_id, id
          """,
        arguments: [stage, stage, documentID, documentID, duplicateOf, duplicateOf]
      ).map { row in
        DecisionRecord(
          documentID: row["document_id"], stage: row["stage"], action: DecisionAction(rawValue: row["action"])!,
          reason: row["reason"],
          duplicateOf: row["duplicate_of"], similarity: row["similarity"], score: row["score"])
      }
    }
  }

  private struct SpanGroup: Hashable {
    var documentID: String
    var stage: String
    var reason: String
  }

  /// Removed spans of one stage (or of all), optionally of one document, by document and in
  /// text order.
  public func removedSpans(stage: String?, documentID: String? = nil) throws -> [RemovedSpanRecord] {
    try pool.read { db in
      var records: [RemovedSpanRecord] = []
      var current: String?
      var first = 0
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT document_id, stage, reason, spans FROM removed_spans
          WHERE (? IS NULL OR stage = ?) AND (? IS NULL OR document_id = ?) ORDER BY document_id
          """,
        arguments: [stage, stage, documentID, documentID])
      {
        let id: String = row["document_id"]
        if id != current {
          records[first...].sort { ($0.start, $0.end) < ($1.start, $1.end) }
          current = id
          first = records.count
        }
        let stage: String = row["stage"]
        let reason: String = row["reason"]
        for span in try RemovedSpanSet.decode(row["spans"]) {
          records.append(
            RemovedSpanRecord(
              documentID: id, stage: stage, start: span.start, end: span.end, reason: reason,
              duplicateOf: span.duplicateOf))
        }
      }
      records[first...].sort { ($0.start, $0.end) < ($1.start, $1.end) }
      return records
    }
  }
}
