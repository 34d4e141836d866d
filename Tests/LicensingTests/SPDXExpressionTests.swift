import Foundation
import HatcheryCore
import HatcheryTestSupport
import XCTest

@testable import Licensing

final class SPDXExpressionTests: XCTestCase {
  private func canonical(_ text: String) throws -> String { try SPDXExpression.parse(text).description }

  /// The shipped list is a resource file pinned by its SHA-256, which its generator's record
  /// (Resources/spdx-licenses.json) states too, with the number of ids.
  func testTheShippedListIsTheFileItsRecordPins() throws {
    let shipped = try ShippedResource(
      try XCTUnwrap(SPDXLicenseList.shippedFile), record: "Sources/Licensing/Resources/spdx-licenses.json")
    XCTAssertEqual(shipped.sha256, SPDXLicenseList.shippedSHA256)
    XCTAssertEqual(shipped.record["sha256"] as? String, shipped.sha256)
    XCTAssertEqual(shipped.record["lines"] as? Int, shipped.bytes.split(separator: UInt8(ascii: "\n")).count)
    XCTAssertEqual(SPDXLicenseList.shared.entry("GPL-2.0+")?.id, "GPL-2.0-or-later")
  }

  func testExpressionsAreParsedAndPrintedCanonically() throws {
    XCTAssertEqual(try canonical("MIT"), "MIT")
    XCTAssertEqual(try canonical("mit"), "MIT", "ids match case-insensitively")
    XCTAssertEqual(try canonical("MIT OR Apache-2.0"), "MIT OR Apache-2.0")
    XCTAssertEqual(try canonical("MIT or Apache-2.0 and BSD-3-Clause"), "MIT OR Apache-2.0 AND BSD-3-Clause")
    XCTAssertEqual(try canonical("(MIT OR Apache-2.0) AND BSD-3-Clause"), "(MIT OR Apache-2.0) AND BSD-3-Clause")
    XCTAssertEqual(try canonical("((MIT))"), "MIT")
    XCTAssertEqual(
      try canonical("GPL-2.0-or-later WITH Classpath-exception-2.0 OR MIT"),
      "GPL-2.0-or-later WITH Classpath-exception-2.0 OR MIT")
    XCTAssertEqual(try canonical("LicenseRef-my-own AND MIT"), "LicenseRef-my-own AND MIT")
    XCTAssertEqual(try SPDXExpression.parse("(MIT OR ISC) AND Zlib").licenseIDs, ["MIT", "ISC", "Zlib"])
  }

  func testDeprecatedIdsAndPlusMapToCurrentIds() throws {
    XCTAssertEqual(try canonical("GPL-2.0"), "GPL-2.0-only")
    XCTAssertEqual(try canonical("GPL-2.0+"), "GPL-2.0-or-later")
    XCTAssertEqual(try canonical("LGPL-2.1+"), "LGPL-2.1-or-later")
    XCTAssertEqual(try canonical("GPL-3.0-only+"), "GPL-3.0-or-later")
    XCTAssertEqual(try canonical("Apache-2.0+"), "Apache-2.0+", "a + with no -or-later id is kept")
  }

  func testMalformedExpressionsAreRefusedWithAReason() {
    for bad in [
      "", "MIT OR", "(MIT", "MIT)", "AND MIT", "NotALicense-9", "MIT WITH", "MIT WITH MIT", "MIT Apache-2.0",
      String(repeating: "MIT OR ", count: 1000) + "MIT",
    ] {
      XCTAssertThrowsError(try SPDXExpression.parse(bad), bad) { error in
        XCTAssertFalse("\(error)".isEmpty)
      }
    }
  }

  func testTheListKnowsCategoriesAndExceptions() throws {
    let list = SPDXLicenseList.shared
    XCTAssertEqual(list.entry("MIT")?.category, "permissive")
    XCTAssertEqual(list.entry("GPL-3.0-only")?.category, "copyleft")
    XCTAssertEqual(list.entry("Classpath-exception-2.0")?.isException, true)
    XCTAssertEqual(list.entry("GPL-2.0")?.id, "GPL-2.0-only")
    XCTAssertNil(list.entry("Nonsense-1.0"))
  }
}

final class SPDXMutationTests: XCTestCase {
  func testRandomExpressionsAndTextsNeverCrash() {
    var state: UInt64 = 11
    func next(_ bound: Int) -> Int {
      state = state &* 6_364_136_223_846_793_005 &+ 1
      return Int((state >> 33) % UInt64(bound))
    }
    let pieces = [
      "MIT", "GPL-2.0+", "(", ")", "AND", "OR", "WITH", "Classpath-exception-2.0", "LicenseRef-x", "+", "and",
      "Apache-2.0", "", "  ", "é", "SPDX-License-Identifier:", "version 2", "GNU General Public License", "or later",
    ]
    let detector = LicenseDetector(referenceFolders: [])
    for _ in 0..<3000 {
      let text = (0..<next(12)).map { _ in pieces[next(pieces.count)] }.joined(separator: next(2) == 0 ? " " : "")
      if let expression = try? SPDXExpression.parse(text) {
        XCTAssertNoThrow(try SPDXExpression.parse(expression.description), "printing then parsing again: \(text)")
      }
      _ = detector.detect(text)
    }
  }
}
