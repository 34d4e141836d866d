import CZstd
import Foundation
import HatcheryCore
import HatcheryFuzz
import XCTest

@testable import Ingest

/// Every reader must give back exactly what was written, whatever the size of the stream
/// relative to the caller's buffer and the decompressors' own buffers: a read that fills the
/// caller's buffer exactly at the end of a frame is the case that was once reported as truncated.
final class StreamBoundaryTests: XCTestCase {
  enum Codec: CaseIterable { case plain, gzip, zstd, bzip2 }

  /// Text that compresses like real text (not one repeated byte), of exactly `count` bytes.
  static func text(_ count: Int) -> [UInt8] {
    var bytes: [UInt8] = []
    bytes.reserveCapacity(count + 64)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    let words = ["ab", "the", "stream", "ends", "here", "frame", "of", "zstd", "buffer", "exactly"].map {
      Array($0.utf8)
    }
    while bytes.count < count {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      bytes += words[Int(state >> 60) % words.count]
      bytes.append(state >> 58 & 7 == 0 ? 0x0A : 0x20)
    }
    return Array(bytes.prefix(count))
  }

  static func compress(_ bytes: [UInt8], _ codec: Codec) -> [UInt8] {
    switch codec {
    case .plain: return bytes
    case .gzip: return Seeds.compress(bytes, .gzip)
    case .zstd: return Seeds.compress(bytes, .zstd)
    case .bzip2: return Seeds.compress(bytes, .bzip2)
    }
  }

  static func reader(_ bytes: [UInt8], _ codec: Codec) throws -> ByteSource {
    let memory = MemoryByteSource(copying: bytes)
    switch codec {
    case .plain: return memory
    case .zstd: return try ZstdByteSource(memory, name: "test.zst")
    case .gzip: return try DecompressingByteSource.gzip(memory, name: "test.gz")
    case .bzip2: return try DecompressingByteSource.bzip2(memory, name: "test.bz2")
    }
  }

  /// Reads the whole stream with reads of `bufferBytes`.
  static func readBack(_ source: ByteSource, bufferBytes: Int) throws -> [UInt8] {
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: bufferBytes)
    while true {
      let count = try buffer.withUnsafeMutableBytes { try source.read(into: $0) }
      if count == 0 { return result }
      result += buffer[..<count]
    }
  }

  func testEverySizeAroundBufferMultiplesReadsBackWhole() throws {
    let mib = 1 << 20
    var sizes: [Int] = [0, 1, 4095, 4096, 4097]
    for base in [1 << 16, 1 << 17, ZSTD_DStreamOutSize(), mib, 2 * mib, 4 * mib] {
      sizes += [base - 1, base, base + 1]
    }
    for codec in Codec.allCases {
      for size in Set(sizes).sorted() where codec != .bzip2 || size <= 2 * mib + 1 {
        let original = Self.text(size)
        let compressed = Self.compress(original, codec)
        for bufferBytes in Set([1 << 16, mib, size, 4096].filter { $0 > 0 }) {
          let back = try Self.readBack(try Self.reader(compressed, codec), bufferBytes: bufferBytes)
          XCTAssertTrue(
            back == original, "\(codec), \(size) bytes read with a \(bufferBytes)-byte buffer: \(back.count) bytes back"
          )
        }
        var lines = 0
        let lineReader = LineReader(try Self.reader(compressed, codec), maximumLineBytes: 1 << 22)
        while try lineReader.next() != nil { lines += 1 }
        XCTAssertEqual(
          lines,
          original.isEmpty
            ? 0
            : original.split(separator: 0x0A, omittingEmptySubsequences: false).count - (original.last == 0x0A ? 1 : 0),
          "\(codec), \(size)")
      }
    }
  }

  func testAStreamCutAnywhereInItsLastFrameIsStillTruncated() throws {
    let original = Self.text(1 << 20)
    for codec in [Codec.gzip, .zstd, .bzip2] {
      let compressed = Self.compress(original, codec)
      for cut in [compressed.count - 1, compressed.count - 4, compressed.count / 2] {
        XCTAssertThrowsError(
          try Self.readBack(try Self.reader(Array(compressed.prefix(cut)), codec), bufferBytes: 1 << 20)
        ) { error in
          XCTAssertEqual(
            (error as? StreamError)?.kind, .truncated, "\(codec) cut at \(cut) of \(compressed.count): \(error)")
        }
      }
    }
  }
}
