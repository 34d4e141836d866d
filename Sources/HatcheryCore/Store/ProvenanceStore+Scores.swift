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
      (0..<raw.count / 4).map {
        Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
      }
    }
  }
}

extension ProvenanceStore {
  fileprivate static func replaceScores(
    _ db: Database, _ scores: [ClassifierScores], sourceID: Int64, part: Int, stageRunID: Int64?
  ) throws {
    try db.execute(sql: "DELETE FROM classifier_scores WHERE source_id = ? AND part = ?", arguments: [sourceID, part])
    let insert = try db.makeStatement(
      sql:
        "INSERT INTO classifier_scores (classifier, source_id, part, label, scores, stage_run_id) VALUES (?, ?, ?, ?, ?, ?)"
    )
    for entry in scores {
      try insert.execute(arguments: [
        entry.classifier, entry.sourceID, entry.part, entry.label, ClassifierScores.encode(entry.scores), stageRunID,
      ])
    }
  }

  /// Replaces the scores of part `part` of source `sourceID` (every classifier's) with `scores`.
  public func replaceClassifierScores(_ scores: [ClassifierScores], sourceID: Int64, part: Int, stageRunID: Int64?)
    throws
  {
    try pool.write { db in try Self.replaceScores(db, scores, sourceID: sourceID, part: part, stageRunID: stageRunID) }
  }

  /// Every classifier's scores of one part.
  public func classifierScores(sourceID: Int64, part: Int) throws -> [ClassifierScores] {
    try pool.read { db in
      try Row.fetchAll(
        db,
        sql:
          "SELECT classifier, label, scores FROM classifier_scores WHERE source_id = ? AND part = ? ORDER BY classifier",
        arguments: [sourceID, part]
      ).map { row in
        ClassifierScores(
          classifier: row[0], label: row[1], sourceID: sourceID, part: part, scores: ClassifierScores.decode(row[2]))
      }
    }
  }

  /// Each classifier's label, documents, mean score and the scores at the given percentiles
  /// (the one at ascending position ⌊count · p⌋), read from the stored scores twice without
  /// holding them (`ScoreRank`), for `audit`.
  public func classifierScoreSummaries(percentiles: [Double]) throws
    -> [(classifier: String, label: String, documents: Int, mean: Double, percentiles: [Float])]
  {
    try pool.read { db in
      func forEachScores(_ body: (String, String, [Float]) -> Void) throws {
        let rows = try Row.fetchCursor(
          db, sql: "SELECT classifier, label, scores FROM classifier_scores ORDER BY classifier, source_id, part")
        while let row = try rows.next() { body(row[0], row[1], ClassifierScores.decode(row[2])) }
      }
      var ranks: [String: (label: String, rank: ScoreRank)] = [:]
      try forEachScores { classifier, label, scores in
        var entry = ranks[classifier] ?? (label, ScoreRank())
        for score in scores { entry.rank.add(score) }
        ranks[classifier] = entry
      }
      var within: [String: [ScoreRank.Within]] = [:]
      for (classifier, entry) in ranks where entry.rank.count > 0 {
        within[classifier] = percentiles.map { p in
          entry.rank.within(rank: entry.rank.count - min(entry.rank.count - 1, Int(Double(entry.rank.count) * p)))
        }
      }
      try forEachScores { classifier, _, scores in
        guard var steps = within[classifier] else { return }
        for score in scores { for index in steps.indices { steps[index].add(score) } }
        within[classifier] = steps
      }
      return ranks.sorted { $0.key < $1.key }.map { classifier, entry in
        let count = entry.rank.count
        return (
          classifier, entry.label, count, count > 0 ? entry.rank.sum / Double(count) : 0,
          within[classifier]?.map { $0.value() } ?? percentiles.map { _ in Float.nan }
        )
      }
    }
  }
}

