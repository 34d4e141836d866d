import Foundation
import HatcheryCore
import Parquet
import XCTest

@testable import Ingest

/// Parquet through the ingest stage: one document per row with its text byte-identical to what
/// pyarrow wrote, null and empty texts recorded, the other columns kept, the nested one noted,
/// files found by their magic, and damaged files a reject that keeps what came before.
final class ParquetIngestTests: IngestTestCase {
  static let parquetFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("ParquetTests/Fixtures").path

  struct Expected: Decodable {
    struct Row: Decodable { var id: String; var text: String? }
    var rows: [Row]
  }

  func testEveryRowIsADocumentWithItsColumns() throws {
    let expected = try JSONDecoder().decode(
      Expected.self, from: Data(contentsOf: URL(fileURLWithPath: Self.parquetFixtures + "/expected.json")))
    let input = folder + "/in"
    try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
    for name in ["snappy-v1-dict.parquet", "gzip-v2-plain.parquet", "delta.parquet"] {
      try FileManager.default.copyItem(atPath: Self.parquetFixtures + "/" + name, toPath: input + "/" + name)
    }
    // The same file under a name that says nothing: found by its magic.
    try FileManager.default.copyItem(atPath: Self.parquetFixtures + "/brotli-v2-dict.parquet", toPath: input + "/export-0001")
    let workspace = try makeWorkspace()
    let summary = try ingest(workspace, options("pq", [input]) { $0.idField = "id" })
    // 10 rows per file: one null and one empty text each.
    XCTAssertEqual(summary.documents, 32)
    XCTAssertEqual(summary.rejectsByReason["null-text"], 4)
    XCTAssertEqual(summary.rejectsByReason["empty"], 4)
    XCTAssertEqual(summary.rejectsByReason["parquet-nested-skipped"], 3, "one note per file with the nested column (not delta.parquet)")
    let documents = try self.documents(workspace, source: "pq")
    let wanted = expected.rows.compactMap { row -> String? in row.text.flatMap { $0.isEmpty ? nil : $0 } }
    for name in ["brotli-v2-dict.parquet", "delta.parquet", "gzip-v2-plain.parquet", "snappy-v1-dict.parquet"] {
      let locator = name == "brotli-v2-dict.parquet" ? "in/export-0001" : "in/" + name
      let own = documents.filter { $0.metadata["path"]?.stringValue == locator }
      XCTAssertEqual(own.map(\.text), wanted.map { $0.replacingOccurrences(of: "\r\n", with: "\n") }, name)
      let first = try XCTUnwrap(own.first)
      XCTAssertEqual(first.metadata["format"]?.stringValue, "parquet")
      XCTAssertEqual(first.metadata["record_id"]?.stringValue, "doc-00")
      XCTAssertEqual(first.metadata["row_group"]?.intValue, 0)
      XCTAssertEqual(first.metadata["language"]?.stringValue, "en", "the lang column")
      let original = try XCTUnwrap(first.metadata["original"]?.objectValue)
      XCTAssertEqual(original["count"]?.intValue, 0)
      XCTAssertEqual(original["ts"]?.stringValue, "2024-01-01T12:00:00Z")
      XCTAssertEqual(original["flag"], .bool(true))
      XCTAssertNil(original["text"], "the text is the document, not metadata")
    }
    // Ingesting again: up to date; ids are stable.
    XCTAssertTrue(try ingest(workspace, options("pq", [input]) { $0.idField = "id" }).nothingToDo)
  }

  func testAMissingTextColumnAndADamagedFileAreRejectsNotFailures() throws {
    let input = folder + "/in"
    try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
    try FileManager.default.copyItem(atPath: Self.parquetFixtures + "/zstd-v1-plain.parquet", toPath: input + "/a.parquet")
    var damaged = Array(try Data(contentsOf: URL(fileURLWithPath: Self.parquetFixtures + "/none-v1-plain.parquet")))
    damaged.removeLast(20)
    try Data(damaged).write(to: URL(fileURLWithPath: input + "/b.parquet"))
    let workspace = try makeWorkspace()
    let summary = try ingest(workspace, options("pq", [input]) { $0.textField = "body" })
    XCTAssertEqual(summary.documents, 0)
    XCTAssertEqual(summary.rejectsByReason["no-text"], 1)
    XCTAssertEqual(summary.rejectsByReason["parquet-damaged"], 1)
    XCTAssertTrue(summary.rejectMessages.contains { $0.contains("a.parquet: no string column 'body' (columns: id, text, url,") }, "\(summary.rejectMessages)")
    XCTAssertTrue(summary.rejectMessages.contains { $0.contains("b.parquet: damaged Parquet: no PAR1 magic at the end") }, "\(summary.rejectMessages)")
  }
}
