import Foundation
import HatcheryCore
import XCTest

@testable import Dedup

final class SortedRunWriterTests: XCTestCase {
  /// Runs of 3 records merged 2 at a time (several passes) give the file one sort in memory
  /// gives, and no run is left beside it.
  func testRunsMergedInSeveralPassesGiveTheSortedFile() throws {
    let folder = NSTemporaryDirectory() + "hatchery-runs-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    var generator = SplitMix64(seed: 11)
    let records = (0..<50).map { ordinal in
      KeyedEntry(
        key: XXHash128(high: generator.next() % 7, low: 0),
        document: DocumentKey(sourceID: UInt32(generator.next() % 3), idHigh: generator.next(), idLow: UInt64(ordinal)),
        ordinal: UInt32(ordinal))
    }
    func written(capacity: Int, fanIn: Int, name: String) throws -> Data {
      let writer = SortedRunWriter<KeyedEntry>(path: folder + "/" + name, kind: .band, capacity: capacity, fanIn: fanIn)
      for record in records { try writer.append(record) }
      try writer.commit()
      return try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name))
    }
    let inMemory = try written(capacity: 1000, fanIn: 16, name: "one.bin")
    XCTAssertEqual(try written(capacity: 3, fanIn: 2, name: "runs.bin"), inMemory)
    XCTAssertEqual(try written(capacity: 1, fanIn: 50, name: "single.bin"), inMemory)
    XCTAssertEqual(
      try FileManager.default.contentsOfDirectory(atPath: folder).sorted(), ["one.bin", "runs.bin", "single.bin"])
    let reader = try RecordFileReader(path: folder + "/one.bin", kind: .band, recordSize: KeyedEntry.size)
    var read: [KeyedEntry] = []
    while let record = try reader.next() { read.append(KeyedEntry(decoding: record)) }
    XCTAssertEqual(read, records.sorted())
  }
}
