import Foundation
import XCTest

@testable import Tokenizer

/// `tokenizer encode`'s documents and `decode`'s ids, as the module reads and writes them.
final class BatchEncodingTests: XCTestCase {
  func testFilesOrTheirLinesAreDocumentsAndIdsRoundTrip() throws {
    let folder = NSTemporaryDirectory() + "hatchery-batch-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try "one\n\ntwo\nthree".write(toFile: folder + "/a.txt", atomically: false, encoding: .utf8)
    try "four\n".write(toFile: folder + "/b.txt", atomically: false, encoding: .utf8)
    let files = try BatchEncoding(inputs: [folder + "/a.txt", folder + "/b.txt"], lines: false)
    XCTAssertEqual(files.documents, [0..<14, 14..<19])
    let lines = try BatchEncoding(inputs: [folder + "/a.txt", folder + "/b.txt"], lines: true)
    XCTAssertEqual(
      lines.documents.map { String(decoding: lines.text[$0], as: UTF8.self) }, ["one", "two", "three", "four"])
    XCTAssertThrowsError(try BatchEncoding(inputs: [folder + "/missing.txt"], lines: false)) {
      XCTAssertTrue("\($0)".contains("missing.txt"), "\($0)")
    }
    try BatchEncoding.write([0, 1, 70_000, .max], to: folder + "/ids.bin")
    XCTAssertEqual(try BatchEncoding.readIDs(folder + "/ids.bin"), [0, 1, 70_000, .max])
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: folder + "/odd.bin"))
    XCTAssertThrowsError(try BatchEncoding.readIDs(folder + "/odd.bin")) {
      XCTAssertEqual(
        $0 as? TokenizerError,
        .badFile(path: folder + "/odd.bin", line: nil, reason: "3 bytes is not a whole number of uint32 ids"))
    }
  }
}
