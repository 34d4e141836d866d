import Foundation
import HatcheryCore
import HatcheryTestSupport
import Ingest
import Logging
import Parquet
import XCTest

@testable import Shards

/// `export parquet|jsonl`: the kept documents, byte-identical, with their licence; N tasks write
/// the files one process writes; the dataset card describes what was exported.
final class DatasetExportTests: XCTestCase {
  private var fixture: IngestedWorkspace!
  private var folder: String { fixture.folder }
  private var workspace: Workspace { fixture.workspace }

  override func setUpWithError() throws {
    let files = (0..<12).map { number in
      (
        "d\(number).txt",
        (0..<(5 + number)).map { "Export document \(number), line \($0): ünïcode and plain words." }
          .joined(separator: "\n")
      )
    }
    fixture = try IngestedWorkspace("export", files: files) {
      $0.partBytes = 1
      $0.declaredLicense = "CC-BY-4.0"
    }
  }

  override func tearDown() { fixture?.remove() }

  /// (id, text, license) of every row of every exported Parquet file, by id.
  private func rows(_ output: String) throws -> [String: (text: String, license: String?)] {
    var rows: [String: (String, String?)] = [:]
    for name in try FileManager.default.contentsOfDirectory(atPath: output + "/data") where name.hasSuffix(".parquet") {
      let file = try ParquetFile(path: output + "/data/" + name)
      XCTAssertEqual(
        file.columns.map(\.name),
        ["id", "text", "source", "url", "license", "language", "added", "created", "metadata"])
      for group in file.metadata.rowGroups.indices {
        func strings(_ name: String) throws -> [String?] {
          let column = file.columns.first { $0.name == name }!
          let (present, data) = try file.read(rowGroup: group, column: column)
          guard case .bytes(let values) = data else { return [] }
          var next = 0
          return (0..<Int(file.metadata.rowGroups[group].rowCount)).map { row in
            guard present?[row] ?? true else { return nil }
            defer { next += 1 }
            return String(decoding: values.data[values.range(next)], as: UTF8.self)
          }
        }
        let (ids, texts, licences) = (try strings("id"), try strings("text"), try strings("license"))
        for index in ids.indices { rows[ids[index]!] = (texts[index]!, licences[index]) }
      }
    }
    return rows
  }

  func testTheKeptDocumentsAreExportedByteIdenticalWithACard() throws {
    let output = folder + "/out"
    var options = DatasetExport.Options()
    options.rowsPerFile = 1
    let summary = try DatasetExport.export(workspace: workspace, to: output, options: options)
    XCTAssertEqual(summary.documents, 12)
    XCTAssertEqual(summary.files.count, 12, "one file per part of one document")
    let exported = try rows(output)
    let store = try workspace.openStoreForReading()
    for document in try store.documents(sourceID: try XCTUnwrap(store.source(named: "s")).id) {
      let number = Int(document.path.split(separator: "d").last!.split(separator: ".").first!)!
      let text = (0..<(5 + number)).map { "Export document \(number), line \($0): ünïcode and plain words." }.joined(
        separator: "\n")
      XCTAssertEqual(exported[document.id]?.text, text)
      XCTAssertNil(exported[document.id]?.license ?? nil, "not tagged: no effective licence yet")
    }
    let card = try String(contentsOfFile: output + "/README.md", encoding: .utf8)
    XCTAssertTrue(card.hasPrefix("---\n"), card)
    for line in [
      "size_categories:\n- n<1K", "task_categories:\n- text-generation", "pretty_name: ws", "path: \"data/*\"",
      "- exported: 12",
    ] {
      XCTAssertTrue(card.contains(line), line)
    }
  }

  func testTasksWriteWhatOneProcessWrites() throws {
    var options = DatasetExport.Options()
    options.rowsPerFile = 3
    _ = try DatasetExport.export(workspace: workspace, to: folder + "/one", options: options)
    options.tasks = 3
    for task in 0..<3 {
      options.task = task
      _ = try DatasetExport.export(workspace: workspace, to: folder + "/split", options: options)
    }
    let one = try FileManager.default.contentsOfDirectory(atPath: folder + "/one/data").sorted()
    XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder + "/split/data").sorted(), one)
    for name in one {
      XCTAssertEqual(
        try Data(contentsOf: URL(fileURLWithPath: folder + "/one/data/" + name)),
        try Data(contentsOf: URL(fileURLWithPath: folder + "/split/data/" + name)), name)
    }
    XCTAssertFalse(
      FileManager.default.fileExists(atPath: folder + "/split/README.md"), "a task writes only its own files")
    // JSONL: Dolma's lines.
    options = DatasetExport.Options()
    options.format = .jsonl
    let jsonl = try DatasetExport.export(workspace: workspace, to: folder + "/jsonl", options: options)
    XCTAssertEqual(jsonl.documents, 12)
    let reader = try DocumentPartReader(path: jsonl.files[0])
    let first = try XCTUnwrap(try reader.next())
    XCTAssertEqual(first.source, "s")
    XCTAssertTrue(first.metadata.members.contains { $0.0 == "license" })
  }
}
