import CZlib
import Foundation
import HatcheryCore
import XCTest

@testable import Ingest

/// HTML, WARC, MediaWiki, JATS, TEI and generic XML, on fixtures written for the project.
final class WebIngestTests: IngestTestCase {
  static let web = fixtures + "/web"

  private func fixture(_ name: String) throws -> [UInt8] {
    Array(try Data(contentsOf: URL(fileURLWithPath: Self.web + "/" + name)))
  }

  private func extract(_ name: String, _ format: MarkupFormat, cap: Int = 10 << 20) throws -> [ExtractedPage] {
    try fixture(name).withUnsafeBytes {
      try MarkupExtractor(maximumTextBytes: cap).extract($0, format: format, name: name)
    }
  }

  // MARK: HTML

  func testHTMLKeepsTheArticleAndDropsTheFrame() throws {
    let page = try XCTUnwrap(try extract("article.html", .html).first)
    let lines = page.text.split(separator: "\n").map(String.init)
    XCTAssertEqual(
      lines.first,
      "Bread dough rises faster in the mountains, because the air pressure is lower and the gas in the dough expands more easily."
    )
    XCTAssertTrue(lines.contains("What we measured"), "headings are lines")
    XCTAssertTrue(lines.contains("The bulk rise took a third less time at altitude."), "list items are lines")
    XCTAssertTrue(lines.contains("Sea level\t180"), "table rows are tab-separated")
    XCTAssertEqual(
      lines.last, "In short: trust the dough, not the clock, and keep notes on every bake so the next one is better.")
    for furniture in [
      "cookies", "Great post", "Ten breads", "feed a starter", "A loaf baked", "By A. Writer", "Share", "Archive",
      "never text", "Sourdough at altitude",
    ] {
      XCTAssertFalse(page.text.contains(furniture), "\(furniture) should not be in the text")
    }
    XCTAssertEqual(page.title, "Hatchery field notes: sourdough at altitude")
    XCTAssertEqual(page.language, "en")
    XCTAssertEqual(page.canonicalURL, "https://example.org/notes/sourdough-altitude")
    XCTAssertEqual(page.licenseHints, ["https://creativecommons.org/licenses/by/4.0/"])
  }

  func testUndeclaredInvalidUTF8IsReadAsWindows1252() throws {
    let page = try XCTUnwrap(try extract("latin1.html", .html).first)
    XCTAssertEqual(page.charset, "windows-1252")
    XCTAssertTrue(page.text.hasPrefix("Un café crème coûte deux euros € la terrasse"))
    XCTAssertEqual(page.title, "Café notes")
  }

  func testMetaCharsetAndHTTPCharsetAreHonoured() throws {
    let body =
      Array("<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\"></head><body><p>".utf8)
      + [0xF0, 0xD2, 0xC9, 0xD7, 0xC5, 0xD4, 0x20]
      + Array("and a long enough sentence to count as prose here.</p></body></html>".utf8)
    let extractor = HTMLExtractor()
    let page = try body.withUnsafeBytes { try extractor.extract($0) }
    XCTAssertEqual(page.charset, "koi8-r")
    XCTAssertTrue(page.text.hasPrefix("Привет and a long"), page.text)
    // A header's charset comes before the page's own.
    let utf8 = try body.withUnsafeBytes { try extractor.extract($0, declaredCharset: "utf-8") }
    XCTAssertEqual(utf8.charset, "utf-8")
  }

  func testLegacyLabelsNameTheSupersetsPagesAreWrittenIn() throws {
    // As the WHATWG Encoding Standard has browsers do: "gb2312" pages use GBK's characters (滿,
    // 9D 4D), "shift_jis" pages Windows-31J's (①, 87 40), "euc-kr" pages Windows-949's (똠, 8C 63).
    for (label, bytes, expected) in [
      ("gb2312", [0x9D, 0x4D] as [UInt8], "滿"), ("shift_jis", [0x87, 0x40], "①"), ("euc-kr", [0x8C, 0x63], "똠"),
    ] {
      let body =
        Array("<html><head><meta charset=\"\(label)\"></head><body><p>".utf8) + bytes
        + Array(" and a long enough sentence to count as prose here.</p></body></html>".utf8)
      let page = try body.withUnsafeBytes { try HTMLExtractor().extract($0) }
      XCTAssertEqual(page.replacedSequences, 0, label)
      XCTAssertTrue(page.text.hasPrefix("\(expected) and a long"), "\(label): \(page.text)")
    }
  }

