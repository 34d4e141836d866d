import Foundation
import GRDB

/// Documents and rejects read back: by source, by id, a part's text bytes.
extension ProvenanceStore {
  /// The bytes of stored text in one part, for progress estimates.
  public func textBytes(sourceID: Int64, part: Int) throws -> Int {
    try pool.read { db in
      guard let rows = try Self.documentRows(db, sourceID: sourceID, part: part) else { return 0 }
      return try Int.fetchOne(
        db, sql: "SELECT coalesce(sum(bytes), 0) FROM documents WHERE rowid BETWEEN ? AND ?",
        arguments: [rows.lowerBound, rows.upperBound]) ?? 0
    }
  }

  /// A source's documents in part and line order (a part's are one run of rowids).
  public func documents(sourceID: Int64) throws -> [DocumentRecord] {
    try pool.read { db in
      try Int.fetchAll(
        db, sql: "SELECT part FROM ingest_parts WHERE source_id = ? ORDER BY part", arguments: [sourceID]
      ).flatMap { part in
        guard let rows = try Self.documentRows(db, sourceID: sourceID, part: part) else { return [DocumentRecord]() }
        return try Row.fetchAll(
          db, sql: "SELECT * FROM document_rows WHERE row BETWEEN ? AND ? ORDER BY row",
          arguments: [rows.lowerBound, rows.upperBound]
        ).map(Self.documentRecord)
      }
    }
  }

  public func document(id: String) throws -> DocumentRecord? {
    try pool.read { db in
      try Row.fetchOne(db, sql: "SELECT * FROM document_rows WHERE id = ?", arguments: [id]).map(Self.documentRecord)
    }
  }

  static func documentRecord(_ row: Row) -> DocumentRecord {
    DocumentRecord(
      id: row["id"], sourceID: row["source_id"], part: row["part"], partLine: row["part_line"], path: row["path"],
      line: row["line"], byteOffset: row["byte_offset"], format: row["format"],
      originalSHA256: row["original_sha256"], sha256: row["sha256"], originalBytes: row["original_bytes"],
      bytes: row["bytes"], chars: row["chars"], repaired: row["repaired"], created: row["created"],
      title: row["title"], language: row["language"], url: row["url"])
  }

  public func rejects(stage: String, sourceID: Int64? = nil) throws -> [RejectRecord] {
    try pool.read { db in
      try Row.fetchAll(
        db,
        sql: "SELECT * FROM rejects WHERE stage = ? AND (? IS NULL OR source_id = ?) ORDER BY part, path, byte_offset",
        arguments: [stage, sourceID, sourceID]
      ).map { row in
        RejectRecord(
          stage: row["stage"], sourceID: row["source_id"], part: row["part"], path: row["path"], line: row["line"],
          byteOffset: row["byte_offset"], reason: row["reason"], detail: row["detail"])
      }
    }
  }
}
