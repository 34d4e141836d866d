import Foundation
import HatcheryCore
import Ingest
import Logging
import XCTest

@testable import Filters

final class ContaminationAndURLTests: XCTestCase {
  var folder: String!

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "hatchery-decontam-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder + "/in", withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: folder)
  }

  private let question = "Which planet in the solar system has the longest day, measured in Earth hours and minutes?"

  func testThirteenSharedWordsMatchAndTwelveDoNot() throws {
    try "{\"id\": 1, \"text\": \"\(question)\"}\n\n{\"question\": \"Another unrelated item about rivers.\"}\n"
      .write(toFile: folder + "/eval.jsonl", atomically: false, encoding: .utf8)
    let index = try ContaminationIndex(files: [folder + "/eval.jsonl"])
    let words = question.split(separator: " ")
    func match(_ text: String) -> String? {
      var text = text
      return text.withUTF8 { index.match(UnsafeRawBufferPointer($0)) }
    }
    // Case and punctuation do not matter; thirteen consecutive words do.
    XCTAssertEqual(
      match("Intro text. " + words.prefix(13).joined(separator: " ").uppercased() + " and more."),
      folder + "/eval.jsonl:1")
    XCTAssertNil(match("Intro text. " + words.prefix(12).joined(separator: " ") + " and more."))
    XCTAssertNil(match("Rivers flow to the sea."))
    XCTAssertThrowsError(try ContaminationIndex(files: [folder + "/missing.txt"]))
  }

  func testDomainsBlockTheirSubdomainsAndSubstringsMatchAnywhere() throws {
    try "example.com  # a whole site\n\nspam.example.org\n".write(
      toFile: folder + "/domains.txt", atomically: false, encoding: .utf8)
    try "/ads/\n".write(toFile: folder + "/substrings.txt", atomically: false, encoding: .utf8)
    let list = try URLBlocklist(domainFiles: [folder + "/domains.txt"], substringFiles: [folder + "/substrings.txt"])
    XCTAssertEqual(list.block("https://example.com/page"), "example.com")
    XCTAssertEqual(list.block("http://news.EXAMPLE.com:8080/x"), "example.com")
    XCTAssertEqual(list.block("https://user@spam.example.org/"), "spam.example.org")
    XCTAssertNil(list.block("https://notexample.com/"))
    XCTAssertNil(list.block("https://example.org/"))
    XCTAssertEqual(list.block("https://good.net/ads/banner"), "/ads/")
  }

  func testTheStageDropsOrFlagsContaminationAndBlockedURLs() throws {
    let prose = (0..<12).map {
      "Sentence \($0) of an ordinary text about gardens, rivers and the people who walk by them."
    }
    let clean = prose.joined(separator: "\n")
    try (clean + "\n" + question + "\n").write(toFile: folder + "/in/leaked.txt", atomically: false, encoding: .utf8)
    try clean.write(toFile: folder + "/in/clean.txt", atomically: false, encoding: .utf8)
    try
      "{\"text\": \"\(clean.replacingOccurrences(of: "\n", with: "\\n"))x\", \"url\": \"https://ads.example.com/a\"}\n"
      .write(toFile: folder + "/in/web.jsonl", atomically: false, encoding: .utf8)
    try question.write(toFile: folder + "/eval.txt", atomically: false, encoding: .utf8)
    try "example.com\n".write(toFile: folder + "/domains.txt", atomically: false, encoding: .utf8)
    let workspace = try Workspace.create(at: folder + "/ws")
    _ = try IngestStage.run(
      workspace: workspace, options: IngestOptions(source: "s", paths: [folder + "/in"]),
      logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, showProgress: false)
    let yaml = "rules: []\ndecontamination:\n  sets: [eval.txt]\nurl_blocklist:\n  domains: [domains.txt]\n"
    try yaml.write(toFile: folder + "/filter.yaml", atomically: false, encoding: .utf8)
    let summary = try FilterStage.run(
      workspace: workspace, config: try FilterConfig.load(path: folder + "/filter.yaml"))
    XCTAssertEqual(summary.dropped, ["contamination": 1, "url_blocklist": 1])
    let reasons = Set(try workspace.openStore().decisions(stage: "filter").map(\.reason))
    XCTAssertEqual(reasons, ["contamination: \(folder!)/eval.txt:1", "url_blocklist: example.com"])

    try (yaml.replacingOccurrences(of: "sets: [eval.txt]", with: "sets: [eval.txt]\n  action: flag") + "pii: true\n")
      .write(toFile: folder + "/filter.yaml", atomically: false, encoding: .utf8)
    let flagged = try FilterStage.run(
      workspace: workspace, config: try FilterConfig.load(path: folder + "/filter.yaml"))
    XCTAssertEqual(flagged.flagged, 1)
    let store = try workspace.openStore()
    XCTAssertEqual(
      try store.decisions(stage: "filter").filter { $0.action == .keep }.map(\.reason),
      ["flag: contamination: \(folder!)/eval.txt:1"])
    // The redacted version holds the documents the stage keeps, flagged ones included.
    let source = try XCTUnwrap(try store.source(named: "s"))
    let reader = try DocumentPartReader(
      path: workspace.absolute(try XCTUnwrap(try store.partVersion(sourceID: source.id, part: 0, version: "redacted"))))
    var kept: [String] = []
    while let document = try reader.next() { kept.append(document.text) }
    XCTAssertEqual(kept.count, 2)
    XCTAssertTrue(kept.contains(clean) && kept.contains { $0.contains(question) }, "\(kept)")
  }
}
