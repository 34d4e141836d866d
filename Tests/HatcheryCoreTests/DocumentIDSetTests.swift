import XCTest

@testable import HatcheryCore

final class DocumentIDSetTests: XCTestCase {
  /// Packed and string ids answer exactly as a `Set<String>` of the same ids would.
  func testMembershipMatchesASetOfStrings() {
    var generator = SystemRandomNumberGenerator()
    var ids: [String] = []
    for _ in 0..<2_000 {
      ids.append(Hex.encode((0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }
    let hexIDs = ids
    ids += ["a", "d0", "", String(repeating: "F", count: 32), String(repeating: "g", count: 32), String(repeating: "0", count: 31)]
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
}
