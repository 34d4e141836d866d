import Foundation
import HatcheryCore
import XCTest

@testable import Ingest

final class InputPlanTests: IngestTestCase {
  func testFilesAreNamedRelativeToTheirRootAndSorted() throws {
    try write("root/b.txt", "b")
    try write("root/a/z.jsonl.gz", "z")
    try write("root/a/y.html", "y")
    try write("root/.git/config", "hidden")
    let single = try write("elsewhere/single.json", "{}")
    let plan = try InputPlan(paths: [folder + "/root", single], format: nil, partBytes: 1 << 20)
    XCTAssertEqual(plan.files.map(\.locator), ["root/a/y.html", "root/a/z.jsonl.gz", "root/b.txt", "single.json"])
    XCTAssertEqual(plan.files.map(\.format), [.html, .jsonl, .text, .jsonl])
    XCTAssertEqual(plan.files.map(\.compression), [.none, .gzip, .none, .none])
    let forced = try InputPlan(paths: [folder + "/root"], format: .text, partBytes: 1 << 20)
    XCTAssertTrue(forced.files.allSatisfy { $0.format == .text })
  }

  func testPartsGroupConsecutiveFilesBySize() throws {
    for (name, size) in [("a", 50), ("b", 60), ("c", 10), ("d", 200), ("e", 5)] {
      try write("in/\(name).txt", String(repeating: "x", count: size))
    }
    let plan = try InputPlan(paths: [folder + "/in"], format: nil, partBytes: 100)
    XCTAssertEqual(
      plan.parts.map { $0.files.map(\.locator) }, [["in/a.txt", "in/b.txt"], ["in/c.txt", "in/d.txt"], ["in/e.txt"]])
    XCTAssertEqual(plan.parts.map(\.index), [0, 1, 2])
  }

  func testTwoInputsWithOneNameAreRefused() throws {
    let first = try write("one/same.txt", "1")
    let second = try write("two/same.txt", "2")
    XCTAssertThrowsError(try InputPlan(paths: [first, second], format: nil, partBytes: 100)) { error in
      XCTAssertEqual(
        error as? IngestError,
        .sameName(locator: "same.txt", first: first, second: second))
    }
  }
}
