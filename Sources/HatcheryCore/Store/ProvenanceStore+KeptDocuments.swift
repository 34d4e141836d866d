import Foundation
import GRDB

/// What reading the kept documents needs from the store: the documents dropped (or held back)
/// and the spans removed, and a fingerprint of both and of the parts.
extension ProvenanceStore {
  /// The ids of every dropped document (and, unless `includeHeldBack`, of those held back for
  /// licence review), and each document's removed spans, still encoded; read at one point in time.
  func removals(includeHeldBack: Bool) throws -> (dropped: DocumentIDSet, spans: [String: [Data]]) {
    try pool.read { db in
      var queries = ["SELECT document_id FROM decisions WHERE action = 'drop'"]
      if !includeHeldBack {
        queries.append("SELECT t.document_id FROM decisions t WHERE \(Self.heldBackCondition)")
      }
      let dropped = try DocumentIDSet(db, queries: queries)
      var spans: [String: [Data]] = [:]
      for row in try Row.fetchAll(db, sql: "SELECT document_id, spans FROM removed_spans") {
        spans[row["document_id"], default: []].append(row["spans"])
      }
      return (dropped, spans)
    }
  }

  /// Each part's version and checksum, and the identity of the drop decisions and removed spans
  /// (their count and row ids change whenever a stage replaces them).
  func keptDocumentsFingerprint() throws -> String {
    try pool.read { db in
      var text = ""
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT p.source_id, p.part, p.sha256, v.sha256 AS version_sha256 FROM ingest_parts p
          LEFT JOIN part_versions v ON v.source_id = p.source_id AND v.part = p.part AND v.version = 'redacted'
          ORDER BY p.source_id, p.part
          """)
      {
        text +=
          "\(row["source_id"] as Int64)/\(row["part"] as Int):\(row["sha256"] as String):\(row["version_sha256"] as String? ?? "-");"
      }
      for table in ["decisions", "removed_spans"] {
        let row = try Row.fetchOne(
          db, sql: "SELECT count(*) AS n, coalesce(sum(id), 0) AS s, coalesce(max(id), 0) AS m FROM \(table)")!
        text += "\(table):\(row["n"] as Int):\(row["s"] as Int):\(row["m"] as Int);"
      }
      return SHA256Hasher.hash(text).hex
    }
  }
}
