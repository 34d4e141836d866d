import Foundation
import HatcheryCore
import XCTest

@testable import Ingest

/// Inputs written to break the readers: each once crashed a stage or lost data.
final class HostileInputTests: IngestTestCase {
  private func warcRecord(_ body: String) -> [UInt8] {
    let block = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body
    return Array("WARC/1.1\r\nWARC-Type: response\r\nContent-Type: application/http\r\nContent-Length: \(block.utf8.count)\r\n\r\n\(block)\r\n\r\n".utf8)
  }

  private func readWARC(_ bytes: [UInt8]) throws -> [WARCReader.Item] {
    let reader = WARCReader(source: MemoryByteSource(copying: bytes), name: "hostile.warc", maximumBlockBytes: 1 << 20)
    var items: [WARCReader.Item] = []
    while let item = try reader.next() { items.append(item) }
    return items
  }

  /// A malformed line's preview was read from the buffer after skipping had moved it.
  func testWARCGarbageBeforeAndBetweenRecordsIsReportedWithItsOwnBytes() throws {
    let junk = try readWARC(Array(repeating: UInt8(ascii: "j"), count: 40_000) + [0x0A] + Array(repeating: UInt8(ascii: "k"), count: 70_000) + [0x0A])
    XCTAssertEqual(junk.count, 1)
    guard case .malformed(0, let reason)? = junk.first else { return XCTFail("\(junk)") }
    XCTAssertEqual(reason, "no WARC version line (found '\(String(repeating: "j", count: 40))…')")

    let file = Array(repeating: UInt8(ascii: "x"), count: 200_000) + warcRecord("first page of text") + warcRecord("second page of text")
      + Array(repeating: UInt8(ascii: "x"), count: 100_000) + warcRecord("third page of text")
    let items = try readWARC(file)
    var records = 0
    for item in items {
      switch item {
      case .record: records += 1
      case .malformed(let offset, let reason): XCTAssertTrue(reason.hasPrefix("no WARC version line (found 'xxxxxxxx"), "\(offset): \(reason)")
      }
    }
    XCTAssertEqual(records, 3, "no good record is lost to the garbage around it")
  }

  func testWARCControlBytesAreEscapedInMessages() throws {
    let items = try readWARC(Array("\u{1B}[2J\u{1B}]0;owned\u{7} not a record\r\n".utf8) + warcRecord("a page"))
    guard case .malformed(_, let reason)? = items.first else { return XCTFail() }
    XCTAssertFalse(reason.unicodeScalars.contains { $0.value < 0x20 }, reason)
    XCTAssertTrue(reason.contains("\\x1B[2J"), reason)
  }

  func testChunkSizesNearIntMaxAreNotChunking() {
    for size in ["7FFFFFFFFFFFFFFF", "7ffffffffffffff0", "FFFFFFFFFFFFFFFF", "-1", "10000000000000000000"] {
      let body = Array("\(size)\r\nabc\r\n0\r\n\r\n".utf8)
      XCTAssertNil(HTTPResponse.dechunked(body), size)
    }
    XCTAssertEqual(HTTPResponse.dechunked(Array("3\r\nabc\r\n0\r\n\r\n".utf8)), Array("abc".utf8))
  }
}
