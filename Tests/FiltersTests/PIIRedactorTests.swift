import Foundation
import HatcheryCore
import Ingest
import Logging
import XCTest

@testable import Filters

final class PIIRedactorTests: XCTestCase {
  private func redact(_ text: String, allowed: Set<String> = []) -> (String, [PIIRedactor.Kind: Int]) {
    var text = text
    let (bytes, counts) = text.withUTF8 { PIIRedactor(allowed: allowed).redact(UnsafeRawBufferPointer($0)) }
    return (String(decoding: bytes, as: UTF8.self), counts)
  }

  func testAddressesAndNumbersAreReplaced() {
    XCTAssertEqual(redact("Write to jane.doe+news@mail.example.co.uk today.").0, "Write to <EMAIL_ADDRESS> today.")
    XCTAssertEqual(redact("Server 192.168.1.20, then 10.0.0.1.").0, "Server <IP_ADDRESS>, then <IP_ADDRESS>.")
    XCTAssertEqual(redact("Use 2001:db8:85a3::8a2e:370:7334 or ::1 now").0, "Use <IP_ADDRESS> or <IP_ADDRESS> now")
    XCTAssertEqual(redact("Full fe80:0:0:0:202:b3ff:fe1e:8329 form").0, "Full <IP_ADDRESS> form")
    XCTAssertEqual(
      redact("Call +44 20 7946 0958 or (555) 123-4567 or 555-123-4567.").0,
      "Call <PHONE_NUMBER> or <PHONE_NUMBER> or <PHONE_NUMBER>.")
    let (_, counts) = redact("a@b.org c@d.net 1.2.3.4 +1 212 555 0100")
    XCTAssertEqual(counts, [.email: 2, .ipv4: 1, .phone: 1])
  }

  func testNearMissesStay() {
    for text in [
      "Follow @username and user@localhost and a@b.c on the forum.",
      "Version 1.2.3.4.5 and 1.2.3 and 256.1.1.1 and 01.2.3.4 are not addresses.",
      "At 12:30:45 the MAC 00:1a:2b:3c:4d:5e and the hash a:b:c were logged.",
      "Published 2024-01-15, ISBN 978-3-16-148410-0, order 12345678, pi 3.14159.",
      "The range 555-1234 and 1-800 are incomplete; so is +12 34.",
    ] {
      XCTAssertEqual(redact(text).0, text, text)
    }
  }

  func testAllowedDomainsAndAddressesStay() {
    let text = "Report bugs to bug-coreutils@gnu.org or licensing@fsf.org; write to admin@corp.example."
    XCTAssertEqual(
      redact(text, allowed: ["gnu.org", "licensing@fsf.org"]).0,
      "Report bugs to bug-coreutils@gnu.org or licensing@fsf.org; write to <EMAIL_ADDRESS>.")
  }
}

final class PIIStageTests: XCTestCase {
  func testTheStageWritesARedactedVersionAndKeepsTheOriginal() throws {
    let folder = NSTemporaryDirectory() + "hatchery-pii-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.createDirectory(atPath: folder + "/in", withIntermediateDirectories: true)
    let text = "Mail jane@corp.example or bugs@gnu.org, call (555) 123-4567, server 10.1.2.3."
    try text.write(toFile: folder + "/in/contact.txt", atomically: false, encoding: .utf8)
    let workspace = try Workspace.create(at: folder + "/ws")
    _ = try IngestStage.run(
      workspace: workspace, options: IngestOptions(source: "s", paths: [folder + "/in"]),
      logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, showProgress: false)
    let config = try FilterConfig.parse("rules: []\npii:\n  allow: [gnu.org]\n")
    let summary = try FilterStage.run(workspace: workspace, config: config)
    XCTAssertEqual(summary.redacted, ["email": 1, "phone": 1, "ipv4": 1])
    let store = try workspace.openStore()
    let source = try XCTUnwrap(try store.source(named: "s"))
    let document = try XCTUnwrap(try store.documents(sourceID: source.id).first)
    XCTAssertEqual(try store.redactionCounts(documentID: document.id), ["email": 1, "phone": 1, "ipv4": 1])
    let versionPath = try XCTUnwrap(try store.partVersion(sourceID: source.id, part: 0, version: "redacted"))
    XCTAssertEqual(versionPath, "docs/s/redacted/part-00000.jsonl.zst")
    let redacted = try XCTUnwrap(try DocumentPartReader(path: workspace.absolute(versionPath)).next())
    XCTAssertEqual(redacted.text, "Mail <EMAIL_ADDRESS> or bugs@gnu.org, call <PHONE_NUMBER>, server <IP_ADDRESS>.")
    XCTAssertEqual(redacted.id, document.id)
    let original = try XCTUnwrap(try DocumentPartReader(path: workspace.absolute("docs/s/part-00000.jsonl.zst")).next())
    XCTAssertEqual(original.text, text, "the original part stays")
  }

  func testTheRedactedVersionLeavesOutRemovedSpans() throws {
    let folder = NSTemporaryDirectory() + "hatchery-pii-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.createDirectory(atPath: folder + "/in", withIntermediateDirectories: true)
    try "Kept line.\nRepeated line with a@corp.example.\nLast mail b@corp.example."
      .write(toFile: folder + "/in/a.txt", atomically: false, encoding: .utf8)
    let workspace = try Workspace.create(at: folder + "/ws")
    _ = try IngestStage.run(
      workspace: workspace, options: IngestOptions(source: "s", paths: [folder + "/in"]),
      logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, showProgress: false)
    let store = try workspace.openStore()
    let id = try XCTUnwrap(try store.documents(sourceID: try XCTUnwrap(try store.source(named: "s")).id).first).id
    try store.replaceDecisions(
      stage: "dedup", for: [id], with: [],
      spans: [.init(documentID: id, stage: "dedup", start: 11, end: 46, reason: "paragraph", duplicateOf: nil)],
      stageRunID: nil)
    _ = try FilterStage.run(workspace: workspace, config: try FilterConfig.parse("rules: []\npii: true\n"))
    let redacted = try XCTUnwrap(
      try DocumentPartReader(path: workspace.absolute("docs/s/redacted/part-00000.jsonl.zst")).next())
    XCTAssertEqual(redacted.text, "Kept line.\nLast mail <EMAIL_ADDRESS>.")
    XCTAssertEqual(try store.redactionCounts(documentID: id), ["email": 1], "the removed span's address is not counted")
  }
}
