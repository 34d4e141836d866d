import Foundation
import HatcheryCore
import XCTest

@testable import Shards

final class ShardFormatTests: XCTestCase {
  private var folder = ""

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "hatchery-shardfmt-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  override func tearDown() {
    try? FileManager.default.removeItem(atPath: folder)
  }

  /// Tokens with some repetition, as text tokens have.
  private func tokens(_ count: Int, below limit: UInt32, seed: UInt64) -> [UInt32] {
    var state = seed
    return (0..<count).map { index in
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return index % 7 == 0 ? UInt32(index % 50) : UInt32(truncatingIfNeeded: state >> 33) % limit
    }
  }

  private func write(
    _ ids: [UInt32], type: TokenType, to path: String, frameTokens: Int = ShardWriter.defaultFrameTokens
  ) throws -> ShardWriter.Result {
    let writer = try ShardWriter(path: path, tokenType: type, level: 3, frameTokens: frameTokens)
    // Appended in uneven pieces, across frame boundaries.
    var start = 0
    var step = 1
    while start < ids.count {
      let end = min(ids.count, start + step)
      try ids[start..<end].withUnsafeBufferPointer { try writer.append($0) }
      start = end
      step = step * 3 + 1
    }
    return try writer.finish()
  }

  func testRoundTripAndSeekingForBothTokenTypes() throws {
    for (type, limit) in [(TokenType.uint16, UInt32(65_536)), (.uint32, UInt32(200_000))] {
      let ids = tokens(3 * ShardWriter.defaultFrameTokens + 1234, below: limit, seed: 5)
      let path = folder + "/\(type.rawValue).tok.zst"
      let result = try write(ids, type: type, to: path)
      XCTAssertEqual(result.tokens, ids.count)
      XCTAssertEqual(result.frames, 4)
      let reader = try ShardReader(path: path, tokenType: type)
      XCTAssertEqual(reader.count, ids.count)
      XCTAssertEqual(try reader.read(from: 0, count: ids.count), ids)
      var generator = SplitMix64(seed: 12)
      for _ in 0..<200 {
        let length = Int.random(in: 0...2000, using: &generator)
        let offset = Int.random(in: 0...(ids.count - length), using: &generator)
        XCTAssertEqual(
          try reader.read(from: offset, count: length), Array(ids[offset..<offset + length]), "\(type) at \(offset)")
      }
      XCTAssertThrowsError(try reader.read(from: ids.count - 1, count: 2))
    }
  }

  func testAnyFrameSizeReadsBackAndTheReaderLearnsItFromTheSeekTable() throws {
    let ids = tokens(10_000, below: 60_000, seed: 2)
    let path = folder + "/small-frames.tok.zst"
    XCTAssertEqual(try write(ids, type: .uint16, to: path, frameTokens: 1000).frames, 10)
    let reader = try ShardReader(path: path, tokenType: .uint16)
    XCTAssertEqual(reader.frameTokens, 1000)
    XCTAssertEqual(try reader.read(from: 2995, count: 2010), Array(ids[2995..<5005]))
  }

  /// One cache shared by the readers of several shards (as each thread of a dataset has) keeps
  /// their frames apart, including shards of different frame sizes.
  func testReadersSharingACacheGetTheirOwnShardsTokens() throws {
    let shards = try [(seed: UInt64(21), frameTokens: 1000), (22, 1000), (23, 3000)].enumerated().map { number, shard in
      let ids = tokens(7000, below: 60_000, seed: shard.seed)
      let path = folder + "/shared-\(number).tok.zst"
      _ = try write(ids, type: .uint16, to: path, frameTokens: shard.frameTokens)
      return (ids: ids, file: try ShardFile(path: path, tokenType: .uint16))
    }
    let cache = try FrameCache()
    let readers = shards.map { ShardReader(file: $0.file, cache: cache) }
    for round in 0..<3 {
      for (number, shard) in shards.enumerated() {
        let offset = 500 + round * 1700
        XCTAssertEqual(
          try readers[number].read(from: offset, count: 1200), Array(shard.ids[offset..<offset + 1200]),
          "shard \(number), round \(round)")
      }
    }
  }

  func testPlainZstdDecodesAShard() throws {
    guard
      let zstd = ["/usr/bin/zstd", "/bin/zstd", "/usr/local/bin/zstd"].first(
        where: FileManager.default.isExecutableFile)
    else {
      throw XCTSkip("the zstd command is not installed")
    }
    let ids = tokens(2 * ShardWriter.defaultFrameTokens + 17, below: 50_000, seed: 9)
    let path = folder + "/s.tok.zst"
    _ = try write(ids, type: .uint16, to: path)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: zstd)
    process.arguments = ["-d", "-q", "-f", path, "-o", folder + "/raw.bin"]
    try process.run()
    process.waitUntilExit()
    XCTAssertEqual(process.terminationStatus, 0)
    let raw = try Data(contentsOf: URL(fileURLWithPath: folder + "/raw.bin"))
    XCTAssertEqual(raw, Data(ids.flatMap { withUnsafeBytes(of: UInt16($0).littleEndian, Array.init) }))
  }

  func testOneAlteredByteIsCaughtInItsFrameAndTruncationIsCaught() throws {
    let ids = tokens(3 * ShardWriter.defaultFrameTokens, below: 30_000, seed: 3)
    let path = folder + "/s.tok.zst"
    _ = try write(ids, type: .uint16, to: path)
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    let frameZero = try ShardReader(path: path, tokenType: .uint16)
    XCTAssertEqual(frameZero.frameCount, 3)
    // A byte in the middle of the second frame: find where frames start from the seek table.
    let table = try bytes.withUnsafeBytes { try SeekTable.read(from: $0, name: path) }
    let secondFrame = Int(table.entries[0].compressedSize)
    bytes[secondFrame + Int(table.entries[1].compressedSize) / 2] ^= 0x01
    try bytes.write(to: URL(fileURLWithPath: folder + "/altered.tok.zst"))
    let altered = try ShardReader(path: folder + "/altered.tok.zst", tokenType: .uint16, name: "altered")
    XCTAssertEqual(try altered.read(from: 0, count: 100), Array(ids[0..<100]), "other frames still read")
    XCTAssertThrowsError(try altered.read(from: ShardWriter.defaultFrameTokens + 5, count: 10)) { error in
      guard case .damaged("altered", let reason)? = error as? ShardError else { return XCTFail("\(error)") }
      XCTAssertTrue(reason.hasPrefix("frame 1:"), reason)
    }
    let original = try Data(contentsOf: URL(fileURLWithPath: path))
    try original.prefix(original.count - 3).write(to: URL(fileURLWithPath: folder + "/short.tok.zst"))
    XCTAssertThrowsError(try ShardReader(path: folder + "/short.tok.zst", tokenType: .uint16, name: "short")) { error in
      guard case .damaged("short", let reason)? = error as? ShardError else { return XCTFail("\(error)") }
      XCTAssertTrue(reason.hasPrefix("no seek table"), reason)
    }
  }

  func testSeekTableLayoutFollowsTheSeekableFormat() throws {
    let path = folder + "/s.tok.zst"
    _ = try write(tokens(100, below: 1000, seed: 1), type: .uint16, to: path)
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    XCTAssertEqual(Array(bytes.suffix(4)), [0xB1, 0xEA, 0x92, 0x8F], "seekable magic, little-endian")
    XCTAssertEqual(bytes[bytes.count - 5], 0x80, "checksum flag")
    XCTAssertEqual(Array(bytes.suffix(9).prefix(4)), [1, 0, 0, 0], "one frame")
    let tableStart = bytes.count - (8 + 12 + 9)
    XCTAssertEqual(Array(bytes[tableStart..<tableStart + 4]), [0x5E, 0x2A, 0x4D, 0x18], "skippable frame magic")
    XCTAssertEqual(Array(bytes[0..<4]), [0x28, 0xB5, 0x2F, 0xFD], "a zstd frame first")
  }
}
