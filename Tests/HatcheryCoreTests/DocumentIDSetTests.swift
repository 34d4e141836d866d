import GRDB
import XCTest

@testable import HatcheryCore

final class DocumentIDSetTests: XCTestCase {
  /// Packed and string ids answer exactly as a `Set<String>` of the same ids would.
  func testMembershipMatchesASetOfStrings() {
    var generator = SplitMix64(seed: 17)
    var ids: [String] = []
    for _ in 0..<2_000 {
      ids.append(Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }
    let hexIDs = ids
    ids += [
      "a", "d0", "", String(repeating: "F", count: 32), String(repeating: "g", count: 32),
      String(repeating: "0", count: 31),
    ]
    ids += hexIDs.prefix(100)  // repeats
    let set = DocumentIDSet(ids)
    let reference = Set(ids)
    XCTAssertEqual(set.count, reference.count)
    var probes = Array(reference)
    // Not members: each packed id with its last digit changed, the upper-case spelling of a member,
    // ids one digit short or long.
    for id in hexIDs.prefix(300) {
      var bytes = Array(id.utf8)
      bytes[31] = bytes[31] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
      probes.append(String(decoding: bytes, as: UTF8.self))
      probes.append(id.uppercased())
      probes.append(String(id.dropLast()))
      probes.append(id + "0")
    }
    probes += [String(repeating: "f", count: 32), String(repeating: "0", count: 32), "A"]
    for probe in probes {
      XCTAssertEqual(set.contains(probe), reference.contains(probe), probe)
    }
    XCTAssertTrue(DocumentIDSet([String]()).isEmpty)
    XCTAssertFalse(DocumentIDSet([String]()).contains(hexIDs[0]))
  }

  /// Read through SQLite's C interface from several queries, the set holds what the same ids
  /// as strings give.
  func testReadFromQueriesEqualsReadFromStrings() throws {
    let queue = try DatabaseQueue()
    var ids = (0..<500).map { Hex.encode(Array(SHA256Hasher.hash("id \($0)").bytes.prefix(16))) }
    ids += ["d1", "not hex at all, and longer than 32", String(repeating: "A", count: 32), "ü"]
    try queue.write { db in
      try db.execute(sql: "CREATE TABLE a (id TEXT); CREATE TABLE b (id TEXT)")
      for (index, id) in ids.enumerated() {
        try db.execute(sql: "INSERT INTO \(index % 3 == 0 ? "b" : "a") VALUES (?)", arguments: [id])
      }
      try db.execute(sql: "INSERT INTO a VALUES (NULL)")
    }
    let fromQueries = try queue.read { try DocumentIDSet($0, queries: ["SELECT id FROM a", "SELECT id FROM b"]) }
    let fromStrings = DocumentIDSet(ids)
    XCTAssertEqual(fromQueries.count, ids.count)
    for id in ids + ["d2", String(repeating: "a", count: 32)] {
      XCTAssertEqual(fromQueries.contains(id), fromStrings.contains(id), id)
    }
  }
}
