import Foundation
import GRDB
import HatcheryCore
import XCTest

@testable import Ingest

final class IngestStageTests: IngestTestCase {
  var corpus: String { Self.fixtures + "/corpus" }

  func testFixtureCorpusBecomesDocumentsAndRecordedRejects() throws {
    let workspace = try makeWorkspace()
    let summary = try ingest(workspace, options("fixtures", [corpus]) { $0.declaredLicense = "CC0-1.0" })
    XCTAssertEqual(summary.files, 10, "the hidden file is skipped")
    XCTAssertEqual(summary.documents, 32)
    XCTAssertEqual(summary.repairedDocuments, 1)
    XCTAssertEqual(
      summary.rejectCounts,
      [.binary: 1, .empty: 3, .noText: 1, .notJSON: 2, .truncated: 1])
    XCTAssertEqual(
      try documents(workspace, source: "fixtures").first {
        $0.metadata["path"]?.stringValue == "corpus/notes/page.html"
      }?.text,
      "Web pages are read for their main content, which this paragraph is.")

    let documents = try documents(workspace, source: "fixtures")
    XCTAssertEqual(documents.count, 32)
    let byPath = Dictionary(grouping: documents) { $0.metadata["path"]?.stringValue ?? "" }
    XCTAssertEqual(
      byPath["corpus/notes/windows.txt"]?.first?.text,
      "Hatchery reads plain text files as one document each.\nThis file uses Windows line ends, which become \\n.\nThe last line has none."
    )
    XCTAssertEqual(byPath["corpus/notes/decomposed.txt"]?.first?.text.hasPrefix("Café au lait"), true)
    XCTAssertEqual(
      byPath["corpus/notes/invalid-utf8.txt"]?.first?.text,
      "Bytes that are not UTF-8: \u{FFFD}\u{FFFD} and a cut sequence \u{FFFD} end here.\n")
    XCTAssertEqual(byPath["corpus/records/hf.json.gz"]?.count, 3, "both gzip members are read")
    XCTAssertEqual(byPath["corpus/records/truncated.jsonl.gz"]?.count, 21, "records before the cut are kept")

    // A Dolma record keeps its own id, metadata and created date.
    let dolma = try XCTUnwrap(byPath["corpus/records/dolma.jsonl"]?.first)
    XCTAssertEqual(dolma.text, "The first record, in Dolma's layout.")
    XCTAssertEqual(dolma.created, "2023-05-06T00:00:00Z")
    XCTAssertEqual(dolma.added, "2026-01-01T00:00:00Z")
    XCTAssertEqual(dolma.source, "fixtures")
    XCTAssertEqual(dolma.metadata["line"], .int(1))
    XCTAssertEqual(dolma.metadata["url"], .string("https://example.org/one"))
    XCTAssertEqual(dolma.metadata["language"], .string("en"))
    let original = try XCTUnwrap(dolma.metadata["original"]?.objectValue)
    XCTAssertEqual(original["id"], .string("dolma-1"))
    XCTAssertEqual(original["metadata"]?.objectValue?["lang"], .string("en"))
    XCTAssertNil(original["text"])

    // Store rows: one per document, with locator, checksums and sizes.
    let store = try workspace.openStore()
    let source = try XCTUnwrap(try store.source(named: "fixtures"))
    XCTAssertEqual(source.declaredLicense, "CC0-1.0")
    XCTAssertNotNil(source.checksum)
    let rows = try store.documents(sourceID: source.id)
    XCTAssertEqual(rows.map(\.id), documents.map(\.id))
    let windows = try XCTUnwrap(rows.first { $0.path == "corpus/notes/windows.txt" })
    let raw = try Data(contentsOf: URL(fileURLWithPath: corpus + "/notes/windows.txt"))
    XCTAssertEqual(windows.originalSHA256, raw.withUnsafeBytes { SHA256Hasher.hash($0).hex })
    XCTAssertEqual(windows.originalBytes, raw.count)
    XCTAssertEqual(windows.bytes, raw.count - 2, "two CRLFs became LFs")
    XCTAssertEqual(windows.sha256, SHA256Hasher.hash(byPath["corpus/notes/windows.txt"]!.first!.text).hex)
    let decomposed = try XCTUnwrap(rows.first { $0.path == "corpus/notes/decomposed.txt" })
    XCTAssertEqual(decomposed.chars, byPath["corpus/notes/decomposed.txt"]!.first!.text.unicodeScalars.count)
    XCTAssertEqual(rows.first { $0.path == "corpus/notes/invalid-utf8.txt" }?.repaired, 3)
    let record = try XCTUnwrap(rows.first { $0.path == "corpus/records/dolma.jsonl" && $0.line == 3 })
    XCTAssertEqual(record.byteOffset, 195)
    XCTAssertEqual(record.title, "Second")

    // Every reject has file, position and a one-line reason.
    let rejects = try store.rejects(stage: "ingest", sourceID: source.id)
    XCTAssertEqual(rejects.count, 8)
    for reject in rejects {
      XCTAssertFalse(reject.detail.contains("\n"))
      XCTAssertTrue(reject.detail.hasPrefix(corpus), reject.detail)
    }
    let notJSON = rejects.filter { IngestRejectReason(rawValue: $0.reason) == .notJSON }
    XCTAssertEqual(notJSON.map(\.line), [4, 8])
    XCTAssertEqual(rejects.first { IngestRejectReason(rawValue: $0.reason) == .truncated }?.line, 22)
    let runs = try store.stageRuns(stage: "ingest", scope: "fixtures")
    XCTAssertEqual(runs.count, 1)
    XCTAssertEqual(runs.first?.status, .completed)
    XCTAssertEqual(runs.first?.toolVersion, HatcheryVersion.current)
    XCTAssertTrue(runs.first?.counts?.contains("\"documents\":32") == true)
  }

