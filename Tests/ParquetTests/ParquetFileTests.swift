import Foundation
import HatcheryCore
import XCTest

@testable import Parquet

/// The reader against files pyarrow wrote (Fixtures/make_fixtures.py): every codec, data pages
/// v1 and v2, dictionary on and off, page CRCs, the DELTA and BYTE_STREAM_SPLIT encodings,
/// nulls, several row groups, a nested column; the values must be what pyarrow reads back
/// (Fixtures/expected.json).
final class ParquetFileTests: XCTestCase {
  static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures").path

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
    try JSONDecoder().decode(Expected.self, from: Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/expected.json")))
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
