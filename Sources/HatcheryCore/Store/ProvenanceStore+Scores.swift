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

extension ProvenanceStore.Batch {
  /// Drops (a `stage` decision with `reason`) every document that `stage` has not already dropped
  /// and whose `classifier` score is below the top `fraction` of those documents' scores; returns
  /// how many. The k-th best score (k = fraction × documents, rounded up) is the cut, found
  /// through a histogram of the scores' float32 bit patterns (65,536 steps, monotonic for
  /// probabilities) and then among the scores of the cut's step, so memory is the scores and the
  /// histogram, not a sort of them all; documents scoring exactly the cut are kept.
  public func dropOutsideTopFraction(classifier: String, fraction: Double, stage: String, reason: String, stageRunID: Int64?) throws -> Int {
    struct Line: Hashable {
      let source: Int64
      let part: Int
      let line: Int
    }
    var blobs: [Line: [Float]] = [:]
    for row in try Row.fetchAll(db, sql: "SELECT source_id, part, scores FROM classifier_scores WHERE classifier = ?", arguments: [classifier]) {
      blobs[Line(source: row[0], part: row[1], line: 0)] = ClassifierScores.decode(row[2])
    }
    var dropped = Set<Line>()
    let droppedRows = try Row.fetchCursor(
      db,
      sql: """
        SELECT d.source_id, d.part, d.part_line FROM decisions x JOIN documents d ON d.id = x.document_id
        WHERE x.stage = ? AND x.action = 'drop'
        """, arguments: [stage])
    while let row = try droppedRows.next() { dropped.insert(Line(source: row[0], part: row[1], line: row[2])) }
    func bin(_ score: Float) -> Int { Int(max(0, score).bitPattern >> 16) }
    var histogram = [Int](repeating: 0, count: 1 << 16)
    var eligible = 0
    for (key, scores) in blobs {
      for (line, score) in scores.enumerated() where !dropped.contains(Line(source: key.source, part: key.part, line: line)) {
        histogram[bin(score)] += 1
        eligible += 1
      }
    }
    let keep = Int((fraction * Double(eligible)).rounded(.up))
    var cutBin = histogram.count
    var above = 0
    while cutBin > 0 && above + histogram[cutBin - 1] < keep {
      cutBin -= 1
      above += histogram[cutBin]
    }
    // The cut lies in bin `cutBin - 1`: the (keep − above)-th best of its scores.
    var cut = Float.infinity
    if keep > 0, cutBin > 0 {
      var inBin: [Float] = []
      for (key, scores) in blobs {
        for (line, score) in scores.enumerated() where bin(score) == cutBin - 1 && !dropped.contains(Line(source: key.source, part: key.part, line: line)) {
          inBin.append(score)
        }
      }
      inBin.sort(by: >)
      cut = inBin[keep - above - 1]
    }
    let insert = try db.makeStatement(
      sql: """
        INSERT INTO decisions (document_id, stage, action, reason, duplicate_of, similarity, score, stage_run_id)
        VALUES (?, ?, 'drop', ?, NULL, NULL, ?, ?)
        """)
    var count = 0
    let documents = try Row.fetchCursor(db, sql: "SELECT id, source_id, part, part_line FROM documents ORDER BY source_id, part, part_line")
    while let row = try documents.next() {
      let key = Line(source: row[1], part: row[2], line: row[3])
      guard let scores = blobs[Line(source: key.source, part: key.part, line: 0)], key.line < scores.count, !dropped.contains(key) else { continue }
      let score = scores[key.line]
      guard score < cut else { continue }
      let id: String = row[0]
      try insert.execute(arguments: [id, stage, reason, (Double(score) * 1e4).rounded() / 1e4, stageRunID])
      count += 1
    }
    return count
  }
}
