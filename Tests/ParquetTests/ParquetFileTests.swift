import Foundation
import HatcheryCore
import XCTest

@testable import Parquet

/// The reader against files pyarrow wrote (Fixtures/make_fixtures.py): every codec, data pages
/// v1 and v2, dictionary on and off, page CRCs, the DELTA and BYTE_STREAM_SPLIT encodings,
/// nulls, several row groups, a nested column; the values must be what pyarrow reads back
/// (Fixtures/expected.json).
final class ParquetFileTests: XCTestCase {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    .path

  struct Expected: Decodable {
    struct Row: Decodable {
      var id: String
      var text: String?
      var url: String?
      var score: Double
      var count: Int64
      var small: Int32
      var flag: Bool
      var ts: String
      var lang: String
    }
    var rows: [Row]
    var files: [String]
  }

  private func expected() throws -> Expected {
    try JSONDecoder().decode(
      Expected.self, from: Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/expected.json")))
  }

  /// Every row of every row group, as (column → value text), nulls as nil.
  private func rows(_ file: ParquetFile) throws -> [[String: String?]] {
    var rows: [[String: String?]] = []
    for group in 0..<file.metadata.rowGroups.count {
      var columns: [String: [String?]] = [:]
      let count = Int(file.metadata.rowGroups[group].rowCount)
      for column in file.columns {
        let (present, data) = try file.read(rowGroup: group, column: column)
        var texts: [String?] = []
        var next = 0
        for row in 0..<count {
          guard present?[row] ?? true else {
            texts.append(nil)
            continue
          }
          defer { next += 1 }
          switch data {
          case .bytes(let values): texts.append(String(decoding: values.data[values.range(next)], as: UTF8.self))
          case .boolean(let values): texts.append(String(values[next]))
          case .int32(let values): texts.append(String(values[next]))
          case .int64(let values): texts.append(String(values[next]))
          case .double(let values): texts.append(String(values[next]))
          case .float(let values): texts.append(String(values[next]))
          case .int96: texts.append("int96")
          }
        }
        columns[column.name] = texts
      }
      for row in 0..<count { rows.append(columns.mapValues { $0[row] }) }
    }
    return rows
  }

  func testEveryCodecPageVersionAndEncodingReadsWhatPyarrowWrote() throws {
    let expected = try expected()
    XCTAssertEqual(expected.files.count, 25)
    for name in expected.files {
      let file = try ParquetFile(path: Self.fixtures + "/" + name)
      XCTAssertEqual(file.metadata.rowCount, 10, name)
      if name != "delta.parquet" {
        XCTAssertEqual(file.metadata.rowGroups.count, 3, "\(name): row groups of 4")
        XCTAssertEqual(file.skipped, ["tags.list.element"], "\(name): the nested column is named, not read")
      }
      let got = try rows(file)
      XCTAssertEqual(got.count, 10, name)
      for (row, want) in zip(got, expected.rows) {
        XCTAssertEqual(row["id"], want.id, name)
        XCTAssertEqual(row["text"] ?? nil, want.text, "\(name) \(want.id)")
        XCTAssertEqual(row["url"] ?? nil, want.url, name)
        XCTAssertEqual(row["score"] ?? nil, String(want.score), name)
        XCTAssertEqual(row["count"] ?? nil, String(want.count), name)
        XCTAssertEqual(row["small"] ?? nil, String(want.small), name)
        XCTAssertEqual(row["flag"] ?? nil, String(want.flag), name)
        XCTAssertEqual(row["lang"] ?? nil, want.lang, name)
      }
    }
  }

  func testTheSchemaTellsTypesAndNullability() throws {
    let file = try ParquetFile(path: Self.fixtures + "/zstd-v2-dict.parquet")
    let byName = Dictionary(uniqueKeysWithValues: file.columns.map { ($0.name, $0) })
    XCTAssertEqual(byName["text"]?.type, .byteArray)
    XCTAssertEqual(byName["text"]?.logical, .string)
    XCTAssertEqual(byName["text"]?.optional, true)
    XCTAssertEqual(byName["ts"]?.logical, .timestampMicros)
    XCTAssertEqual(byName["count"]?.type, .int64)
    XCTAssertEqual(file.columns.map(\.name), ["id", "text", "url", "score", "count", "small", "flag", "ts", "lang"])
  }
}

extension ParquetFileTests {
  /// Rows written by ParquetWriter read back equal, for each codec it writes.
  func testTheWriterRoundTrips() throws {
    let columns: [ParquetWriter.ColumnSpec] = [
      .string("id", optional: false), .string("text"), ParquetWriter.ColumnSpec(name: "n", type: .int64),
      ParquetWriter.ColumnSpec(name: "x", type: .double),
      ParquetWriter.ColumnSpec(name: "ok", type: .boolean, optional: false),
      .string("lang"),
    ]
    var rows: [[ParquetWriter.Value]] = []
    for index in 0..<25 {
      let text: ParquetWriter.Value = index % 7 == 3 ? .null : .string("text number \(index) — ünï")
      let number: ParquetWriter.Value = index % 5 == 0 ? .null : .int64(Int64(index) * -3)
      // `lang` repeats: dictionary-encoded, with a null now and then.
      let lang: ParquetWriter.Value = index % 11 == 4 ? .null : .string(["en", "de", "fr"][index % 3])
      rows.append([.string("r\(index)"), text, number, .double(Double(index) / 8), .boolean(index % 3 == 0), lang])
    }
    // Pages of 64 bytes: a column chunk of several pages; two threads write the same bytes as one.
    for codec in [Codec.uncompressed, .snappy, .zstd] {
      var files: [[UInt8]] = []
      for (pageBytes, threads) in [(1 << 20, 1), (64, 1), (64, 2)] {
        var writer = ParquetWriter(columns: columns, codec: codec)
        writer.pageBytes = pageBytes
        writer.threads = threads
        try writer.write(rows: Array(rows[0..<10]))
        try writer.write(rows: Array(rows[10...]))
        files.append(writer.finish())
      }
      XCTAssertEqual(files[1], files[2], "\(codec): the bytes do not depend on the threads")
      XCTAssertNotEqual(files[0], files[1])
      for bytes in files[..<2] { try checkRoundTrip(bytes, columns: columns, rows: rows, codec: codec) }
    }
  }

