import Foundation
import GRDB

/// Part versions (a filter's redacted copy of a part), redactions, and the merges' one-transaction
/// batch of writes.
extension ProvenanceStore {
  /// Replaces, in one transaction, a stage's decisions and redaction counts on `documentIDs`
  /// and, when given, the part version it wrote.
  public func replaceRedactedPart(
    stage: String, for documentIDs: [String], decisions: [DecisionRecord],
    redactions: [(documentID: String, kind: String, count: Int)],
    version: (sourceID: Int64, part: Int, name: String, path: String, sha256: String)?, stageRunID: Int64?
  ) throws {
    try pool.write { db in
      try Self.replaceRedactedPart(
        db, stage: stage, for: documentIDs, decisions: decisions, redactions: redactions, version: version,
        stageRunID: stageRunID)
    }
  }

  /// With `documentIDs` nil, only inserts (the stage's rows were cleared for every document).
  static func replaceRedactedPart(
    _ db: Database, stage: String, for documentIDs: [String]?, decisions: [DecisionRecord],
    redactions: [(documentID: String, kind: String, count: Int)],
    version: (sourceID: Int64, part: Int, name: String, path: String, sha256: String)?, stageRunID: Int64?
  ) throws {
    try replaceDecisions(db, stage: stage, for: documentIDs, with: decisions, spans: [], stageRunID: stageRunID)
    if let documentIDs {
      let delete = try db.makeStatement(sql: "DELETE FROM redactions WHERE stage = ? AND document_id = ?")
      for id in documentIDs { try delete.execute(arguments: [stage, id]) }
    }
    let insert = try db.makeStatement(
      sql: "INSERT INTO redactions (document_id, stage, kind, count) VALUES (?, ?, ?, ?)")
    for redaction in redactions {
      try insert.execute(arguments: [redaction.documentID, stage, redaction.kind, redaction.count])
    }
    if let version {
      try db.execute(
        sql: """
          INSERT OR REPLACE INTO part_versions (source_id, part, version, path, sha256, stage_run_id)
          VALUES (?, ?, ?, ?, ?, ?)
          """,
        arguments: [version.sourceID, version.part, version.name, version.path, version.sha256, stageRunID])
    }
  }

  /// A merge's writes, in one transaction: it first clears what the stage wrote for every
  /// document, then inserts every part's rows — no per-document deletes, and each index page
  /// written once, where a transaction per part rewrote them part after part (that was most of
  /// a merge's time: docs/benchmarks.md, scale-out).
  public struct Batch: ~Copyable {
    let db: Database

    /// Removes every `tag` row: findings, effective licences, tagged parts, decisions and spans.
    public func clearLicenses() throws {
      try db.execute(sql: "DELETE FROM license_findings")
      try db.execute(sql: "DELETE FROM document_licenses")
      try db.execute(sql: "DELETE FROM tagged_parts")
      try db.execute(sql: "DELETE FROM decisions WHERE stage = 'tag'")
      try db.execute(sql: "DELETE FROM removed_spans WHERE stage = 'tag'")
    }

    public func insertLicenses(
      part: (sourceID: Int64, part: Int), findings: [LicenseFindingRecord], licenses: [DocumentLicenseRecord],
      decisions: [DecisionRecord], stageRunID: Int64?
    ) throws {
      try ProvenanceStore.replaceLicenses(
        db, part: part, for: nil, findings: findings, licenses: licenses, decisions: decisions, stageRunID: stageRunID)
    }

    /// Removes every decision and removed span of `stage`.
    public func clearDecisions(stage: String) throws {
      try db.execute(sql: "DELETE FROM decisions WHERE stage = ?", arguments: [stage])
      try db.execute(sql: "DELETE FROM removed_spans WHERE stage = ?", arguments: [stage])
    }

    public func insertDecisions(
      stage: String, decisions: [DecisionRecord], spans: [RemovedSpanRecord], stageRunID: Int64?
    ) throws {
      try ProvenanceStore.replaceDecisions(
        db, stage: stage, for: nil, with: decisions, spans: spans, stageRunID: stageRunID)
    }

    /// Removes every decision, span and redaction of `stage` (its part versions are replaced
    /// part by part).
    public func clearRedactions(stage: String) throws {
      try db.execute(sql: "DELETE FROM decisions WHERE stage = ?", arguments: [stage])
      try db.execute(sql: "DELETE FROM removed_spans WHERE stage = ?", arguments: [stage])
      try db.execute(sql: "DELETE FROM redactions WHERE stage = ?", arguments: [stage])
    }

    /// Replaces the `ids`' decisions and redactions of `stage` and writes the part's version.
    public func replaceRedactedPart(
      stage: String, for ids: [String], decisions: [DecisionRecord],
      redactions: [(documentID: String, kind: String, count: Int)],
      version: (sourceID: Int64, part: Int, name: String, path: String, sha256: String)?, stageRunID: Int64?
    ) throws {
      try ProvenanceStore.replaceRedactedPart(
        db, stage: stage, for: ids, decisions: decisions, redactions: redactions, version: version,
        stageRunID: stageRunID)
    }

    public func insertRedactedPart(
      stage: String, decisions: [DecisionRecord], redactions: [(documentID: String, kind: String, count: Int)],
      version: (sourceID: Int64, part: Int, name: String, path: String, sha256: String)?, stageRunID: Int64?
    ) throws {
      try ProvenanceStore.replaceRedactedPart(
        db, stage: stage, for: nil, decisions: decisions, redactions: redactions, version: version,
        stageRunID: stageRunID)
    }
  }

  /// Runs `body`'s writes in one transaction, all or none.
  public func inOneTransaction(_ body: (borrowing Batch) throws -> Void) throws {
    try pool.write { db in try body(Batch(db: db)) }
  }

  /// The path of a part's version named `version`, if one was written.
  public func partVersion(sourceID: Int64, part: Int, version: String) throws -> String? {
    try pool.read { db in
      try String.fetchOne(
        db, sql: "SELECT path FROM part_versions WHERE source_id = ? AND part = ? AND version = ?",
        arguments: [sourceID, part, version])
    }
  }

  public func redactionCounts(documentID: String) throws -> [String: Int] {
    try pool.read { db in
      var counts: [String: Int] = [:]
      for row in try Row.fetchAll(
        db, sql: "SELECT kind, count FROM redactions WHERE document_id = ?", arguments: [documentID])
      {
        counts[row["kind"]] = row["count"]
      }
      return counts
    }
  }
}
