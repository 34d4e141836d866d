import Foundation
import XCTest

@testable import HatcheryCore

final class RemovedSpanSetTests: XCTestCase {
  func testSpansRoundTripInStartOrderWithEveryKindOfSurvivor() throws {
    let hexID = "00ff00ff00ff00ff00ff00ff00ff00ff"
    let spans = [
      RemovedSpanSet.Span(start: 300, end: 420, duplicateOf: hexID),
      RemovedSpanSet.Span(start: 0, end: 0, duplicateOf: nil),
      RemovedSpanSet.Span(start: 7, end: 1_000_000, duplicateOf: "not-hex-Ä"),
      RemovedSpanSet.Span(start: 7, end: 9, duplicateOf: hexID.uppercased()),
    ]
    let decoded = try RemovedSpanSet.decode(try RemovedSpanSet.encode(spans))
    XCTAssertEqual(decoded, spans.sorted { ($0.start, $0.end) < ($1.start, $1.end) })
    XCTAssertEqual(try RemovedSpanSet.decode(try RemovedSpanSet.encode([])), [])
  }

  /// Paragraph dedup's typical case: many consecutive lines of one document seen in a few
  /// others. DESIGN.md's budget is 16 bytes a span.
  func testParagraphRemovalsCostAFewBytesASpan() throws {
    let survivors = (0..<5).map { String(format: "%032x", $0 * 7919) }
    var spans: [RemovedSpanSet.Span] = []
    var offset = 0
    for line in 0..<400 {
      let length = 20 + (line * 37) % 180
      spans.append(RemovedSpanSet.Span(start: offset, end: offset + length, duplicateOf: survivors[line % 5]))
      offset += length + 1
    }
    let encoded = try RemovedSpanSet.encode(spans)
    XCTAssertLessThanOrEqual(Double(encoded.count) / Double(spans.count), 5)
    XCTAssertEqual(try RemovedSpanSet.decode(encoded), spans)
  }

  func testADamagedValueIsAnErrorNotACrash() throws {
    let encoded = try RemovedSpanSet.encode([RemovedSpanSet.Span(start: 1_000, end: 2_000, duplicateOf: "x")])
    for cut in 0..<encoded.count {
      XCTAssertThrowsError(try RemovedSpanSet.decode(encoded.prefix(cut)), "cut at \(cut)")
    }
    XCTAssertThrowsError(try RemovedSpanSet.decode(encoded + Data([0])))
    XCTAssertThrowsError(try RemovedSpanSet.decode(Data([1, 9])), "an unknown survivor tag")
    XCTAssertThrowsError(try RemovedSpanSet.decode(Data(repeating: 0xFF, count: 12)), "a varint past 63 bits")
    XCTAssertThrowsError(try RemovedSpanSet.encode([RemovedSpanSet.Span(start: 5, end: 4, duplicateOf: nil)]))
  }
}
