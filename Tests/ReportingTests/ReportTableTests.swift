import XCTest

@testable import Reporting

final class ReportTableTests: XCTestCase {
  func testLicenceTableKeepsTheCommonestExpressionsAndSumsTheRest() {
    var rows:
      [(
        source: String, expression: String?, category: String?, documents: Int, bytes: Int, keptDocuments: Int,
        keptBytes: Int
      )] = []
    for index in 0..<15 { rows.append(("docs", "LicenseRef-\(index)", "other", index + 1, 10, index, 1000)) }
    rows.append(("books", "CC0-1.0", "public-domain", 3, 30, 3, 30))
    let table = WorkspaceReport.licenceRows(rows)
    XCTAssertEqual(table.count, 12 + 1 + 1)
    XCTAssertEqual(table[0], ["docs", "LicenseRef-14", "other", "15", "14", "1.0 kB"], "the commonest first")
    XCTAssertEqual(table[12][1], "3 other expressions (hatchery audit lists them)")
    XCTAssertEqual(table[12][3], "6", "1 + 2 + 3 documents")
    XCTAssertEqual(table[12][4], "3", "0 + 1 + 2 kept")
    XCTAssertEqual(table[13][0...1], ["books", "CC0-1.0"])
  }
}
