import XCTest

@testable import Ingest

/// The main text `HTMLExtractor` gives for a page written in a test.
func extractedText(_ html: String) throws -> String {
  try Array(html.utf8).withUnsafeBytes { try HTMLExtractor().extract($0) }.text
}

/// Extracts `page` and checks that each of `kept` is in its text and none of `dropped`.
func assertExtracts(
  _ page: String, keeps kept: [String], drops dropped: [String] = [], file: StaticString = #filePath,
  line: UInt = #line
) throws {
  let extracted = try extractedText(page)
  for part in kept {
    XCTAssertTrue(extracted.contains(part), "\(part) missing from:\n\(extracted)", file: file, line: line)
  }
  for part in dropped {
    XCTAssertFalse(extracted.contains(part), "\(part) kept in:\n\(extracted)", file: file, line: line)
  }
}