  func testValidUTF8UnderALegacyLabelIsReadAsUTF8() throws {
    // A template's stale meta tag, or a server's default header, over a page written in UTF-8.
    let body = Array(
      """
      <html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1"></head>
      <body><p>Cédric Bosdonnat wrote that unzip needs its file names quoted here.</p></body></html>
      """.utf8)
    let extractor = HTMLExtractor()
    for declared in [nil, "ISO-8859-1"] {
      let page = try body.withUnsafeBytes { try extractor.extract($0, declaredCharset: declared) }
      XCTAssertEqual(page.charset, "utf-8")
      XCTAssertTrue(page.text.hasPrefix("Cédric Bosdonnat wrote"), page.text)
    }
  }

  func testASelfClosedHTMLTagDoesNotHideThePage() throws {
    // libxml2 closes `<html />` at once and puts the head and body in a second root element.
    let body = Array(
      """
      <!DOCTYPE html>
      <html xml:lang="de" lang="de" />
      <head><title>Termine</title></head>
      <body><div id="content"><h2>Termine 2016</h2><p>Die Herbstprüfung findet am 3. Dezember 2016 statt.</p>
      </div></body></html>
      """.utf8)
    let page = try body.withUnsafeBytes { try HTMLExtractor().extract($0) }
    XCTAssertEqual(page.text, "Termine 2016\nDie Herbstprüfung findet am 3. Dezember 2016 statt.")
    XCTAssertEqual(page.title, "Termine")
    XCTAssertEqual(page.language, "de")
  }

  func testPreformattedTextKeepsItsSpacingAndCountsAsContent() throws {
    let page = Array(
      """
      <html><body><div class="post"><p>Count the lines of a file with this short program, then print them.</p>
      <pre>for line in lines:
          total += 1</pre></div><div class="sidebar"><a href="/">Home</a></div></body></html>
      """.utf8)
    let text = try page.withUnsafeBytes { try HTMLExtractor().extract($0) }.text
    XCTAssertEqual(
      text, "Count the lines of a file with this short program, then print them.\nfor line in lines:\n    total += 1")
  }

  func testDeeplyNestedAndBrokenHTMLDoesNotCrash() throws {
    let deep =
      String(repeating: "<div><span>", count: 5000) + "<p>deep text here with enough words to be prose"
      + String(repeating: "</b></i>", count: 100)
    let extractor = HTMLExtractor()
    _ = try Array(deep.utf8).withUnsafeBytes { try extractor.extract($0) }
    // Cells with no row around them (libxml2 keeps `<table><td>` as it is), links in them.
    let rowless =
      "<div><p>Enough words in this paragraph to be read as prose by the extractor.</p><table>"
      + "<td><a href='y'>a link in a cell</a></td><td><a href='z'>a second linked cell</a></td></table></div>"
    for broken in [
      "<", "<html", "<p>unclosed <a href='x", "\u{0}\u{0}\u{1}binary", "<table><td><tr><li>x</table></li>", rowless,
    ] {
      _ = try? Array(broken.utf8).withUnsafeBytes { try extractor.extract($0) }
    }
  }

  // MARK: MediaWiki

