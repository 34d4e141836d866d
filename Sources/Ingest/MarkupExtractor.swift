import CLibXML2
import Foundation
import HatcheryCore

/// The markup formats whose text `hatchery extract` and the ingest stage take out.
public enum MarkupFormat: String, Sendable, CaseIterable {
  case html, mediawiki, jats, tei, xml

  /// The format a file's name and first bytes suggest: `.nxml` is JATS, other XML files are told
  /// apart by their root element, anything else is HTML.
  public static func guess(fileName: String, bytes: UnsafeRawBufferPointer) -> MarkupFormat {
    let (_, plain) = Compression.of(fileName: (fileName as NSString).lastPathComponent.lowercased())
    if plain.hasSuffix(".nxml") { return .jats }
    let root = XMLRootSniffer.format(of: bytes)
    if plain.hasSuffix(".xml") || plain.hasSuffix(".tei") { return root ?? .xml }
    if let root, root != .html { return root }
    return .html
  }
}

/// One entry point for every markup reader, reused from file to file: the text of an HTML
/// page, a JATS article, a TEI text, any XML file, or each article of a MediaWiki export.
public final class MarkupExtractor {
  private let html = HTMLExtractor()
  private let xml = XMLDocumentExtractor()
  private let wikitext = WikitextConverter()
  /// Documents whose text is longer are cut there and flagged (`ExtractedPage.truncated`).
  public let maximumTextBytes: Int

  public init(maximumTextBytes: Int = 10 << 20) {
    self.maximumTextBytes = maximumTextBytes
  }

  /// Extracts `bytes` (one whole file) as `format`. MediaWiki exports give one page per
  /// main-namespace article that is not a redirect; the other formats give one page.
  public func extract(_ bytes: UnsafeRawBufferPointer, format: MarkupFormat, name: String) throws -> [ExtractedPage] {
    switch format {
    case .html:
      return [try extractHTML(bytes, declaredCharset: nil)]
    case .mediawiki:
      var pages: [ExtractedPage] = []
      try forEachArticle(source: MemoryByteSource(bytes), name: name) { revision, text in
        pages.append(ExtractedPage(wiki: revision, text: text))
      }
      return pages
    case .jats, .tei, .xml:
      let document = try xml.parse(bytes, name: name)
      guard let root = document.root else { throw StreamError(.corrupt, "\(name): no root element") }
      switch format {
      case .jats: return [jats(root)]
      case .tei: return [tei(root)]
      default:
        let (text, truncated) = xml.text(of: root, layout: XMLDocumentExtractor.generic, maximumBytes: maximumTextBytes)
        return [ExtractedPage(text: text, truncated: truncated)]
      }
    }
  }

  /// One web page; `declaredCharset` from an HTTP header, if any.
  func extractHTML(_ bytes: UnsafeRawBufferPointer, declaredCharset: String?) throws -> ExtractedPage {
    var page = try html.extract(bytes, declaredCharset: declaredCharset)
    if page.text.utf8.count > maximumTextBytes {
      page.text = String(decoding: page.text.utf8.prefix(maximumTextBytes), as: UTF8.self)
      page.truncated = true
    }
    return page
  }

  // MARK: MediaWiki

  /// Streams a MediaWiki export, calling `body` with each main-namespace revision that is not a
  /// redirect, and its plain text. Returns the revisions skipped by namespace and as redirects.
  @discardableResult
  func forEachArticle(source: ByteSource, name: String, _ body: (WikiRevision, [UInt8]) throws -> Void) throws
    -> (otherNamespaces: Int, redirects: Int)
  {
    let reader = try MediaWikiReader(source: source, name: name, maximumTextBytes: maximumTextBytes)
    var otherNamespaces = 0
    var redirects = 0
    try reader.forEachRevision { revision in
      if revision.namespace != 0 {
        otherNamespaces += 1
      } else if revision.isRedirect || Self.startsWithRedirect(revision.wikitext) {
        redirects += 1
      } else {
        try body(revision, wikitext.convert(revision.wikitext))
      }
    }
    return (otherNamespaces, redirects)
  }

