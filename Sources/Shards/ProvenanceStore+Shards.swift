import Foundation
import GRDB
import HatcheryCore

/// The shard stage's rows: shards and the map from shard tokens to documents.
extension ProvenanceStore {
  /// One row of the shard map as `replaceShards` takes it: the shard's index in the shards
  /// given, where the document's tokens start there, the UTF-8 bytes of its id, its tokens.
  public typealias ShardMapRow = (shard: Int, tokenOffset: Int, documentID: UnsafeRawBufferPointer, tokenCount: Int)

  /// Replaces every shard row and the whole shard map in one transaction. `map` hands each row
  /// of the map to its argument in turn, so no list of every document is held.
  ///
  /// The map's document ids are not checked against `documents` row by row: each check is a
  /// lookup at a random place in the id index (a shard merge of 200k documents 0.41 → 0.29 s
  /// without them). They hold by construction — the shard stage reads its ids from the store's
  /// kept documents, in the same process or in task files whose folder is named by the kept
  /// documents' fingerprint — and a part ingested again clears the whole map
  /// (`deletePart`).
  public func replaceShards(
    _ shards: [ShardRecord], map: ((ShardMapRow) throws -> Void) throws -> Void, stageRunID: Int64
  ) throws {
    try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA foreign_keys = OFF") }
    defer { try? pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA foreign_keys = ON") } }
    // The map's rows come in its key's order and nothing is looked up: SQLite's own page cache
    // is enough (the commit cache served the lookups).
    try pool.write { db in
      try db.execute(sql: "DELETE FROM shard_map")
      try db.execute(sql: "DELETE FROM shards")
      let insertShard = try db.makeStatement(
        sql: """
          INSERT INTO shards (split, path, tokens, documents, dtype, bytes, sha256, tokenizer_sha256, stage_run_id)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      var ids: [Int64] = []
      for shard in shards {
        try insertShard.execute(arguments: [
          shard.split, shard.path, shard.tokens, shard.documents, shard.dtype, shard.bytes, shard.sha256,
          shard.tokenizerSHA256,
          stageRunID,
        ])
        ids.append(db.lastInsertedRowID)
      }
      let insertMap = try BulkInsert(
        db, sql: "INSERT INTO shard_map (shard_id, token_offset, document_id, token_count) VALUES (?, ?, ?, ?)")
      try map { row in
        insertMap.bind(Int(ids[row.shard]), at: 1)
        insertMap.bind(row.tokenOffset, at: 2)
        insertMap.bindText(row.documentID, at: 3)
        insertMap.bind(row.tokenCount, at: 4)
        try insertMap.step()
      }
    }
  }

  public func shards() throws -> [ShardRecord] {
    try pool.read { db in
      try Row.fetchAll(db, sql: "SELECT * FROM shards ORDER BY id").map { row in
        ShardRecord(
          split: row["split"], path: row["path"], tokens: row["tokens"], documents: row["documents"],
          dtype: row["dtype"],
          bytes: row["bytes"], sha256: row["sha256"], tokenizerSHA256: row["tokenizer_sha256"])
      }
    }
  }

  /// The document whose tokens hold token `token` of the shard at `path`: its id, where its
  /// tokens start and how many there are; nil for a separator token or past the end.
  public func shardDocument(path: String, token: Int) throws -> (documentID: String, tokenOffset: Int, tokenCount: Int)?
  {
    try pool.read { db in
      guard
        let row = try Row.fetchOne(
          db,
          sql: """
            SELECT m.document_id, m.token_offset, m.token_count FROM shard_map m JOIN shards s ON s.id = m.shard_id
            WHERE s.path = ? AND m.token_offset <= ? ORDER BY m.token_offset DESC LIMIT 1
            """, arguments: [path, token])
      else { return nil }
      let offset: Int = row["token_offset"]
      let count: Int = row["token_count"]
      return token < offset + count ? (row["document_id"], offset, count) : nil
    }
  }
}

/// One shard file, as the shard stage records it.
public struct ShardRecord: Sendable, Equatable {
  public var split: String
  /// Relative to the workspace.
  public var path: String
  public var tokens: Int
  public var documents: Int
  public var dtype: String
  public var bytes: Int
  public var sha256: String
  public var tokenizerSHA256: String

  public init(
    split: String, path: String, tokens: Int, documents: Int, dtype: String, bytes: Int, sha256: String,
    tokenizerSHA256: String
  ) {
    self.split = split
    self.path = path
    self.tokens = tokens
    self.documents = documents
    self.dtype = dtype
    self.bytes = bytes
    self.sha256 = sha256
    self.tokenizerSHA256 = tokenizerSHA256
  }
}