  func testMediaWikiArticlesBecomePlainText() throws {
    let workspace = try makeWorkspace()
    try FileManager.default.copyItem(atPath: Self.web + "/wiki.xml", toPath: (folder + "/in/wiki.xml").ensuringFolder())
    let summary = try ingest(workspace, options("wiki", [folder + "/in"]))
    XCTAssertEqual(summary.documents, 2)
    XCTAssertEqual(summary.skipped["wiki-redirect"], 1)
    XCTAssertEqual(summary.skipped["wiki-other-namespace"], 1)
    let documents = try documents(workspace, source: "wiki")
    let sourdough = try XCTUnwrap(documents.first)
    XCTAssertEqual(
      sourdough.text,
      """
      Sourdough is a bread made by the fermentation of dough using wild yeasts and lactic acid bacteria.

      History
      It is one of the oldest forms of leavened bread, see the history page.

      Starters are kept for decades.
      Feed the starter daily.
      """)
    XCTAssertEqual(sourdough.metadata["title"]?.stringValue, "Sourdough")
    XCTAssertEqual(sourdough.metadata["page_id"]?.stringValue, "11")
    XCTAssertEqual(sourdough.metadata["revision_id"]?.stringValue, "101")
    XCTAssertEqual(sourdough.metadata["license"]?.stringValue, "CC-BY-SA-4.0")
    XCTAssertEqual(sourdough.metadata["url"]?.stringValue, "https://wiki.example.org/wiki/Sourdough")
    XCTAssertEqual(sourdough.created, "2026-01-02T03:04:05Z")
  }

  func testMediaWikiBrokenHalfwayKeepsThePagesBefore() throws {
    let wiki = try fixture("wiki.xml")
    // Cut inside the last article's text. libxml2's reader parses 512-byte pushes ahead of
    // the nodes it hands out, so an error also loses what is parsed but not yet delivered.
    let marker = Array("Rye bread''' is made".utf8)
    let at = try XCTUnwrap((0..<(wiki.count - marker.count)).first { Array(wiki[$0..<($0 + marker.count)]) == marker })
    let cut = Array(wiki[..<(at + 5)])
    let workspace = try makeWorkspace()
    try write("in/cut.xml", cut)
    let summary = try ingest(workspace, options("wiki", [folder + "/in"]))
    XCTAssertEqual(summary.documents, 1)
    XCTAssertEqual(summary.rejected, 1)
    let reject = try XCTUnwrap(try workspace.openStore().rejects(stage: "ingest").first)
    XCTAssertTrue(reject.detail.contains("cut.xml:"), reject.detail)
    XCTAssertTrue(reject.detail.contains("1 article(s) before it were kept"), reject.detail)
  }

  // MARK: JATS, TEI, XML

  func testJATSKeepsProseAndDropsFormulasAndReferences() throws {
    let page = try XCTUnwrap(try extract("article.nxml", .jats).first)
    XCTAssertEqual(
      page.text,
      """
      Rise times of wild yeast cultures
      We timed the rise of forty wild yeast cultures.
      Introduction
      Wild cultures differ in vigour [1].
      Methods
      Each culture was fed at noon.
      Rise against time.
      """)
    XCTAssertEqual(page.title, "Rise times of wild yeast cultures")
    XCTAssertEqual(page.language, "en")
    XCTAssertEqual(page.canonicalURL, "https://doi.org/10.0000/hatchery.2026.1")
    XCTAssertTrue(page.licenseHints.contains("https://creativecommons.org/licenses/by/4.0/"))
    XCTAssertTrue(page.licenseHints.contains("© 2026 The Authors"))
  }

  func testTEIBodyAndLicence() throws {
    let page = try XCTUnwrap(try extract("play.tei.xml", .tei).first)
    XCTAssertEqual(page.text, "Scene one\nMiller\nThe flour is ground.\nBaker\nThen the bread can rise.")
    XCTAssertEqual(page.title, "A Short Dialogue on Bread")
    XCTAssertEqual(page.language, "en")
    XCTAssertTrue(page.licenseHints.contains("https://creativecommons.org/publicdomain/zero/1.0/"))
  }

  func testXMLFormatsAreToldByTheirRoot() throws {
    let workspace = try makeWorkspace()
    for name in ["wiki.xml", "article.nxml", "play.tei.xml"] {
      try FileManager.default.copyItem(atPath: Self.web + "/" + name, toPath: (folder + "/in/" + name).ensuringFolder())
    }
    try write("in/plain.xml", "<catalogue><item>First loaf</item><item>Second loaf</item></catalogue>")
    let summary = try ingest(workspace, options("mixed", [folder + "/in"]))
    XCTAssertEqual(summary.documents, 5)
    let texts = try documents(workspace, source: "mixed").map(\.text)
    XCTAssertTrue(texts.contains("First loaf\nSecond loaf"))
    XCTAssertTrue(texts.contains { $0.hasPrefix("Rise times of wild yeast cultures") })
    XCTAssertTrue(texts.contains { $0.hasPrefix("Scene one") })
  }