extension ProvenanceStore.Batch {
  public func replaceClassifierScores(_ scores: [ClassifierScores], sourceID: Int64, part: Int, stageRunID: Int64?)
    throws
  {
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
  public func dropOutsideTopFraction(
    classifier: String, fraction: Double, stage: String, reason: String, stageRunID: Int64?
  ) throws -> Int {
    let parts = try Row.fetchAll(
      db, sql: "SELECT source_id, part FROM classifier_scores WHERE classifier = ? ORDER BY source_id, part",
      arguments: [classifier]
    ).map { (source: $0[0] as Int64, part: $0[1] as Int) }
    let scoresOf = try db.makeStatement(
      sql: "SELECT scores FROM classifier_scores WHERE classifier = ? AND source_id = ? AND part = ?")
    let droppedOf = try db.makeStatement(
      sql: """
        SELECT d.part_line FROM documents d WHERE d.rowid BETWEEN ? AND ?
        AND EXISTS (SELECT 1 FROM decisions x WHERE x.document_id = d.id AND x.stage = ? AND x.action = 'drop')
        """)
    /// Each part's scores with the lines another rule dropped set to nil.
    func forEachPart(_ body: (_ source: Int64, _ part: Int, _ scores: [Float?]) throws -> Void) throws {
      for (source, part) in parts {
        guard let data = try Data.fetchOne(scoresOf, arguments: [classifier, source, part]) else { continue }
        var scores = ClassifierScores.decode(data).map { Optional($0) }
        if let rows = try ProvenanceStore.documentRows(db, sourceID: source, part: part) {
          for line in try Int.fetchAll(droppedOf, arguments: [rows.lowerBound, rows.upperBound, stage])
          where line < scores.count {
            scores[line] = nil
          }
        }
        try body(source, part, scores)
      }
    }
    var rank = ScoreRank()
    try forEachPart { _, _, scores in
      for case let score? in scores { rank.add(score) }
    }
    let keep = Int((fraction * Double(rank.count)).rounded(.up))
    var cut = Float.infinity
    if keep > 0 {
      var within = rank.within(rank: keep)
      try forEachPart { _, _, scores in
        for case let score? in scores { within.add(score) }
      }
      cut = within.value()
    }
    let idsOf = try db.makeStatement(sql: "SELECT id, part_line FROM documents WHERE rowid BETWEEN ? AND ?")
    let insert = try db.makeStatement(
      sql: """
        INSERT INTO decisions (document_id, stage, action, reason, duplicate_of, similarity, score, stage_run_id)
        VALUES (?, ?, 'drop', ?, NULL, NULL, ?, ?)
        """)
    var count = 0
    try forEachPart { source, part, scores in
      guard let range = try ProvenanceStore.documentRows(db, sourceID: source, part: part) else { return }
      let rows = try Row.fetchCursor(idsOf, arguments: [range.lowerBound, range.upperBound])
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

/// The k-th best of many scores (non-negative float32) without holding them: a first pass counts
/// them by the high 16 bits of their bit patterns (which order them), a second, for the step
/// holding the k-th, by the low 16 bits; the two give its exact bits. Memory: two 65,536-entry
/// histograms, whatever the number of scores.
public struct ScoreRank: Sendable {
  private var high = [Int](repeating: 0, count: 1 << 16)
  public private(set) var count = 0
  public private(set) var sum = 0.0

  public init() {}

  @inline(__always)
  static func bits(_ score: Float) -> UInt32 { max(0, score).bitPattern }

  public mutating func add(_ score: Float) {
    high[Int(Self.bits(score) >> 16)] += 1
    count += 1
    sum += Double(score)
  }

  /// The second pass for the `rank`-th best score (1 = the best; at most `count`).
  public func within(rank: Int) -> Within {
    var step = high.count
    var above = 0
    while step > 0 && above + high[step - 1] < rank {
      step -= 1
      above += high[step]
    }
    return Within(step: step - 1, needed: rank - above)
  }

  public struct Within: Sendable {
    let step: Int
    /// How many of the step's scores, from its best, reach the rank.
    let needed: Int
    private var low = [Int](repeating: 0, count: 1 << 16)

    init(step: Int, needed: Int) {
      self.step = step
      self.needed = needed
    }

    public mutating func add(_ score: Float) {
      let bits = ScoreRank.bits(score)
      if Int(bits >> 16) == step { low[Int(bits & 0xFFFF)] += 1 }
    }

    /// The score of the rank.
    public func value() -> Float {
      guard step >= 0 else { return .infinity }
      var position = low.count
      var counted = 0
      while position > 0 && counted < needed {
        position -= 1
        counted += low[position]
      }
      return Float(bitPattern: UInt32(step) << 16 | UInt32(position))
    }
  }
}