  /// Old dumps have no `<redirect>` element; their redirects start with `#REDIRECT`.
  private static func startsWithRedirect(_ text: UnsafeRawBufferPointer) -> Bool {
    let prefix = Array("#redirect".utf8)
    guard text.count >= prefix.count else { return false }
    var start = 0
    while start < text.count && (text[start] == 0x20 || text[start] == 0x0A) { start += 1 }
    guard start + prefix.count <= text.count else { return false }
    for (offset, byte) in prefix.enumerated() where text[start + offset] | 0x20 != byte { return false }
    return true
  }

  // MARK: JATS

  private func jats(_ root: xmlNodePtr) -> ExtractedPage {
    let meta = XMLDocument.first("article-meta", under: root)
    var parts: [String] = []
    var truncated = false
    let title = meta.flatMap { XMLDocument.first("article-title", under: $0) }.map(XMLDocument.content)
    if let title, !title.isEmpty { parts.append(title) }
    if let meta {
      for abstract in XMLDocument.all("abstract", under: meta) {
        let (text, cut) = xml.text(of: abstract, layout: XMLDocumentExtractor.jats, maximumBytes: maximumTextBytes)
        if !text.isEmpty { parts.append(text) }
        truncated = truncated || cut
      }
    }
    if let body = XMLDocument.first("body", under: root) {
      let (text, cut) = xml.text(of: body, layout: XMLDocumentExtractor.jats, maximumBytes: maximumTextBytes)
      if !text.isEmpty { parts.append(text) }
      truncated = truncated || cut
    }
    var page = ExtractedPage(text: parts.joined(separator: "\n"), truncated: truncated)
    page.title = title
    page.language = XMLDocument.attribute(root, "lang")
    if let meta {
      for articleID in XMLDocument.all("article-id", under: meta)
      where XMLDocument.attribute(articleID, "pub-id-type") == "doi" {
        page.canonicalURL = "https://doi.org/" + XMLDocument.content(articleID)
      }
      // <permissions> in JATS 1.0 and later; older articles put the statement in article-meta.
      page.licenseHints = licenseHints(meta, names: ["license", "license_ref", "copyright-statement"])
    }
    return page
  }

  // MARK: TEI

  private func tei(_ root: xmlNodePtr) -> ExtractedPage {
    let header = XMLDocument.first("teiHeader", under: root)
    let body = XMLDocument.first("body", under: root, within: "text")
    let (text, truncated) =
      body.map { xml.text(of: $0, layout: XMLDocumentExtractor.tei, maximumBytes: maximumTextBytes) } ?? ("", false)
    var page = ExtractedPage(text: text, truncated: truncated)
    page.title = header.flatMap { XMLDocument.first("title", under: $0, within: "titleStmt") }.map(XMLDocument.content)
    page.language =
      XMLDocument.first("text", under: root).flatMap { XMLDocument.attribute($0, "lang") }
      ?? XMLDocument.attribute(root, "lang")
    if let availability = header.flatMap({ XMLDocument.first("availability", under: $0) }) {
      page.licenseHints = licenseHints(availability, names: ["licence", "p"])
    }
    return page
  }

  /// Licence URLs (`href`, `target`) and statements of the named elements, without repeats.
  private func licenseHints(_ node: xmlNodePtr, names: [String]) -> [String] {
    var hints: [String] = []
    func add(_ value: String?) {
      guard let value, !value.isEmpty, !hints.contains(value), value.utf8.count <= 2048 else { return }
      hints.append(value)
    }
    for name in names {
      for element in XMLDocument.all(name, under: node) {
        add(XMLDocument.attribute(element, "href"))
        add(XMLDocument.attribute(element, "target"))
        add(XMLDocument.content(element))
      }
    }
    return hints
  }
}

extension ExtractedPage {
  init(text: String, truncated: Bool) {
    self.init(
      text: text, title: nil, language: nil, canonicalURL: nil, licenseHints: [], charset: "utf-8",
      replacedSequences: 0, truncated: truncated)
  }

  init(wiki revision: WikiRevision, text: [UInt8]) {
    self.init(text: String(decoding: text, as: UTF8.self), truncated: revision.oversized)
    title = revision.title
    canonicalURL = revision.url
  }
}
