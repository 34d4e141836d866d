import Foundation
import HatcheryCore
import XCTest

@testable import Ingest

/// Inputs written to break the readers: each once crashed a stage or lost data.
final class HostileInputTests: IngestTestCase {
  private func warcRecord(_ body: String) -> [UInt8] {
    let block = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\n" + body
    return Array(
      "WARC/1.1\r\nWARC-Type: response\r\nContent-Type: application/http\r\nContent-Length: \(block.utf8.count)\r\n\r\n\(block)\r\n\r\n"
        .utf8)
  }

  private func readWARC(_ bytes: [UInt8]) throws -> [WARCReader.Item] {
    let reader = WARCReader(source: MemoryByteSource(copying: bytes), name: "hostile.warc", maximumBlockBytes: 1 << 20)
    var items: [WARCReader.Item] = []
    while let item = try reader.next() { items.append(item) }
    return items
  }

  /// A malformed line's preview was read from the buffer after skipping had moved it.
  func testWARCGarbageBeforeAndBetweenRecordsIsReportedWithItsOwnBytes() throws {
    let junk = try readWARC(
      Array(repeating: UInt8(ascii: "j"), count: 40_000) + [0x0A] + Array(repeating: UInt8(ascii: "k"), count: 70_000)
        + [0x0A])
    XCTAssertEqual(junk.count, 1)
    guard case .malformed(0, let reason)? = junk.first else { return XCTFail("\(junk)") }
    XCTAssertEqual(reason, "no WARC version line (found '\(String(repeating: "j", count: 40))…')")

    let file =
      Array(repeating: UInt8(ascii: "x"), count: 200_000) + warcRecord("first page of text")
      + warcRecord("second page of text")
      + Array(repeating: UInt8(ascii: "x"), count: 100_000) + warcRecord("third page of text")
    let items = try readWARC(file)
    var records = 0
    for item in items {
      switch item {
      case .record: records += 1
      case .malformed(let offset, let reason):
        XCTAssertTrue(reason.hasPrefix("no WARC version line (found 'xxxxxxxx"), "\(offset): \(reason)")
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

  func testACompressedHTTPBodyPastTheCapIsTooLargeNotEmpty() throws {
    let bomb = StreamBoundaryTests.compress([UInt8](repeating: 0x20, count: 2 << 20), .gzip)
    let block = Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\n\r\n".utf8) + bomb
    let record =
      Array(
        "WARC/1.1\r\nWARC-Type: response\r\nContent-Type: application/http\r\nContent-Length: \(block.count)\r\n\r\n"
          .utf8)
      + block + Array("\r\n\r\n".utf8)
    try write("in/bomb.warc", record)
    let workspace = try makeWorkspace()
    let summary = try ingest(workspace, options("bomb", [folder + "/in"]) { $0.maximumDocumentBytes = 4096 })
    XCTAssertEqual(summary.rejectCounts, [.tooLarge: 1], "\(summary.rejectMessages)")
  }

  func testChunkSizesNearIntMaxAreNotChunking() {
    for size in ["7FFFFFFFFFFFFFFF", "7ffffffffffffff0", "FFFFFFFFFFFFFFFF", "-1", "10000000000000000000"] {
      let body = Array("\(size)\r\nabc\r\n0\r\n\r\n".utf8)
      XCTAssertNil(HTTPResponse.dechunked(body), size)
    }
    XCTAssertEqual(HTTPResponse.dechunked(Array("3\r\nabc\r\n0\r\n\r\n".utf8)), Array("abc".utf8))
  }

  // MARK: File names and folders

  func testAFileNameThatIsNotUTF8IsReadAndNamedWithItsBytesEscaped() throws {
    try write("in/plain.txt", "a plain name")
    let name: [UInt8] = Array((folder + "/in/caf").utf8) + [0xE9, 0xFF] + Array(".txt".utf8) + [0]
    let descriptor = name.withUnsafeBufferPointer {
      open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_CREAT | O_WRONLY, 0o644)
    }
    XCTAssertGreaterThanOrEqual(descriptor, 0)
    _ = "text under an odd name".withCString { Glibc.write(descriptor, $0, strlen($0)) }
    close(descriptor)
    let workspace = try makeWorkspace()
    let summary = try ingest(workspace, options("odd", [folder + "/in"]))
    XCTAssertEqual(summary.documents, 2, "\(summary.rejectMessages)")
    let documents = try documents(workspace, source: "odd")
    XCTAssertEqual(Set(documents.map(\.text)), ["a plain name", "text under an odd name"])
    XCTAssertTrue(
      documents.contains { $0.metadata["path"]?.stringValue == "in/caf\\xE9\\xFF.txt" }, "\(documents.map(\.metadata))")
  }

  func testNFCAndNFDSpellingsOfOneNameAreTwoFiles() throws {
    try write("in/caf\u{E9}.txt", "composed")
    try write("in/cafe\u{301}.txt", "decomposed")
    let workspace = try makeWorkspace()
    let summary = try ingest(workspace, options("names", [folder + "/in"]))
    XCTAssertEqual(summary.documents, 2)
  }

  func testAnEntryThatCannotBeReadIsRecordedAndTheRestIngested() throws {
    try write("in/good.txt", "good text")
    symlink(folder + "/in/nowhere", folder + "/in/dangling.txt")
    symlink(folder + "/in/loop", folder + "/in/loop")
    if getuid() != 0 {  // root lists any folder
      try write("in/locked/inside.txt", "unreachable")
      chmod(folder + "/in/locked", 0)
    }
    defer { chmod(folder + "/in/locked", 0o755) }
    let workspace = try makeWorkspace()
    let summary = try ingest(workspace, options("partial", [folder + "/in"]))
    XCTAssertEqual(summary.documents, 1)
    XCTAssertEqual(summary.rejectCounts[.unreadable], getuid() != 0 ? 3 : 2, "\(summary.rejectMessages)")
    XCTAssertTrue(
      summary.rejectMessages.contains { $0.contains("dangling.txt: cannot read") }, "\(summary.rejectMessages)")
    // The rejects are rows of their part, so a second run has nothing to do.
    XCTAssertTrue(try ingest(workspace, options("partial", [folder + "/in"])).nothingToDo)
  }

  // MARK: Text files

  func testBinaryInputIsSniffedWhateverItsSizeAndCompression() throws {
    let nuls = [UInt8](repeating: 0, count: 50_000)
    try write("in/big-zeros.txt", nuls)
    try write("in/zeros.txt.gz", StreamBoundaryTests.compress(nuls, .gzip))
    try write("in/big-zeros.txt.zst", StreamBoundaryTests.compress(nuls, .zstd))
    let workspace = try makeWorkspace()
    let summary = try ingest(workspace, options("binary", [folder + "/in"]) { $0.maximumDocumentBytes = 4096 })
    XCTAssertEqual(summary.documents, 0)
    XCTAssertEqual(summary.rejectCounts[.binary], 3)
  }

  func testATextCutAtTheDocumentCapSaysSo() throws {
    let line = "a line of ordinary text that repeats.\n"
    try write("in/long.txt", String(repeating: line, count: 200))  // 7,800 bytes
    let workspace = try makeWorkspace()
    let summary = try ingest(workspace, options("long", [folder + "/in"]) { $0.maximumDocumentBytes = 3000 })
    XCTAssertEqual(summary.documents, 3)
    XCTAssertEqual(summary.splitFiles, 1)
    XCTAssertTrue(summary.text.contains("1 file(s) larger than --max-document-bytes"), summary.text)
    let documents = try documents(workspace, source: "long")
    XCTAssertEqual(documents.map { $0.metadata["piece"]?.intValue }, [0, 1, 2])
    let lines = documents.flatMap { $0.text.split(separator: "\n") }
    XCTAssertEqual(lines.count, 200, "no line is lost or cut between pieces")
    XCTAssertTrue(lines.allSatisfy { $0 + "\n" == line })
  }
}
