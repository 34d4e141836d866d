import Foundation
import XCTest

@testable import HatcheryCore

final class StreamTests: XCTestCase {
  var folder: String!

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "hatchery-core-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: folder)
  }

  func testSHA256KnownVectors() {
    XCTAssertEqual(SHA256Hasher.hash("abc").hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    XCTAssertEqual(SHA256Hasher.hash("").hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    var hasher = SHA256Hasher()
    hasher.update("a")
    hasher.update("bc")
    XCTAssertEqual(hasher.finalize(), SHA256Hasher.hash("abc"))
    XCTAssertEqual(hasher.finalize(), SHA256Hasher.hash(""), "finalize starts again from empty")
  }

  func testAtomicOutputAppearsOnlyOnCommit() throws {
    let path = folder + "/out.bin"
    do {
      let output = try AtomicFileOutput(path: path)
      try Array("half".utf8).withUnsafeBytes { try output.write($0) }
      XCTAssertFalse(FileManager.default.fileExists(atPath: path))
    }
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: folder), [], "an abandoned output leaves nothing")
    let output = try AtomicFileOutput(path: path)
    try Array("whole".utf8).withUnsafeBytes { try output.write($0) }
    let digest = try output.commit()
    XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "whole")
    XCTAssertEqual(digest, SHA256Hasher.hash("whole"))
  }

  /// Writes `text` as a zstd file with `workers` compression threads and returns its bytes.
  private func compress(_ text: [UInt8], workers: Int, name: String) throws -> [UInt8] {
    let output = try AtomicFileOutput(path: folder + "/" + name)
    let writer = ZstdWriter(output: output, compressor: try ZstdCompressor(level: 3, workers: workers))
    // Several writes, so frames are built across calls.
    for chunk in stride(from: 0, to: text.count, by: 100_000) {
      try text[chunk..<min(chunk + 100_000, text.count)].withUnsafeBytes { try writer.write($0) }
    }
    try writer.finish()
    _ = try output.commit()
    return try Array(Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
  }

  private func decompress(_ path: String) throws -> [UInt8] {
    let source = try ZstdByteSource(try FileByteSource(path: path), name: path)
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1000)  // small, to exercise pending output
    while true {
      let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
      if count == 0 { return result }
      result += buffer[..<count]
    }
  }

  private func sampleText() -> [UInt8] {
    var text: [UInt8] = []
    for index in 0..<60_000 { text += Array("line \(index) of a sample text, \(index * 7919 % 1000)\n".utf8) }
    return text
  }

  func testZstdRoundTripIsTheSameWhateverTheWorkerCount() throws {
    let text = sampleText()
    let one = try compress(text, workers: 1, name: "one.zst")
    let three = try compress(text, workers: 3, name: "three.zst")
    XCTAssertEqual(one, three, "the bytes must not depend on the thread count")
    XCTAssertLessThan(one.count, text.count / 3)
    XCTAssertEqual(try decompress(folder + "/one.zst"), text)
  }

  func testZstdTruncationAndCorruptionAreReported() throws {
    let text = sampleText()
    let whole = try compress(text, workers: 1, name: "whole.zst")
    try Data(whole.prefix(whole.count / 2)).write(to: URL(fileURLWithPath: folder + "/cut.zst"))
    XCTAssertThrowsError(try decompress(folder + "/cut.zst")) { error in
      XCTAssertEqual((error as? StreamError)?.kind, .truncated)
    }
    var corrupt = whole
    for index in stride(from: 100, to: corrupt.count - 10, by: 97) { corrupt[index] ^= 0x5A }
    try Data(corrupt).write(to: URL(fileURLWithPath: folder + "/bad.zst"))
    XCTAssertThrowsError(try decompress(folder + "/bad.zst")) { error in
      XCTAssertEqual((error as? StreamError)?.kind, .corrupt)
    }
  }

  func testLineReaderSplitsAcrossBuffersAndBoundsLongLines() throws {
    var text = ""
    for index in 0..<2000 { text += String(repeating: "x", count: index % 300) + "|\(index)\n" }
    text += String(repeating: "y", count: 5000) + "\n"  // oversized
    text += "last line without newline"
    let path = folder + "/lines.txt"
    try text.write(toFile: path, atomically: false, encoding: .utf8)
    let reader = LineReader(try FileByteSource(path: path), maximumLineBytes: 1000, bufferBytes: 64)
    var lines: [String] = []
    var offsets: [Int] = []
    var oversized: [LineReader.Line] = []
    while let line = try reader.next() {
      if line.oversized {
        oversized.append(line)
      } else {
        lines.append(String(decoding: line.bytes, as: UTF8.self))
      }
      offsets.append(line.offset)
    }
    let expected = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    XCTAssertEqual(lines.count, 2001)
    XCTAssertEqual(lines.prefix(2000), expected.prefix(2000))
    XCTAssertEqual(lines.last, "last line without newline")
    XCTAssertEqual(oversized.count, 1)
    XCTAssertEqual(oversized.first?.number, 2001)
    XCTAssertEqual(oversized.first?.length, 5000)
    var offset = 0
    for (index, line) in expected.enumerated() {
      XCTAssertEqual(offsets[index], offset)
      offset += line.utf8.count + 1
    }
  }

  /// Reserving a little more before each append (as the HTML extractor does per text node)
  /// must grow the buffer geometrically: growing to exactly each request copied the whole text
  /// per node, quadratic in the nodes of a page.
  func testByteBufferGrowsGeometricallyUnderSmallReserves() {
    let buffer = ByteBuffer(capacity: 16)
    var capacities: Set<Int> = []
    let piece = [UInt8](repeating: 0x61, count: 10)
    for _ in 0..<100_000 {
      buffer.reserve(buffer.count + piece.count + 2)
      piece.withUnsafeBytes { buffer.freeSpace.copyMemory(from: $0) }
      buffer.didAppend(piece.count)
      capacities.insert(buffer.capacity)
    }
    XCTAssertEqual(buffer.count, 1_000_000)
    XCTAssertLessThanOrEqual(capacities.count, 20, "\(capacities.count) reallocations for 100,000 small reserves")
    buffer.reserveExactly(5_000_000)
    XCTAssertEqual(buffer.capacity, 5_000_000)
  }
}
