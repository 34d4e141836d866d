import HatcheryCore
import XCTest

final class SortedSearchTests: XCTestCase {
  /// The binary search agrees with a linear one on sorted arrays with repeats, on every value
  /// in them and between and around them, and on an empty array and a slice.
  func testTheBinarySearchAgreesWithALinearOne() {
    var random = SplitMix64(seed: 15)
    for size in [0, 1, 2, 7, 64, 513] {
      let values = (0..<size).map { _ in Int.random(in: 0..<(size + 3), using: &random) * 2 }.sorted()
      for probe in -1...(2 * size + 7) {
        XCTAssertEqual(
          values.sortedLowerBound(of: probe), values.firstIndex { $0 >= probe } ?? values.endIndex,
          "\(probe) in \(values)")
        XCTAssertEqual(values.sortedContains(probe), values.contains(probe))
      }
    }
    let slice = [1, 3, 3, 5, 8, 13][2...]
    XCTAssertEqual(slice.sortedLowerBound(of: 3), 2)
    XCTAssertEqual(slice.sortedLowerBound(of: 4), 3)
    XCTAssertEqual(slice.sortedLowerBound(of: 20), 6)
    XCTAssertFalse(slice.sortedContains(1))
  }
}
