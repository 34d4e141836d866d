import Foundation
import GRDB

/// A document the licence policy sent to review and nobody has decided on since.
public struct ReviewItem: Sendable, Equatable {
  public var documentID: String
  public var source: String
  public var path: String
  public var bytes: Int
  /// The effective licence, or nil when unknown.
  public var license: String?
  /// The policy's reason, without its "review: " prefix.
  public var reason: String
}

/// The review queue: a `tag` decision whose reason starts with "review: " holds its document
/// back from the shards until a later `review` decision approves (keep) or rejects (drop) it.
/// A later tag run that sends the document to review again holds it back again.
extension ProvenanceStore {
  /// The SQL condition on `decisions t` (a tag decision) that the document is held back.
  static let heldBackCondition = """
    t.stage = 'tag' AND t.reason LIKE 'review: %'
      AND NOT EXISTS (SELECT 1 FROM decisions r WHERE r.document_id = t.document_id AND r.stage = 'review' AND r.id > t.id)
    """

  /// Every document held back for review, oldest decision first; filtered by source name, reason
  /// substring and licence expression (use "unknown" for none) when given.
  public func reviewQueue(source: String? = nil, reason: String? = nil, license: String? = nil) throws -> [ReviewItem] {
    try read { db in
      var conditions = [Self.heldBackCondition]
      var arguments: [(any DatabaseValueConvertible)?] = []
      if let source {
        conditions.append("s.name = ?")
        arguments.append(source)
      }
      if let reason {
        conditions.append("instr(t.reason, ?) > 0")
        arguments.append(reason)
      }
      if let license {
        conditions.append(license == "unknown" ? "l.expression IS NULL" : "l.expression = ?")
        if license != "unknown" { arguments.append(license) }
      }
      return try Row.fetchAll(
        db,
        sql: """
          SELECT t.document_id, s.name AS source, f.path, d.bytes, l.expression, t.reason FROM decisions t
          JOIN documents d ON d.id = t.document_id JOIN sources s ON s.id = d.source_id
          JOIN input_files f ON f.source_id = d.source_id AND f.part = d.part AND f.file = d.file
          LEFT JOIN document_licenses l ON l.document_id = t.document_id
          WHERE \(conditions.joined(separator: " AND ")) ORDER BY t.id
          """, arguments: StatementArguments(arguments)
      ).map { row in
        ReviewItem(
          documentID: row["document_id"], source: row["source"], path: row["path"], bytes: row["bytes"],
          license: row["expression"],
          reason: String((row["reason"] as String).dropFirst("review: ".count)))
      }
    }
  }

  /// Records a reviewer's verdict on `documentIDs` as `review` decisions of stage run `runID`:
  /// approve keeps, reject drops; the reason names the reviewer and the note. Documents that are
  /// not held back are refused, naming the first, and nothing is written.
  public func recordReview(_ documentIDs: [String], approve: Bool, reviewer: String, note: String, stageRunID: Int64)
    throws
  {
    try pool.write { db in
      let heldBack = try Set(
        String.fetchAll(db, sql: "SELECT t.document_id FROM decisions t WHERE \(Self.heldBackCondition)"))
      if let first = documentIDs.first(where: { !heldBack.contains($0) }) {
        throw StoreError.notHeldBack(documentID: first)
      }
      let insert = try db.makeStatement(
        sql: "INSERT INTO decisions (document_id, stage, action, reason, stage_run_id) VALUES (?, 'review', ?, ?, ?)")
      let reason = "\(approve ? "approved" : "rejected") by \(reviewer)" + (note.isEmpty ? "" : ": \(note)")
      for id in documentIDs { try insert.execute(arguments: [id, approve ? "keep" : "drop", reason, stageRunID]) }
    }
  }
}
