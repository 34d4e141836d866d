import Foundation
import GRDB

/// A classifier's scores of one part's documents: the probability of `label` for the document
/// on each line of the part, in line order.
public struct ClassifierScores: Sendable, Codable, Equatable {
  public var classifier: String
  public var label: String
  public var sourceID: Int64
  public var part: Int
  public var scores: [Float]

  public init(classifier: String, label: String, sourceID: Int64, part: Int, scores: [Float]) {
    self.classifier = classifier
    self.label = label
    self.sourceID = sourceID
    self.part = part
    self.scores = scores
  }

  static func encode(_ scores: [Float]) -> Data {
    var data = Data(capacity: scores.count * 4)
    for score in scores { withUnsafeBytes(of: score.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
    return data
  }

  static func decode(_ data: Data) -> [Float] {
    data.withUnsafeBytes { raw in
      (0..<raw.count / 4).map { Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self))) }
    }
  }
}

extension ProvenanceStore {
  fileprivate static func replaceScores(_ db: Database, _ scores: [ClassifierScores], sourceID: Int64, part: Int, stageRunID: Int64?) throws {
    try db.execute(sql: "DELETE FROM classifier_scores WHERE source_id = ? AND part = ?", arguments: [sourceID, part])
    let insert = try db.makeStatement(
      sql: "INSERT INTO classifier_scores (classifier, source_id, part, label, scores, stage_run_id) VALUES (?, ?, ?, ?, ?, ?)")
    for entry in scores {
      try insert.execute(arguments: [entry.classifier, entry.sourceID, entry.part, entry.label, ClassifierScores.encode(entry.scores), stageRunID])
    }
  }

  /// Replaces the scores of part `part` of source `sourceID` (every classifier's) with `scores`.
  public func replaceClassifierScores(_ scores: [ClassifierScores], sourceID: Int64, part: Int, stageRunID: Int64?) throws {
    try pool.write { db in try Self.replaceScores(db, scores, sourceID: sourceID, part: part, stageRunID: stageRunID) }
  }

  /// Every classifier's scores of one part.
  public func classifierScores(sourceID: Int64, part: Int) throws -> [ClassifierScores] {
    try pool.read { db in
      try Row.fetchAll(
        db, sql: "SELECT classifier, label, scores FROM classifier_scores WHERE source_id = ? AND part = ? ORDER BY classifier",
        arguments: [sourceID, part]
      ).map { row in
        ClassifierScores(classifier: row[0], label: row[1], sourceID: sourceID, part: part, scores: ClassifierScores.decode(row[2]))
      }
    }
  }

  /// Every classifier's label and scores over the whole store (for `audit`).
  public func allClassifierScores() throws -> [(classifier: String, label: String, scores: [Float])] {
    try pool.read { db in
      var byClassifier: [String: (label: String, scores: [Float])] = [:]
      let rows = try Row.fetchCursor(db, sql: "SELECT classifier, label, scores FROM classifier_scores ORDER BY source_id, part")
      while let row = try rows.next() {
        let name: String = row[0]
        byClassifier[name, default: (row[1], [])].scores += ClassifierScores.decode(row[2])
      }
      return byClassifier.sorted { $0.key < $1.key }.map { ($0.key, $0.value.label, $0.value.scores) }
    }
  }
}

extension ProvenanceStore.Batch {
  public func replaceClassifierScores(_ scores: [ClassifierScores], sourceID: Int64, part: Int, stageRunID: Int64?) throws {
    try ProvenanceStore.replaceScores(db, scores, sourceID: sourceID, part: part, stageRunID: stageRunID)
  }
}
