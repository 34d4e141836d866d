import Foundation
import HatcheryCore
import XCTest

@testable import Ingest

final class GzipTests: IngestTestCase {
  private func readAll(_ path: String) throws -> String {
    let source = try DecompressingByteSource.gzip(try FileByteSource(path: path), name: path)
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 7)
    while true {
      let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
      if count == 0 { return String(decoding: result, as: UTF8.self) }
      result += buffer[..<count]
    }
  }

  func testConcatenatedMembersAreReadInOrder() throws {
    let text = try readAll(Self.fixtures + "/corpus/records/hf.json.gz")
    XCTAssertEqual(text.split(separator: "\n").count, 3)
    XCTAssertTrue(text.hasSuffix("cat a.gz b.gz makes.\"}\n"))
  }

  func testTruncatedAndCorruptStreamsAreReported() throws {
    XCTAssertThrowsError(try readAll(Self.fixtures + "/corpus/records/truncated.jsonl.gz")) { error in
      XCTAssertEqual((error as? StreamError)?.kind, .truncated)
    }
    var bytes = try Array(Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/corpus/records/hf.json.gz")))
    bytes[30] ^= 0xFF
    bytes[31] ^= 0xFF
    let path = try write("bad.gz", bytes)
    XCTAssertThrowsError(try readAll(path)) { error in
      XCTAssertEqual((error as? StreamError)?.kind, .corrupt)
    }
  }
}