  func testIdsAndPartFilesAreTheSameOnEveryRun() throws {
    let first = try makeWorkspace("first")
    let second = try makeWorkspace("second")
    _ = try ingest(first, options("fx", [corpus]) { $0.partBytes = 100 })
    _ = try ingest(
      second,
      options("fx", [corpus]) {
        $0.partBytes = 100
        $0.threads = 1
      })
    let files = try partFiles(first, source: "fx")
    XCTAssertGreaterThan(files.count, 3)
    XCTAssertEqual(files, try partFiles(second, source: "fx"))
    XCTAssertEqual(try documents(first, source: "fx").map(\.id), try documents(second, source: "fx").map(\.id))
    _ = try ingest(
      first,
      options("fx", [corpus]) {
        $0.partBytes = 100
        $0.force = true
      })
    XCTAssertEqual(files, try partFiles(first, source: "fx"), "a forced re-run writes the same bytes")
    let ids = try documents(first, source: "fx").map(\.id)
    XCTAssertEqual(Set(ids).count, ids.count)
    XCTAssertEqual(ids.first.map { $0.count }, 32)
  }

  func testRerunDoesNothingAndForceRedoes() throws {
    let workspace = try makeWorkspace()
    let first = try ingest(workspace, options("fx", [corpus]) { $0.partBytes = 300 })
    XCTAssertFalse(first.nothingToDo)
    let again = try ingest(workspace, options("fx", [corpus]) { $0.partBytes = 300 })
    XCTAssertTrue(again.nothingToDo)
    XCTAssertEqual(again.partsUpToDate, first.partsWritten)
    XCTAssertTrue(again.text.contains("nothing to do"))
    let store = try workspace.openStore()
    XCTAssertEqual(try store.stageRuns(stage: "ingest").count, 1, "a run that does nothing records nothing")
    let forced = try ingest(
      workspace,
      options("fx", [corpus]) {
        $0.partBytes = 300
        $0.force = true
      })
    XCTAssertEqual(forced.partsWritten, first.partsWritten)
    XCTAssertEqual(forced.documents, first.documents)
    let source = try XCTUnwrap(try store.source(named: "fx"))
    XCTAssertEqual(try store.documents(sourceID: source.id).count, first.documents, "no document twice")
    XCTAssertEqual(try store.rejects(stage: "ingest").count, first.rejected, "no reject twice")
  }

  func testChangedInputsRedoOnlyTheirPartsAndRemovedInputsTheirs() throws {
    let workspace = try makeWorkspace()
    for index in 0..<4 { try write("in/file-\(index).txt", "Text number \(index).\n") }
    let adjust: (inout IngestOptions) -> Void = { $0.partBytes = 1 }  // one file per part
    XCTAssertEqual(try ingest(workspace, options("s", [folder + "/in"], adjust)).partsWritten, 4)
    try write("in/file-1.txt", "Text number one, changed.\n")
    let changed = try ingest(workspace, options("s", [folder + "/in"], adjust))
    XCTAssertEqual(changed.partsWritten, 1)
    XCTAssertEqual(changed.partsUpToDate, 3)
    XCTAssertEqual(try documents(workspace, source: "s").map(\.text)[1], "Text number one, changed.\n")
    try FileManager.default.removeItem(atPath: folder + "/in/file-3.txt")
    let removed = try ingest(workspace, options("s", [folder + "/in"], adjust))
    XCTAssertEqual(removed.partsRemoved, 1)
    XCTAssertEqual(try documents(workspace, source: "s").count, 3)
    let store = try workspace.openStore()
    XCTAssertEqual(try store.documents(sourceID: try store.source(named: "s")!.id).count, 3)
  }

