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
  /// how many. The k-th best score (k = fraction × documents, rounded up) is the cut, found by
  /// two histograms of the scores' float32 bit patterns (monotonic for probabilities): the high
  /// 16 bits, then the low 16 bits within the cut's step; documents scoring exactly the cut are
  /// kept. The parts are read one at a time, three times over: memory is one part's scores and
  /// the histograms, whatever the corpus.
  public func dropOutsideTopFraction(classifier: String, fraction: Double, stage: String, reason: String, stageRunID: Int64?) throws -> Int {
    let parts = try Row.fetchAll(
      db, sql: "SELECT source_id, part FROM classifier_scores WHERE classifier = ? ORDER BY source_id, part", arguments: [classifier]
    ).map { (source: $0[0] as Int64, part: $0[1] as Int) }
    let scoresOf = try db.makeStatement(sql: "SELECT scores FROM classifier_scores WHERE classifier = ? AND source_id = ? AND part = ?")
    let droppedOf = try db.makeStatement(
      sql: """
        SELECT d.part_line FROM documents d WHERE d.source_id = ? AND d.part = ?
        AND EXISTS (SELECT 1 FROM decisions x WHERE x.document_id = d.id AND x.stage = ? AND x.action = 'drop')
        """)
    /// Each part's scores with the lines another rule dropped set to nil.
    func forEachPart(_ body: (_ source: Int64, _ part: Int, _ scores: [Float?]) throws -> Void) throws {
      for (source, part) in parts {
        guard let data = try Data.fetchOne(scoresOf, arguments: [classifier, source, part]) else { continue }
        var scores = ClassifierScores.decode(data).map { Optional($0) }
        for line in try Int.fetchAll(droppedOf, arguments: [source, part, stage]) where line < scores.count { scores[line] = nil }
        try body(source, part, scores)
      }
    }
    func bin(_ score: Float) -> Int { Int(max(0, score).bitPattern >> 16) }
    var histogram = [Int](repeating: 0, count: 1 << 16)
    var eligible = 0
    try forEachPart { _, _, scores in
      for case let score? in scores {
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
    // The cut lies in bin `cutBin - 1`: the (keep − above)-th best of its scores, found by a
    // second histogram over the low 16 bits of theirs (the two together are the whole float).
    var cut = Float.infinity
    if keep > 0, cutBin > 0 {
      var low = [Int](repeating: 0, count: 1 << 16)
      try forEachPart { _, _, scores in
        for case let score? in scores where bin(score) == cutBin - 1 { low[Int(max(0, score).bitPattern & 0xFFFF)] += 1 }
      }
      var lowCut = low.count
      var counted = above
      while lowCut > 0 && counted < keep {
        lowCut -= 1
        counted += low[lowCut]
      }
      cut = Float(bitPattern: UInt32(cutBin - 1) << 16 | UInt32(lowCut))
    }
    let idsOf = try db.makeStatement(sql: "SELECT id, part_line FROM documents WHERE source_id = ? AND part = ?")
    let insert = try db.makeStatement(
      sql: """
        INSERT INTO decisions (document_id, stage, action, reason, duplicate_of, similarity, score, stage_run_id)
        VALUES (?, ?, 'drop', ?, NULL, NULL, ?, ?)
        """)
    var count = 0
    try forEachPart { source, part, scores in
      let rows = try Row.fetchCursor(idsOf, arguments: [source, part])
      while let row = try rows.next() {
        let line: Int = row[1]
        guard line < scores.count, let score = scores[line], score < cut else { continue }
        let id: String = row[0]
        try insert.execute(arguments: [id, stage, reason, (Double(score) * 1e4).rounded() / 1e4, stageRunID])
        count += 1
      }
    }
    return count
  }
}