  private func checkRoundTrip(
    _ bytes: [UInt8], columns: [ParquetWriter.ColumnSpec], rows: [[ParquetWriter.Value]], codec: Codec
  ) throws {
    do {
      let path = NSTemporaryDirectory() + "hatchery-parquet-\(codec)-\(UUID().uuidString).parquet"
      try Data(bytes).write(to: URL(fileURLWithPath: path))
      defer { try? FileManager.default.removeItem(atPath: path) }
      let file = try ParquetFile(path: path)
      XCTAssertEqual(file.metadata.rowCount, 25)
      XCTAssertNotNil(
        file.metadata.rowGroups[0].columns[5].dictionaryPageOffset, "the repeated strings have a dictionary")
      XCTAssertNil(file.metadata.rowGroups[0].columns[0].dictionaryPageOffset, "distinct ids do not")
      XCTAssertEqual(file.metadata.rowGroups.count, 2)
      let got = try self.rows(file)
      for (row, want) in zip(got, rows) {
        func text(_ value: ParquetWriter.Value) -> String? {
          switch value {
          case .null: nil
          case .string(let text): text
          case .int64(let number): String(number)
          case .double(let number): String(number)
          case .boolean(let flag): String(flag)
          }
        }
        for (index, column) in columns.enumerated() {
          XCTAssertEqual(row[column.name] ?? nil, text(want[index]), "\(codec) \(column.name)")
        }
      }
    }
  }
}
