import Foundation
import GRDB

/// What `audit` and the report count across the store: sources by licence, drops, conflicts,
/// held-back documents and tokens in shards.
extension ProvenanceStore {
  public struct AuditCounts: Sendable {
    /// Per source and effective licence: documents and bytes, and those no stage dropped.
    public var bySourceAndLicense:
      [(
        source: String, expression: String?, category: String?, documents: Int, bytes: Int, keptDocuments: Int,
        keptBytes: Int
      )] = []
    /// Per stage and reason: dropped documents and their bytes.
    public var drops: [(stage: String, reason: String, documents: Int, bytes: Int)] = []
    public var conflicts = 0
    public var conflictExamples: [(documentID: String, conflict: String)] = []
    /// Documents whose source or part is not on record: must be zero.
    public var withoutProvenance = 0
    public var untagged = 0
    /// Per source and effective licence: documents and tokens in the shards (empty before the
    /// shard stage).
    public var tokens: [(source: String, expression: String?, documents: Int, tokens: Int)] = []
    /// Per kind of review reason ("unknown licence", "licence conflict"): documents held back
    /// from the shards for licence review, their bytes,
    /// and about how many tokens they would add (their bytes at the last shard run's tokens per
    /// byte; nil before one).
    public var heldBack: [(reason: String, documents: Int, bytes: Int, tokens: Int?)] = []
  }

  public func auditCounts() throws -> AuditCounts {
    try pool.read { db in
      var counts = AuditCounts()
      let dropped = "EXISTS (SELECT 1 FROM decisions x WHERE x.document_id = d.id AND x.action = 'drop')"
      counts.bySourceAndLicense = try Row.fetchAll(
        db,
        sql: """
          SELECT s.name AS source, l.expression AS expression,
            coalesce(l.category, CASE WHEN t.part IS NOT NULL THEN 'unknown' END) AS category, count(*) AS documents,
            sum(d.bytes) AS bytes, sum(CASE WHEN \(dropped) THEN 0 ELSE 1 END) AS kept_documents,
            sum(CASE WHEN \(dropped) THEN 0 ELSE d.bytes END) AS kept_bytes
          FROM documents d JOIN sources s ON s.id = d.source_id LEFT JOIN document_licenses l ON l.document_id = d.id
          LEFT JOIN tagged_parts t ON t.source_id = d.source_id AND t.part = d.part
          GROUP BY s.id, l.expression, 3 ORDER BY s.id, documents DESC, expression
          """
      ).map { row in
        (
          row["source"], row["expression"], row["category"], row["documents"], row["bytes"], row["kept_documents"],
          row["kept_bytes"]
        )
      }
      counts.drops = try Row.fetchAll(
        db,
        sql: """
          SELECT x.stage AS stage, x.reason AS reason, count(DISTINCT x.document_id) AS documents, sum(d.bytes) AS bytes
          FROM decisions x JOIN documents d ON d.id = x.document_id WHERE x.action = 'drop'
          GROUP BY x.stage, x.reason ORDER BY x.stage, documents DESC
          """
      ).map { row in (row["stage"], row["reason"], row["documents"], row["bytes"]) }
      counts.conflicts =
        try Int.fetchOne(db, sql: "SELECT count(*) FROM document_licenses WHERE conflict IS NOT NULL") ?? 0
      counts.conflictExamples = try Row.fetchAll(
        db,
        sql:
          "SELECT document_id, conflict FROM document_licenses WHERE conflict IS NOT NULL ORDER BY document_id LIMIT 20"
      ).map { row in (row["document_id"], row["conflict"]) }
      counts.withoutProvenance =
        try Int.fetchOne(
          db,
          sql: """
            SELECT count(*) FROM documents d WHERE NOT EXISTS (SELECT 1 FROM sources s WHERE s.id = d.source_id)
              OR NOT EXISTS (SELECT 1 FROM ingest_parts p WHERE p.source_id = d.source_id AND p.part = d.part)
            """) ?? 0
      counts.untagged =
        try Int.fetchOne(
          db,
          sql: """
            SELECT count(*) FROM documents d
            WHERE NOT EXISTS (SELECT 1 FROM tagged_parts t WHERE t.source_id = d.source_id AND t.part = d.part)
            """) ?? 0
      counts.tokens = try Self.tokensBySourceAndLicense(db)
      var tokensPerByte: Double?
      if let text = try String.fetchOne(
        db, sql: "SELECT counts FROM stage_runs WHERE stage = 'shard' AND status = 'completed' ORDER BY id DESC LIMIT 1"
      ),
        let object = (try? JSONParser.parse(text))?.objectValue,
        let tokens = object["tokens"]?.intValue.map(Double.init),
        let bytes = object["bytes"]?.intValue.map(Double.init),
        bytes > 0
      {
        tokensPerByte = tokens / bytes
      }
      counts.heldBack = try Row.fetchAll(
        db,
        sql: """
          SELECT CASE WHEN instr(substr(t.reason, 9), ':') > 0 THEN substr(t.reason, 9, instr(substr(t.reason, 9), ':') - 1)
            ELSE substr(t.reason, 9) END AS reason, count(*) AS n, sum(d.bytes) AS bytes
          FROM decisions t JOIN documents d ON d.id = t.document_id
          WHERE \(Self.heldBackCondition) GROUP BY 1 ORDER BY n DESC, reason
          """
      ).map { row in
        let bytes: Int = row["bytes"] ?? 0
        return (row["reason"], row["n"], bytes, tokensPerByte.map { Int((Double(bytes) * $0).rounded()) })
      }
      return counts
    }
  }

  /// Tokens in shards per source and effective licence.
  public func tokensBySourceAndLicense() throws -> [(source: String, expression: String?, documents: Int, tokens: Int)]
  {
    try pool.read { db in try Self.tokensBySourceAndLicense(db) }
  }

  private static func tokensBySourceAndLicense(_ db: Database) throws -> [(
    source: String, expression: String?, documents: Int, tokens: Int
  )] {
    try Row.fetchAll(
      db,
      sql: """
        SELECT s.name AS source, l.expression AS expression, count(DISTINCT m.document_id) AS documents,
          sum(m.token_count) AS tokens
        FROM shard_map m JOIN documents d ON d.id = m.document_id JOIN sources s ON s.id = d.source_id
        LEFT JOIN document_licenses l ON l.document_id = d.id
        GROUP BY s.id, l.expression ORDER BY s.id, tokens DESC
        """
    ).map { row in (row["source"], row["expression"], row["documents"], row["tokens"]) }
  }
}
