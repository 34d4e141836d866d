import Foundation
import GRDB

/// Licence findings and each document's effective licence (the tag stage's rows).
extension ProvenanceStore {
  /// Replaces, in one transaction, the tag stage's results for `documentIDs`: their findings,
  /// their effective licence and their `tag` decisions.
  /// Replaces the tag stage's rows of one part's documents: `licenses` holds the effective
  /// licences that are known or in conflict (a tagged document without one is unknown), and
  /// the part is recorded as tagged.
  public func replaceLicenses(
    part: (sourceID: Int64, part: Int), for documentIDs: [String], findings: [LicenseFindingRecord],
    licenses: [DocumentLicenseRecord], decisions: [DecisionRecord], stageRunID: Int64?
  ) throws {
    try pool.write { db in
      try Self.replaceLicenses(
        db, part: part, for: documentIDs, findings: findings, licenses: licenses, decisions: decisions,
        stageRunID: stageRunID)
    }
  }

  /// With `documentIDs` nil, only inserts (the stage's rows were cleared for every document).
  static func replaceLicenses(
    _ db: Database, part: (sourceID: Int64, part: Int), for documentIDs: [String]?, findings: [LicenseFindingRecord],
    licenses: [DocumentLicenseRecord], decisions: [DecisionRecord], stageRunID: Int64?
  ) throws {
    try db.execute(
      sql: "INSERT OR REPLACE INTO tagged_parts (source_id, part, stage_run_id) VALUES (?, ?, ?)",
      arguments: [part.sourceID, part.part, stageRunID])
    if let documentIDs {
      let deleteFindings = try db.makeStatement(sql: "DELETE FROM license_findings WHERE document_id = ?")
      let deleteLicense = try db.makeStatement(sql: "DELETE FROM document_licenses WHERE document_id = ?")
      for id in documentIDs {
        try deleteFindings.execute(arguments: [id])
        try deleteLicense.execute(arguments: [id])
      }
    }
    try replaceDecisions(db, stage: "tag", for: documentIDs, with: decisions, spans: [], stageRunID: stageRunID)
    let insertFinding = try db.makeStatement(
      sql: """
        INSERT INTO license_findings (document_id, source_id, spdx, method, confidence, evidence, evidence_start,
          evidence_end, stage_run_id)
        VALUES (?, (SELECT source_id FROM documents WHERE id = ?), ?, ?, ?, ?, ?, ?, ?)
        """)
    for finding in findings {
      try insertFinding.execute(arguments: [
        finding.documentID, finding.documentID, finding.spdx, finding.method, finding.confidence, finding.evidence,
        finding.start, finding.end, stageRunID,
      ])
    }
    let insertLicense = try db.makeStatement(
      sql: """
        INSERT INTO document_licenses (document_id, expression, basis, category, conflict, stage_run_id)
        VALUES (?, ?, ?, ?, ?, ?)
        """)
    for license in licenses {
      try insertLicense.execute(arguments: [
        license.documentID, license.expression, license.basis, license.category, license.conflict, stageRunID,
      ])
    }
  }

  public func licenseFindings(documentID: String) throws -> [LicenseFindingRecord] {
    try pool.read { db in
      try Row.fetchAll(
        db, sql: "SELECT * FROM license_findings WHERE document_id = ? ORDER BY evidence_start, id",
        arguments: [documentID]
      ).map { row in
        LicenseFindingRecord(
          documentID: row["document_id"], spdx: row["spdx"], method: row["method"], confidence: row["confidence"],
          evidence: row["evidence"] ?? "", start: row["evidence_start"] ?? 0, end: row["evidence_end"] ?? 0)
      }
    }
  }

  /// The effective licence expression of each document of a part that has one.
  public func licenseExpressions(sourceID: Int64, part: Int) throws -> [String: String] {
    try read { db in
      var expressions: [String: String] = [:]
      for row in try Row.fetchAll(
        db,
        sql: """
          SELECT l.document_id, l.expression FROM documents d JOIN document_licenses l ON l.document_id = d.id
          WHERE d.source_id = ? AND d.part = ? AND l.expression IS NOT NULL
          """, arguments: [sourceID, part])
      {
        expressions[row["document_id"]] = row["expression"]
      }
      return expressions
    }
  }

  /// The document's effective licence; nil when its part has not been tagged. A tagged document
  /// without a `document_licenses` row has an unknown licence.
  public func documentLicense(documentID: String) throws -> DocumentLicenseRecord? {
    try pool.read { db in
      guard
        let row = try Row.fetchOne(
          db,
          sql: """
            SELECT l.expression, l.basis, l.category, l.conflict, t.part IS NOT NULL AS tagged FROM documents d
            LEFT JOIN document_licenses l ON l.document_id = d.id
            LEFT JOIN tagged_parts t ON t.source_id = d.source_id AND t.part = d.part
            WHERE d.id = ?
            """, arguments: [documentID])
      else { return nil }
      if let basis: String = row["basis"] {
        return DocumentLicenseRecord(
          documentID: documentID, expression: row["expression"], basis: basis, category: row["category"],
          conflict: row["conflict"])
      }
      guard row["tagged"] as Bool else { return nil }
      return DocumentLicenseRecord(
        documentID: documentID, expression: nil, basis: "unknown", category: "unknown", conflict: nil)
    }
  }
}