  // MARK: Hostile input

  func testEntityBombIsRejectedAndExternalEntitiesAreNeverRead() throws {
    let workspace = try makeWorkspace()
    try FileManager.default.copyItem(atPath: Self.web + "/bomb.xml", toPath: (folder + "/in/bomb.xml").ensuringFolder())
    try FileManager.default.copyItem(atPath: Self.web + "/external.xml", toPath: folder + "/in/external.xml")
    let summary = try ingest(workspace, options("hostile", [folder + "/in"]))
    XCTAssertEqual(summary.rejected, 1)
    let reject = try XCTUnwrap(try workspace.openStore().rejects(stage: "ingest").first)
    XCTAssertTrue(reject.detail.contains("bomb.xml:14: malformed XML"), reject.detail)
    let text = try XCTUnwrap(try documents(workspace, source: "hostile").first).text
    let hostname = (try? String(contentsOfFile: "/etc/hostname", encoding: .utf8))?.trimmingCharacters(
      in: .whitespacesAndNewlines)
    XCTAssertEqual(text, "Before after.")
    if let hostname, !hostname.isEmpty { XCTAssertFalse(text.contains(hostname)) }
  }

  func testDocumentsOverTheCapAreRejected() throws {
    let long =
      "<html><body><p>" + String(repeating: "many words of prose in a row, ", count: 100) + "</p></body></html>"
    let workspace = try makeWorkspace()
    try write("in/long.html", long)
    let summary = try ingest(workspace, options("cap", [folder + "/in"]) { $0.maximumDocumentBytes = 1024 })
    XCTAssertEqual(summary.documents, 0)
    XCTAssertEqual(summary.rejectCounts[.tooLarge], 1)
  }

  func testGzipBombIsBoundedAndRejected() throws {
    // 16 MB of zeros compress to about 16 KB; with a 1 KB document cap the reader stops at the
    // markup limit (8 x the cap) instead of inflating it all.
    let bomb = try gzip([UInt8](repeating: 0x20, count: 16 << 20))
    XCTAssertLessThan(bomb.count, 64 << 10)
    let workspace = try makeWorkspace()
    try write("in/bomb.html.gz", bomb)
    let summary = try ingest(workspace, options("bomb", [folder + "/in"]) { $0.maximumDocumentBytes = 1024 })
    XCTAssertEqual(summary.rejectCounts[.tooLarge], 1)
    let reject = try XCTUnwrap(try workspace.openStore().rejects(stage: "ingest").first)
    XCTAssertTrue(reject.detail.contains("bomb.html.gz: more than 8192 bytes of markup"), reject.detail)
  }

  // MARK: WARC

  /// A WARC record with CRLF line ends.
  private func record(_ type: String, uri: String, contentType: String, block: [UInt8], id: Int) -> [UInt8] {
    let header =
      "WARC/1.1\r\nWARC-Type: \(type)\r\nWARC-Target-URI: \(uri)\r\nWARC-Date: 2026-02-0\(id)T00:00:00Z\r\n"
      + "WARC-Record-ID: <urn:uuid:00000000-0000-0000-0000-00000000000\(id)>\r\nContent-Type: \(contentType)\r\n"
      + "Content-Length: \(block.count)\r\n\r\n"
    return Array(header.utf8) + block + Array("\r\n\r\n".utf8)
  }

  private func http(_ headers: String, _ body: [UInt8]) -> [UInt8] {
    Array("HTTP/1.1 200 OK\r\n\(headers)\r\n".utf8) + body
  }

  private func gzip(_ bytes: [UInt8]) throws -> [UInt8] {
    let input = try write("gzip-input-\(bytes.count)", bytes)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/gzip")
    process.arguments = ["-n", "-f", input]
    try process.run()
    process.waitUntilExit()
    return Array(try Data(contentsOf: URL(fileURLWithPath: input + ".gz")))
  }

