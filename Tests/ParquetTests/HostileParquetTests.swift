import Foundation
import HatcheryCore
import XCTest

@testable import Parquet

/// Damaged Parquet is an error naming file (row group, column) and what is wrong — never a
/// crash, a hang or an allocation the file only claims.
final class HostileParquetTests: XCTestCase {
  private var paths: [String] = []

  override func tearDown() {
    for path in paths { try? FileManager.default.removeItem(atPath: path) }
  }

  private func file(_ bytes: [UInt8]) -> String {
    let path = NSTemporaryDirectory() + "hatchery-hostile-\(UUID().uuidString).parquet"
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    paths.append(path)
    return path
  }

  private func valid(_ codec: Codec = .zstd) throws -> [UInt8] {
    var writer = ParquetWriter(
      columns: [.string("text"), ParquetWriter.ColumnSpec(name: "n", type: .int64)], codec: codec)
    try writer.write(rows: (0..<8).map { [.string("row \($0) of a valid file"), .int64(Int64($0))] })
    return writer.finish()
  }

  /// Every column of every row group, read; the first error.
  private func readAll(_ path: String) -> ParquetError? {
    do {
      let parquet = try ParquetFile(path: path)
      for group in parquet.metadata.rowGroups.indices {
        for column in parquet.columns { _ = try parquet.read(rowGroup: group, column: column) }
      }
      return nil
    } catch {
      return error
    }
  }

  func testATruncatedFileOrFooterIsRefused() throws {
    let bytes = try valid()
    let cut = file(Array(bytes.dropLast(10)))
    XCTAssertTrue(
      readAll(cut)?.description.contains("no PAR1 magic at the end") ?? false, "\(String(describing: readAll(cut)))")
    // A footer length beyond the file.
    var long = bytes
    long.replaceSubrange((long.count - 8)..<(long.count - 4), with: [0xFF, 0xFF, 0xFF, 0x7F])
    let error = try XCTUnwrap(readAll(file(long)))
    XCTAssertTrue(error.description.contains("a footer of 2147483647 bytes"), error.description)
    // A footer cut inside: its Thrift ends early.
    var short = bytes
    let footerLength = Int(
      UInt32(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt32.self) })
    )
    short.replaceSubrange(
      (short.count - 8)..<(short.count - 4),
      with: withUnsafeBytes(of: UInt32(footerLength / 2).littleEndian, Array.init))
    let halfFooter = readAll(file(short))
    XCTAssertTrue(halfFooter?.description.contains("damaged Parquet") ?? false, "\(String(describing: halfFooter))")
    XCTAssertTrue(readAll(file(Array("PAR1PAR1".utf8)))?.description.contains("no PAR1 magic") ?? false)
  }

  func testAPageHeaderClaimingMoreThanItsChunkIsRefused() throws {
    var bytes = try valid(.uncompressed)
    // The first page header, at byte 4: type (0x15 0x00), uncompressed size (0x15 + varint),
    // compressed size (0x15 + varint). Claim 8,191 compressed bytes: far past the chunk.
    XCTAssertEqual(Array(bytes[4..<7]), [0x15, 0x00, 0x15])
    var position = 7
    while bytes[position] & 0x80 != 0 { position += 1 }
    position += 1
    XCTAssertEqual(bytes[position], 0x15)
    XCTAssertEqual(bytes[position + 2] & 0x80, 0, "a two-byte varint")
    bytes.replaceSubrange((position + 1)..<(position + 3), with: [0xFE, 0x7F])
    let error = try XCTUnwrap(readAll(file(bytes)))
    XCTAssertTrue(
      error.description.contains("row group 0, column text: damaged Parquet: a page at byte 4 claims 8191 bytes"),
      error.description)
    // A size of 4 GB does not fit the header's i32: the header itself is refused.
    var header = ThriftCompactWriter()
    header.i32(1, PageType.dataPage.rawValue)
    header.fieldHeader(2, .i32)
    header.zigzag(4 << 30)
    header.bytes.append(0)
    XCTAssertThrowsError(try header.bytes.withUnsafeBytes { try PageHeader.parse($0, at: 0) }) { error in
      XCTAssertTrue("\(error)".contains("an i32 out of range"), "\(error)")
    }
  }

  func testADictionaryIndexOutOfRangeIsRefused() {
    var dictionary = ByteArrays()
    "only".utf8CString.withUnsafeBytes { dictionary.append(UnsafeRawBufferPointer(rebasing: $0.dropLast())) }
    var data = ColumnData.bytes(ByteArrays())
    XCTAssertNoThrow(try ParquetFile.gather([0, 0], from: .bytes(dictionary), into: &data))
    XCTAssertThrowsError(try ParquetFile.gather([0, 5], from: .bytes(dictionary), into: &data)) { error in
      XCTAssertEqual("\(error)", "damaged(\"dictionary index 5 of a dictionary of 1\")")
    }
  }

  func testADictionaryPageExpandingPastAPagesLimitIsRefused() {
    // One entry of 1 MiB repeated 1,025 times would be more than the 1 GiB a page may hold.
    var dictionary = ByteArrays()
    [UInt8](repeating: 0x61, count: 1 << 20).withUnsafeBytes { dictionary.append($0) }
    var data = ColumnData.bytes(ByteArrays())
    XCTAssertThrowsError(
      try ParquetFile.gather([UInt32](repeating: 0, count: 1025), from: .bytes(dictionary), into: &data))
    XCTAssertNoThrow(try ParquetFile.gather([0, 0], from: .bytes(dictionary), into: &data))
  }

  func testABadPageCRCIsRefused() throws {
    // pyarrow wrote page CRCs in the zstd fixtures.
    let fixture = ParquetFileTests.fixtures + "/zstd-v1-plain.parquet"
    var bytes = Array(try Data(contentsOf: URL(fileURLWithPath: fixture)))
    XCTAssertNil(readAll(fixture))
    let (header, dataStart) = try bytes.withUnsafeBytes {
      try PageHeader.parse(UnsafeRawBufferPointer(rebasing: $0[4...]), at: 0)
    }
    XCTAssertNotNil(header.crc, "the fixture has CRCs")
    bytes[4 + dataStart + 2] ^= 0x40
    let error = try XCTUnwrap(readAll(file(bytes)))
    XCTAssertTrue(error.description.contains("CRC mismatch"), error.description)
    XCTAssertTrue(error.description.contains("row group 0, column id"), error.description)
  }

  func testRandomMutationsNeverCrash() throws {
    // A short seeded run here; hatchery-fuzz runs the ingest of mutated files long (Benchmarks/fuzz.sh).
    let seed = try valid(.snappy)
    var random = SplitMix64(seed: 11)
    var refused = 0
    for _ in 0..<300 {
      var bytes = seed
      for _ in 0..<(1 + Int(random.next() % 4)) {
        let position = Int(random.next() % UInt64(bytes.count))
        bytes[position] = UInt8(truncatingIfNeeded: random.next())
      }
      if readAll(file(bytes)) != nil { refused += 1 }
      try? FileManager.default.removeItem(atPath: paths.removeLast())
    }
    XCTAssertGreaterThan(refused, 0)
  }
}
