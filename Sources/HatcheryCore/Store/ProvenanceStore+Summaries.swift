import Foundation
import GRDB

/// One source with what it holds, for the report and the dataset card.
public struct SourceSummary: Sendable, Equatable {
  public var name: String
  /// How its inputs were read (`auto`, or the format given).
  public var kind: String
  public var declaredLicense: String?
  public var documents: Int
  /// UTF-8 bytes of its documents' text.
  public var bytes: Int
}

/// Documents through the stages: ingested, refused at ingest, dropped by each stage (in the
/// order the stages first dropped), and the duplicate clusters dedup found.
public struct DocumentFlow: Sendable, Equatable {
  public var ingested = 0
  public var rejectedAtIngest = 0
  public var droppedByStage: [(stage: String, documents: Int)] = []
  /// Documents others were found to duplicate.
  public var duplicateClusters = 0

  public static func == (a: DocumentFlow, b: DocumentFlow) -> Bool {
    a.ingested == b.ingested && a.rejectedAtIngest == b.rejectedAtIngest
      && a.droppedByStage.elementsEqual(b.droppedByStage, by: { $0 == $1 })
      && a.duplicateClusters == b.duplicateClusters
  }
}

/// What the report, the dataset card and `hatchery run`'s summary count across the store.
extension ProvenanceStore {
  /// Every source in the order registered, with its documents and their text bytes.
  public func sourceSummaries() throws -> [SourceSummary] {
    try pool.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT s.name, s.kind, s.declared_license, coalesce(d.documents, 0) AS documents, coalesce(d.bytes, 0) AS bytes
          FROM sources s LEFT JOIN (SELECT source_id, count(*) AS documents, sum(bytes) AS bytes FROM documents GROUP BY source_id) d
            ON d.source_id = s.id
          ORDER BY s.id
          """
      ).map { row in
        SourceSummary(
          name: row["name"], kind: row["kind"], declaredLicense: row["declared_license"], documents: row["documents"],
          bytes: row["bytes"])
      }
    }
  }

  public func documentFlow() throws -> DocumentFlow {
    try pool.read { db in
      var flow = DocumentFlow()
      flow.ingested = try Int.fetchOne(db, sql: "SELECT count(*) FROM documents") ?? 0
      flow.rejectedAtIngest = try Int.fetchOne(db, sql: "SELECT count(*) FROM rejects WHERE stage = 'ingest'") ?? 0
      flow.droppedByStage = try Row.fetchAll(
        db,
        sql:
          "SELECT stage, count(DISTINCT document_id) AS n FROM decisions WHERE action = 'drop' GROUP BY stage ORDER BY min(id)"
      ).map { ($0["stage"], $0["n"]) }
      flow.duplicateClusters =
        try Int.fetchOne(
          db,
          sql: "SELECT count(DISTINCT duplicate_of) FROM decisions WHERE stage = 'dedup' AND duplicate_of IS NOT NULL")
        ?? 0
      return flow
    }
  }

  /// The documents' languages, most documents first, at most `limit`.
  public func commonLanguages(limit: Int) throws -> [String] {
    try pool.read { db in
      try String.fetchAll(
        db,
        sql:
          "SELECT language FROM documents WHERE language IS NOT NULL GROUP BY language ORDER BY count(*) DESC LIMIT ?",
        arguments: [limit])
    }
  }
}