  func testWARCResponsesBecomeDocumentsWithTheirProvenance() throws {
    let html = try fixture("article.html")
    let chunked =
      ["Plain text over the wire ", "in two chunks, fine."].reduce(into: [UInt8]()) {
        $0 += Array("\(String($1.utf8.count, radix: 16))\r\n\($1)\r\n".utf8)
      } + Array("0\r\n\r\n".utf8)
    let compressed = try gzip(
      Array("<html><body><p>A compressed page body that is long enough to count as prose text.</p></body></html>".utf8))
    let records: [[UInt8]] = [
      record(
        "warcinfo", uri: "", contentType: "application/warc-fields", block: Array("software: tests\r\n".utf8), id: 0),
      record(
        "request", uri: "https://example.org/a", contentType: "application/http; msgtype=request",
        block: Array("GET /a HTTP/1.1\r\n\r\n".utf8), id: 1),
      record(
        "response", uri: "https://example.org/a", contentType: "application/http; msgtype=response",
        block: http("Content-Type: text/html; charset=utf-8\r\n", html), id: 2),
      record(
        "response", uri: "https://example.org/b.txt", contentType: "application/http; msgtype=response",
        block: http("Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n", chunked), id: 3),
      record(
        "response", uri: "https://example.org/c.png", contentType: "application/http; msgtype=response",
        block: http("Content-Type: image/png\r\n", [0x89, 0x50, 0x4E, 0x47]), id: 4),
      Array("this is not a record\r\n\r\n".utf8),
      record(
        "response", uri: "https://example.org/d", contentType: "application/http; msgtype=response",
        block: http("Content-Type: text/html\r\nContent-Encoding: gzip\r\n", compressed), id: 5),
    ]
    // One gzip member per record, as crawlers write them; then a member cut short.
    var file: [UInt8] = []
    for record in records { file += try gzip(record) }
    let last = try gzip(
      record(
        "response", uri: "https://example.org/e", contentType: "application/http; msgtype=response",
        block: http("Content-Type: text/plain\r\n", Array("cut".utf8)), id: 6))
    file += last[..<(last.count / 2)]
    let workspace = try makeWorkspace()
    try write("in/crawl.warc.gz", file)
    let summary = try ingest(workspace, options("crawl", [folder + "/in"]))
    XCTAssertEqual(summary.documents, 3)
    XCTAssertEqual(summary.skipped["warc-warcinfo"], 1)
    XCTAssertEqual(summary.skipped["warc-request"], 1)
    XCTAssertEqual(summary.skipped["non-text-response"], 1)
    XCTAssertEqual(summary.rejectCounts[.corrupt], 1, "the line that is not a record")
    XCTAssertEqual(summary.rejectCounts[.truncated], 1, "the member cut short")
    let documents = try documents(workspace, source: "crawl")
    XCTAssertTrue(documents[0].text.hasPrefix("Bread dough rises faster"))
    XCTAssertEqual(documents[0].metadata["url"]?.stringValue, "https://example.org/a")
    XCTAssertEqual(
      documents[0].metadata["warc_record_id"]?.stringValue, "<urn:uuid:00000000-0000-0000-0000-000000000002>")
    XCTAssertEqual(
      documents[0].metadata["license_hints"], .array([.string("https://creativecommons.org/licenses/by/4.0/")]))
    XCTAssertEqual(documents[0].created, "2026-02-02T00:00:00Z")
    XCTAssertEqual(documents[1].text, "Plain text over the wire in two chunks, fine.")
    XCTAssertEqual(documents[2].text, "A compressed page body that is long enough to count as prose text.")
    // Offsets point at the record's version line in the uncompressed stream.
    let offset = try XCTUnwrap(documents[1].metadata["offset"]?.intValue)
    let uncompressed = records[0..<3].reduce(0) { $0 + $1.count }
    XCTAssertEqual(offset, uncompressed)
  }
}

extension String {
  /// Makes the folder that will hold this path; returns the path.
  fileprivate func ensuringFolder() -> String {
    try? FileManager.default.createDirectory(
      atPath: (self as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    return self
  }
}
