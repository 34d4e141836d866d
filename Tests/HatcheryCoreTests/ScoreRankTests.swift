import XCTest

@testable import HatcheryCore

final class ScoreRankTests: XCTestCase {
  /// The k-th best from two histogram passes equals the k-th of the sorted scores, also when
  /// many scores share a step of the first histogram and when scores repeat.
  func testTheKthBestIsTheSortedOnes() {
    var generator = SplitMix64(seed: 16)
    let scores =
      (0..<5000).map { index -> Float in
        switch index % 3 {
        case 0: return Float.random(in: 0...1, using: &generator)
        case 1: return 0.99 + Float.random(in: 0..<0.01, using: &generator)  // one crowded step
        default: return 0.5
        }
      } + [0, 1]
    let sorted = scores.sorted(by: >)
    var rank = ScoreRank()
    for score in scores { rank.add(score) }
    XCTAssertEqual(rank.count, scores.count)
    for k in [1, 2, 7, 1000, 1700, 3000, 3400, scores.count - 1, scores.count] {
      var within = rank.within(rank: k)
      for score in scores { within.add(score) }
      XCTAssertEqual(within.value(), sorted[k - 1], "rank \(k)")
    }
  }
}
