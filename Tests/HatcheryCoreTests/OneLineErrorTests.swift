import XCTest

@testable import HatcheryCore

final class OneLineErrorTests: XCTestCase {
  /// Values quoted from input (a file name, a key) may hold control characters; every domain
  /// error still describes itself in one line.
  func testADomainErrorWithALineBreakInAValueIsOneLine() {
    let error = StoreError.invalidName(kind: "source", name: "a\nb", hint: " (\u{1B}[2J)")
    XCTAssertFalse(error.description.contains("\n"))
    XCTAssertFalse(error.description.contains("\u{1B}"))
    XCTAssertEqual(error.message, error.description)
    let staged = StoreError.stagedCountMismatch(path: "x\ny.db", staged: 1, sourceID: 1, part: 0, recorded: 2)
    XCTAssertTrue(staged.line.contains("\n"), "the line is as written")
    XCTAssertFalse(staged.description.contains("\n"))
  }
}
