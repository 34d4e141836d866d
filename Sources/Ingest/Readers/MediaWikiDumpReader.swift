import Foundation
import HatcheryCore

/// MediaWiki XML exports, streamed: one document per main-namespace article revision (redirects
/// and other namespaces are counted as skipped), its wikitext converted to plain text.
final class MediaWikiDumpReader: DocumentReader {
  private let markup: MarkupExtractor

  init(markup: MarkupExtractor) {
    self.markup = markup
  }

  func read(_ file: InputFile, into part: PartOutput) throws {
    let declared = part.context.source.declaredLicense != nil
    var articles = 0
    do {
      let stream = try file.open()
      let skipped = try markup.forEachArticle(source: stream, name: file.absolutePath) { revision, text in
        articles += 1
        var page = ExtractedPage(wiki: revision, text: text)
        page.language = nil
        var extra = JSONObject([
          ("page_id", .string(revision.pageID)), ("revision_id", .string(revision.revisionID)),
        ])
        // Wikimedia projects' text is CC BY-SA 4.0 (since 2023; 3.0 before); a licence the
        // user declares for the source takes precedence.
        if !declared { extra["license"] = .string("CC-BY-SA-4.0") }
        let document = ReadDocument(
          originalSHA256: SHA256Hasher.hash(revision.wikitext), originalBytes: revision.wikitext.count, repaired: 0,
          line: revision.line, offset: 0, locatorKey: "\(file.locator)#\(revision.pageID)@\(revision.revisionID)",
          created: revision.timestamp ?? file.created, extra: extra)
        try MarkupFileReader.emit(page, document, from: file, into: part)
      }
      if skipped.otherNamespaces > 0 { part.skip("wiki-other-namespace", count: skipped.otherNamespaces) }
      if skipped.redirects > 0 { part.skip("wiki-redirect", count: skipped.redirects) }
    } catch let error as StreamError {
      try part.reject(file, offset: nil, error, kept: "\(articles) article(s) before it were kept")
    }
  }
}