  func testTasksTogetherWriteExactlyWhatOneRunWrites() throws {
    let single = try makeWorkspace("single")
    let split = try makeWorkspace("split")
    let adjust: (inout IngestOptions) -> Void = { $0.partBytes = 200 }
    let whole = try ingest(single, options("fx", [corpus], adjust))
    var documents = 0
    for task in 0..<3 {
      documents += try ingest(
        split,
        options("fx", [corpus]) {
          adjust(&$0)
          $0.task = task
          $0.tasks = 3
        }
      ).documents
    }
    XCTAssertEqual(documents, whole.documents)
    XCTAssertEqual(try partFiles(single, source: "fx"), try partFiles(split, source: "fx"))
    let rows = { (workspace: Workspace) throws -> [DocumentRecord] in
      let store = try workspace.openStore()
      return try store.documents(sourceID: try store.source(named: "fx")!.id)
    }
    XCTAssertEqual(try rows(single).map(\.id), try rows(split).map(\.id))
    XCTAssertEqual(try rows(single).map(\.sha256), try rows(split).map(\.sha256))
  }

  func testInvalidUTF8CanBeRejectedInstead() throws {
    let workspace = try makeWorkspace()
    try write("in/bad.txt", [0x6F, 0x6B, 0x20, 0xC3, 0x28, 0x0A])
    try write("in/bad.jsonl", [0x7B, 0x22, 0x74, 0x65, 0x78, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D, 0x0A])
    try write("in/good.txt", "fine\n")
    let summary = try ingest(workspace, options("s", [folder + "/in"]) { $0.rejectInvalidUTF8 = true })
    XCTAssertEqual(summary.documents, 1)
    XCTAssertEqual(summary.rejectCounts, [.invalidUTF8: 2])
    let rejects = try workspace.openStore().rejects(stage: "ingest")
    XCTAssertEqual(rejects.first { $0.path == "in/bad.txt" }?.byteOffset, 3)
    XCTAssertEqual(rejects.first { $0.path == "in/bad.jsonl" }?.line, 1)
  }

  func testUnreadableAndCorruptFilesAreRecordedAndTheRestKept() throws {
    let workspace = try makeWorkspace()
    let good = try write("in/good.txt", "A good document.\n")
    // A compressed text file whose middle is damaged.
    let zstPath = folder + "/in/damaged.txt.zst"
    let output = try AtomicFileOutput(path: zstPath)
    let writer = ZstdWriter(output: output, compressor: try ZstdCompressor())
    var text: [UInt8] = []
    for index in 0..<5000 { text += Array("line \(index) \(index * 31 % 97)\n".utf8) }
    try text.withUnsafeBytes { try writer.write($0) }
    try writer.finish()
    _ = try output.commit()
    var damaged = try Array(Data(contentsOf: URL(fileURLWithPath: zstPath)))
    for index in stride(from: 50, to: damaged.count - 8, by: 41) { damaged[index] ^= 0xA5 }
    try write("in/damaged.txt.zst", damaged)
    // /proc/self/mem opens but cannot be read at offset 0: a real unreadable file, even for root.
    let summary = try ingest(workspace, options("s", [good, zstPath, "/proc/self/mem"]))
    XCTAssertEqual(summary.documents, 1)
    XCTAssertEqual(summary.rejectCounts, [.corrupt: 1, .unreadable: 1])
    let rejects = try workspace.openStore().rejects(stage: "ingest")
    XCTAssertEqual(Set(rejects.map(\.path)), ["damaged.txt.zst", "mem"])
    XCTAssertTrue(rejects.allSatisfy { !$0.detail.isEmpty && !$0.detail.contains("\n") })
  }

