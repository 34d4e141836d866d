import Foundation
import HatcheryCore
import XCTest

@testable import Shards

final class ShardPlanTests: XCTestCase {
  /// A task file whose ids are in the part's order (earlier builds wrote them so; each row
  /// names its id's offset) reads the same ids, row by row and by index out of order.
  func testIDsOutsideTheTablesOrderAreReadByTheirOffsets() throws {
    let path = NSTemporaryDirectory() + "part-ids-\(UUID().uuidString).tokens"
    defer { try? FileManager.default.removeItem(atPath: path) }
    let ids = (0..<300).map { "document-\($0)" }
    func hash(_ id: String) -> UInt64 {
      var id = id
      return id.withUTF8 { PartTokenFile.hash(UnsafeRawBufferPointer($0), seed: 3) }
    }
    var bytes: [UInt8] = []
    func append<T: FixedWidthInteger>(_ value: T) {
      withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
    for number in ids.indices { append(UInt32(number)) }  // one token a document
    var offsets: [Int] = []
    for id in ids {
      offsets.append(bytes.count)
      bytes.append(contentsOf: Array(id.utf8))
    }
    let table = ids.indices.sorted { hash(ids[$0]) < hash(ids[$1]) }
    for index in table {
      append(hash(ids[index]))
      append(UInt64(index))
      append(UInt32(1))
      append(UInt32(ids[index].utf8.count))
      append(UInt64(offsets[index]))
    }
    for value in [UInt64(ids.count), UInt64(ids.count), 0, 3] { append(value) }
    append(PartTokenFile.version)
    append(UInt32(0))
    bytes.append(contentsOf: PartTokenFile.magic)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    let reader = try PartTokenFile.Reader(path: path)
    for (position, index) in table.enumerated() {
      let row = try reader.row(position)
      XCTAssertEqual(try reader.withIDBytes(of: row) { String(decoding: $0, as: UTF8.self) }, ids[index])
      XCTAssertEqual(try reader.withTokens(of: row, using: PartTokenFile.ReadBuffer()) { Array($0) }, [UInt32(index)])
    }
    for position in [299, 0, 150, 127, 128] {
      let row = try reader.row(position)
      XCTAssertEqual(try reader.withIDBytes(of: row) { String(decoding: $0, as: UTF8.self) }, ids[table[position]])
    }
    XCTAssertThrowsError(try reader.row(300))
  }

  /// Task files of several parts merge into one order — the ids by XXH64(seed, id), then by id —
  /// pass after pass over the same readers, across many chunks of rows; the shard boundaries
  /// follow the token counts.
  func testThePartsTablesMergeIntoTheSeededOrderOnEveryPass() throws {
    let folder = NSTemporaryDirectory() + "shard-plan-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    var options = ShardOptions()
    options.seed = 11
    options.tokensPerShard = 5_000
    options.validationFraction = 0.1
    var ids: [String] = []
    var tokenCounts: [String: Int] = [:]
    var paths: [String] = []
    for part in 0..<3 {
      let path = folder + "/part-\(part).tokens"
      let writer = try PartTokenFile.Writer(path: path, seed: options.seed)
      for number in 0..<(part == 1 ? 0 : 1_700 + part) {
        let id = "doc-\(part)-\(number)"
        let tokens = [UInt32](repeating: UInt32(number), count: number % 7)
        try tokens.withUnsafeBufferPointer { try writer.append(id: id, tokens: $0, textBytes: 10) }
        ids.append(id)
        tokenCounts[id] = tokens.count
      }
      try writer.finish()
      paths.append(path)
    }
    let plan = try ShardPlan(parts: paths, options: options)
    XCTAssertEqual(plan.documents, ids.count)
    func key(_ id: String) -> UInt64 {
      var id = id
      return id.withUTF8 { PartTokenFile.hash(UnsafeRawBufferPointer($0), seed: 11) }
    }
    let expected = ids.sorted { key($0) != key($1) ? key($0) < key($1) : $0.utf8.lexicographicallyPrecedes($1.utf8) }
    for _ in 0..<2 {
      var order: [String] = []
      var shardOfPosition: [Int] = []
      try plan.forEachMapRow { row in
        order.append(String(decoding: row.documentID, as: UTF8.self))
        shardOfPosition.append(row.shard)
        XCTAssertEqual(row.tokenCount, tokenCounts[order.last!])
      }
      XCTAssertEqual(order, expected)
      XCTAssertEqual(
        shardOfPosition,
        plan.shards.indices.flatMap { index in Array(repeating: index, count: plan.shards[index].documents.count) })
    }
    // Boundaries: validation first (10% of the documents), then train shards closing at the
    // first document that brings them to 5,000 tokens (separators counted).
    let validation = Int((Double(ids.count) * 0.1).rounded())
    XCTAssertEqual(plan.shards.filter { $0.split == "val" }.map(\.documents.count).reduce(0, +), validation)
    var start = validation
    var tokens = 0
    var bounds: [Range<Int>] = []
    for position in validation..<expected.count {
      tokens += 1 + tokenCounts[expected[position]]!
      if tokens >= 5_000 {
        bounds.append(start..<position + 1)
        start = position + 1
        tokens = 0
      }
    }
    if start < expected.count { bounds.append(start..<expected.count) }
    XCTAssertEqual(plan.shards.filter { $0.split == "train" }.map(\.documents), bounds)
    XCTAssertEqual(plan.shards.filter { $0.split == "train" }.map(\.number), Array(0..<bounds.count))
  }
}
