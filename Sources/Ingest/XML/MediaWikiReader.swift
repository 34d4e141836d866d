import Foundation
import HatcheryCore

/// One page revision of a MediaWiki XML export.
struct WikiRevision {
  var pageID = ""
  var title = ""
  var namespace = 0
  var isRedirect = false
  var revisionID = ""
  var timestamp: String?
  /// The page's address, from the dump's `<siteinfo><base>`, when it has one.
  var url: String?
  /// The raw wikitext; valid until the next revision.
  var wikitext: UnsafeRawBufferPointer = UnsafeRawBufferPointer(start: nil, count: 0)
  /// The wikitext was longer than the cap; `wikitext` holds its start only.
  var oversized = false
  /// The line of the `<page>` element.
  var line = 0
}

/// Streams the revisions of a MediaWiki XML export (any schema version; `pages-articles` and
/// full-history dumps alike) in document order, with the page fields each revision needs.
final class MediaWikiReader {
  private let reader: XMLStreamReader
  private let maximumTextBytes: Int
  private let text = ByteBuffer(capacity: 1 << 16)

  init(source: ByteSource, name: String, maximumTextBytes: Int) throws {
    reader = try XMLStreamReader(source: source, name: name)
    self.maximumTextBytes = maximumTextBytes
  }

  private enum Field { case none, base, title, namespace, pageID, revisionID, timestamp, text }

  /// Calls `body` for each revision; a parse error throws after the revisions before it.
  func forEachRevision(_ body: (WikiRevision) throws -> Void) throws {
    var revision = WikiRevision()
    var field = Field.none
    var fieldValue: [UInt8] = []
    var inPage = false
    var inRevision = false
    var inContributor = false
    var urlPrefix: String?
    while try reader.next() {
      let type = reader.nodeType
      if type == XMLStreamReader.elementNode {
        field = .none
        if reader.isNamed("page") {
          inPage = true
          revision = WikiRevision()
          revision.line = reader.line
        } else if reader.isNamed("revision") {
          inRevision = true
          revision.revisionID = ""
          revision.timestamp = nil
          revision.oversized = false
          text.removeAll()
        } else if reader.isNamed("contributor") {
          inContributor = !reader.isEmptyElement
        } else if reader.isNamed("redirect") {
          if inPage { revision.isRedirect = true }
        } else if reader.isNamed("base") {
          field = .base
        } else if inPage && !inRevision && reader.isNamed("title") {
          field = .title
        } else if inPage && !inRevision && reader.isNamed("ns") {
          field = .namespace
        } else if inPage && !inRevision && reader.isNamed("id") {
          field = .pageID
        } else if inRevision && !inContributor && reader.isNamed("id") {
          field = .revisionID
        } else if inRevision && reader.isNamed("timestamp") {
          field = .timestamp
        } else if inRevision && reader.isNamed("text") {
          field = .text
        }
        fieldValue.removeAll(keepingCapacity: true)
        if reader.isEmptyElement { finish(field, fieldValue, into: &revision, urlPrefix: &urlPrefix) }
        if reader.isEmptyElement { field = .none }
      } else if reader.isText, field != .none, let value = reader.value {
        if field == .text {
          let room = maximumTextBytes - text.count
          if value.count > room { revision.oversized = true }
          text.append(UnsafeRawBufferPointer(rebasing: value[..<min(value.count, max(room, 0))]))
        } else if fieldValue.count < 4096 {
          fieldValue.append(contentsOf: value)
        }
      } else if type == XMLStreamReader.endElementNode {
        if field != .none {
          finish(field, fieldValue, into: &revision, urlPrefix: &urlPrefix)
          field = .none
        }
        if reader.isNamed("contributor") {
          inContributor = false
        } else if reader.isNamed("revision") {
          inRevision = false
          revision.wikitext = UnsafeRawBufferPointer(text.bytes)
          try body(revision)
        } else if reader.isNamed("page") {
          inPage = false
        }
      }
    }
  }

  private func finish(_ field: Field, _ value: [UInt8], into revision: inout WikiRevision, urlPrefix: inout String?) {
    let string = String(decoding: value, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    switch field {
    case .none, .text: break
    case .base:
      // https://en.wikipedia.org/wiki/Main_Page -> https://en.wikipedia.org/wiki/
      if let slash = string.lastIndex(of: "/") { urlPrefix = String(string[...slash]) }
    case .title:
      revision.title = string
      if let urlPrefix {
        revision.url =
          urlPrefix
          + (string.replacingOccurrences(of: " ", with: "_")
            .addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? string)
      }
    case .namespace: revision.namespace = Int(string) ?? 0
    case .pageID: if revision.pageID.isEmpty { revision.pageID = string }
    case .revisionID: if revision.revisionID.isEmpty { revision.revisionID = string }
    case .timestamp: revision.timestamp = string
    }
  }
}