  func testZstdCompressedInputsAreRead() throws {
    let workspace = try makeWorkspace()
    let path = folder + "/in/records.jsonl.zst"
    let output = try AtomicFileOutput(path: path)
    let writer = ZstdWriter(output: output, compressor: try ZstdCompressor())
    let lines = (0..<500).map { "{\"text\":\"record \($0)\"}\n" }.joined()
    try Array(lines.utf8).withUnsafeBytes { try writer.write($0) }
    try writer.finish()
    _ = try output.commit()
    let summary = try ingest(workspace, options("s", [folder + "/in"]))
    XCTAssertEqual(summary.documents, 500)
    XCTAssertEqual(summary.rejected, 0)
    let documents = try documents(workspace, source: "s")
    XCTAssertEqual(documents.last?.text, "record 499")
    XCTAssertEqual(documents.last?.metadata["line"], .int(500))
  }

  func testLargeTextFilesAreCutAtLineEndsIntoSeveralDocuments() throws {
    let workspace = try makeWorkspace()
    var text = ""
    for index in 0..<200 { text += "Line \(index) of a long book, é.\r\n" }
    try write("in/long.txt", text)
    let summary = try ingest(workspace, options("s", [folder + "/in"]) { $0.maximumDocumentBytes = 1024 })
    let documents = try documents(workspace, source: "s")
    XCTAssertEqual(summary.documents, documents.count)
    XCTAssertGreaterThan(documents.count, 5)
    XCTAssertEqual(documents.map(\.text).joined(), text.replacingOccurrences(of: "\r\n", with: "\n"))
    XCTAssertTrue(documents.allSatisfy { $0.text.hasSuffix("\n") && $0.text.utf8.count <= 1024 })
    XCTAssertEqual(Set(documents.map(\.id)).count, documents.count)
    var offset = 0
    for document in documents {
      XCTAssertEqual(document.metadata["offset"], .int(offset))
      offset += document.text.utf8.count + document.text.components(separatedBy: "\n").count - 1  // CRLF in the input
    }
  }

  func testOversizedJSONLRecordsAreRejectedAndTheNextOnesKept() throws {
    let workspace = try makeWorkspace()
    let big = String(repeating: "word ", count: 1000)
    try write("in/records.jsonl", "{\"text\":\"\(big)\"}\n{\"text\":\"small\"}\n")
    let summary = try ingest(workspace, options("s", [folder + "/in"]) { $0.maximumDocumentBytes = 1024 })
    XCTAssertEqual(summary.rejectCounts, [.tooLarge: 1])
    XCTAssertEqual(try documents(workspace, source: "s").map(\.text), ["small"])
  }

  func testALeftoverPartFromAKilledRunIsRedoneAndCountedOnce() throws {
    let workspace = try makeWorkspace()
    for index in 0..<3 { try write("in/file-\(index).txt", "Text number \(index).\n") }
    let adjust: (inout IngestOptions) -> Void = { $0.partBytes = 1 }
    _ = try ingest(workspace, options("s", [folder + "/in"], adjust))
    // What a kill leaves: a part file renamed into place but never committed, and a temporary
    // file of a process that no longer exists.
    let store = try workspace.openStore()
    let source = try XCTUnwrap(try store.source(named: "s"))
    try store.removePart(sourceID: source.id, part: 2)
    try write("ws/docs/s/part-00002.jsonl.zst.tmp-999999", "half a part")
    let resumed = try ingest(workspace, options("s", [folder + "/in"], adjust))
    XCTAssertEqual(resumed.partsWritten, 1)
    XCTAssertEqual(resumed.partsUpToDate, 2)
    XCTAssertEqual(try store.documents(sourceID: source.id).count, 3)
    XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/ws/docs/s/part-00002.jsonl.zst.tmp-999999"))
  }

  func testBadOptionsAreRefusedWithOneLine() throws {
    let workspace = try makeWorkspace()
    try FileManager.default.createDirectory(atPath: folder + "/empty", withIntermediateDirectories: true)
    try write("hidden-only/.cache", "x")
    for options in [
      options("bad name", [corpus]), options("s", []), options("s", [folder + "/missing"]),
      options("s", [folder + "/empty"]), options("s", [folder + "/hidden-only"]),
      options("s", [corpus]) { $0.declaredLicense = "MIT; DROP TABLE" }, options("s", [corpus]) { $0.task = 3 },
    ] {
      XCTAssertThrowsError(try ingest(workspace, options)) { error in
        XCTAssertFalse("\(error)".isEmpty)
        XCTAssertFalse("\(error)".contains("\n"))
      }
    }
  }
}
