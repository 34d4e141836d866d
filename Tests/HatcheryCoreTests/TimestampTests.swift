import Foundation
import XCTest

@testable import HatcheryCore

final class TimestampTests: XCTestCase {
  func testDigitsMatchTheFormattedForm() {
    // Every field at both ends of its range, leap days, and years the fast path hands over.
    var random = SplitMix64(seed: 3)
    var seconds = [0, 59, 951_782_399, 951_782_400, 1_764_892_800, 253_402_300_799, -1, 253_402_300_800]
    for _ in 0..<2_000 { seconds.append(Int.random(in: -62_167_219_200...253_402_300_799, using: &random)) }
    for value in seconds {
      var time = time_t(value)
      var parts = tm()
      gmtime_r(&time, &parts)
      let expected = String(
        format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
        Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
      XCTAssertEqual(Timestamp.string(fromEpochSeconds: value), expected, "\(value)")
    }
    XCTAssertEqual(Timestamp.string(fromEpochSeconds: 1_764_892_800), "2025-12-05T00:00:00Z")
  }
}
