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
    struct Row: Decodable {
      var id: String
      var text: String?
    }
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
    try FileManager.default.copyItem(
      atPath: Self.parquetFixtures + "/brotli-v2-dict.parquet", toPath: input + "/export-0001")
    let workspace = try makeWorkspace()
    let summary = try ingest(workspace, options("pq", [input]) { $0.idField = "id" })
    // 10 rows per file: one null and one empty text each.
    XCTAssertEqual(summary.documents, 32)
    XCTAssertEqual(summary.rejectCounts[.nullText], 4)
    XCTAssertEqual(summary.rejectCounts[.empty], 4)
    XCTAssertEqual(
      summary.rejectCounts[.parquetNestedSkipped], 3,
      "one note per file with the nested column (not delta.parquet)")
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
    try FileManager.default.copyItem(
      atPath: Self.parquetFixtures + "/zstd-v1-plain.parquet", toPath: input + "/a.parquet")
    var damaged = Array(try Data(contentsOf: URL(fileURLWithPath: Self.parquetFixtures + "/none-v1-plain.parquet")))
    damaged.removeLast(20)
    try Data(damaged).write(to: URL(fileURLWithPath: input + "/b.parquet"))
    let workspace = try makeWorkspace()
    let summary = try ingest(workspace, options("pq", [input]) { $0.textField = "body" })
    XCTAssertEqual(summary.documents, 0)
    XCTAssertEqual(summary.rejectCounts[.noText], 1)
    XCTAssertEqual(summary.rejectCounts[.parquetDamaged], 1)
    XCTAssertTrue(
      summary.rejectMessages.contains { $0.contains("a.parquet: no string column 'body' (columns: id, text, url,") },
      "\(summary.rejectMessages)")
    XCTAssertTrue(
      summary.rejectMessages.contains { $0.contains("b.parquet: damaged Parquet: no PAR1 magic at the end") },
      "\(summary.rejectMessages)")
  }
}

/// Common Crawl WET files: `conversion` records are documents, their text as it is.
final class WETIngestTests: IngestTestCase {
  private func record(type: String, headers: [(String, String)], block: String) -> String {
    var text = "WARC/1.0\r\nWARC-Type: \(type)\r\n"
    for (name, value) in headers { text += "\(name): \(value)\r\n" }
    return text + "Content-Length: \(block.utf8.count)\r\n\r\n" + block + "\r\n\r\n"
  }

  func testConversionRecordsAreDocumentsWithTheirHeaders() throws {
    let first = "Bread dough rises faster in the mountains.\nThe air pressure is lower there."
    let second = "Zweiter Text über Brot, auf Deutsch."
    let wet =
      record(
        type: "warcinfo",
        headers: [("WARC-Date", "2026-02-01T00:00:00Z"), ("Content-Type", "application/warc-fields")],
        block: "isPartOf: CC-MAIN-2026-05\r\n")
      + record(
        type: "conversion",
        headers: [
          ("WARC-Target-URI", "https://example.org/bread"), ("WARC-Date", "2026-02-01T10:00:00Z"),
          ("WARC-Record-ID", "<urn:uuid:11111111-1111-1111-1111-111111111111>"),
          ("WARC-Refers-To", "<urn:uuid:22222222-2222-2222-2222-222222222222>"),
          ("WARC-Identified-Content-Language", "eng"),
          ("Content-Type", "text/plain"),
        ], block: first)
      + record(
        type: "conversion",
        headers: [
          ("WARC-Target-URI", "https://example.de/brot"), ("WARC-Date", "2026-02-01T11:00:00Z"),
          ("WARC-Record-ID", "<urn:uuid:33333333-3333-3333-3333-333333333333>"),
          ("WARC-Identified-Content-Language", "deu,eng"),
          ("Content-Type", "text/plain"),
        ], block: second)
    let path = try write("crawl/CC-MAIN-test.warc.wet", wet)
    let workspace = try makeWorkspace()
    let summary = try ingest(workspace, options("wet", [path]))
    XCTAssertEqual(summary.documents, 2)
    XCTAssertEqual(summary.skipped["warc-warcinfo"], 1)
    let documents = try self.documents(workspace, source: "wet")
    XCTAssertEqual(documents.map(\.text), [first, second])
    XCTAssertEqual(documents[0].metadata["url"]?.stringValue, "https://example.org/bread")
    XCTAssertEqual(
      documents[0].metadata["warc_refers_to"]?.stringValue, "<urn:uuid:22222222-2222-2222-2222-222222222222>")
    XCTAssertEqual(documents[1].metadata["warc_identified_content_language"]?.stringValue, "deu,eng")
    XCTAssertEqual(documents[1].created, "2026-02-01T11:00:00Z")
    XCTAssertEqual(documents[0].metadata["format"]?.stringValue, "warc")
  }
}

extension ParquetIngestTests {
  func testALargeFileIsSplitByRowGroupsAndTasksWriteWhatOneProcessWrites() throws {
    var writer = ParquetWriter(
      columns: [.string("text", optional: false), ParquetWriter.ColumnSpec(name: "n", type: .int64)], codec: .zstd)
    for group in 0..<6 {
      try writer.write(
        rows: (0..<50).map { row in
          [
            .string(
              "Row \(row) of row group \(group): enough words to make the group a few kilobytes once compressed \(row * group)."
            ),
            .int64(Int64(group * 50 + row)),
          ]
        })
    }
    let path = try write("in/big.parquet", writer.finish())
    let plan = try InputPlan(paths: [path], format: nil, partBytes: 1500)
    XCTAssertGreaterThan(plan.parts.count, 1, "the row groups are cut into parts")
    XCTAssertEqual(plan.files.compactMap(\.rowGroups).map(\.count).reduce(0, +), 6, "every row group once")
    let one = try makeWorkspace("one")
    let summary = try ingest(one, options("p", [path]) { $0.partBytes = 1500 })
    XCTAssertEqual(summary.documents, 300)
    let documents = try self.documents(one, source: "p")
    XCTAssertEqual(
      documents.map { $0.metadata["line"]?.intValue ?? 0 }, Array(1...300), "rows numbered over the whole file")
    XCTAssertEqual(documents.last?.metadata["original"]?.objectValue?["n"]?.intValue, 299)
    let split = try makeWorkspace("split")
    _ = try ingest(
      split,
      options("p", [path]) {
        $0.partBytes = 1500
        $0.step = .register
      })
    for task in 0..<3 {
      _ = try ingest(
        split,
        options("p", [path]) {
          $0.partBytes = 1500
          $0.task = task
          $0.tasks = 3
          $0.step = .task
        })
    }
    _ = try ingest(
      split,
      options("p", [path]) {
        $0.partBytes = 1500
        $0.tasks = 3
        $0.step = .merge
      })
    XCTAssertEqual(try partFiles(split, source: "p"), try partFiles(one, source: "p"))
  }
}
