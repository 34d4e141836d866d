import CLibXML2
import CXMLErrorSink
import Foundation
import HatcheryCore

/// Text out of one XML document held in memory: JATS articles, TEI texts, or any XML.
///
/// Parsed with the same safe options as the streaming reader (no network, no DTD or external
/// entity loading, no entity substitution, libxml2's default limits), and without recovery:
/// a malformed document is refused with libxml2's message and line rather than half read.
final class XMLDocumentExtractor {
  /// How one format's elements become text.
  struct Layout {
    /// Elements that start and end a line (paragraphs, titles, list items, rows).
    var blocks: Set<String>
    /// Elements dropped with everything inside.
    var dropped: Set<String>
    /// Table cells: separated by tabs within their row.
    var cells: Set<String> = ["td", "th", "cell"]
  }

  static let jats = Layout(
    blocks: [
      "article-title", "subtitle", "abstract", "sec", "title", "p", "list-item", "def-item", "term", "def",
      "caption", "tr", "row", "disp-quote", "statement", "boxed-text", "label", "speech", "verse-line",
    ],
    dropped: [
      "ref-list", "back", "graphic", "inline-graphic", "media", "alternatives", "math", "tex-math",
      "disp-formula", "inline-formula", "object-id", "xref-group", "table-wrap-foot", "fn-group",
      "supplementary-material",
    ])

  static let tei = Layout(
    blocks: ["head", "p", "l", "item", "lg", "sp", "speaker", "quote", "row", "div", "ab", "note", "label", "table"],
    dropped: ["fw", "figDesc", "graphic", "formula", "binaryObject"])

  static let generic = Layout(blocks: [], dropped: [])

  private var output: [UInt8] = []
  private var pendingBreak = false
  private var pendingSpace = false
  private var maximumBytes = Int.max
  private var truncated = false

  /// Parses `bytes`; throws `StreamError(.corrupt)` with the line of the first error.
  func parse(_ bytes: UnsafeRawBufferPointer, name: String) throws -> XMLDocument {
    guard bytes.count <= Int(Int32.max) else { throw StreamError(.corrupt, "\(name): larger than 2 GiB") }
    xmlResetLastError()
    hatchery_xml_capture_generic_errors()
    let options = Int32(
      XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
        | XML_PARSE_COMPACT.rawValue)
    guard
      let document = xmlReadMemory(
        bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count), nil, nil, options)
    else {
      let error = xmlGetLastError()
      let message = error?.pointee.message.map { XMLStreamReader.oneLine(String(cString: $0)) }
      let line = error.map { Int($0.pointee.line) } ?? 0
      throw StreamError(
        .corrupt, "\(name):\(line): malformed XML: \(message ?? "not XML")\(XMLStreamReader.capturedGenericError())")
    }
    return XMLDocument(document)
  }

  /// The text under `root` laid out by `layout`: blocks as lines, cells tab-separated.
  /// `truncatedAt`: stop once the text reaches this many bytes (then `wasTruncated`).
  func text(of root: xmlNodePtr, layout: Layout, maximumBytes: Int) -> (text: String, wasTruncated: Bool) {
    output.removeAll(keepingCapacity: true)
    pendingBreak = false
    pendingSpace = false
    truncated = false
    self.maximumBytes = maximumBytes
    walk(root, layout: layout, depth: 0)
    return (String(decoding: output, as: UTF8.self), truncated)
  }

  private func walk(_ node: xmlNodePtr, layout: Layout, depth: Int) {
    var child = node.pointee.children
    while let current = child, !truncated {
      child = current.pointee.next
      switch current.pointee.type {
      case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
        if let content = current.pointee.content { append(content) }
      case XML_ELEMENT_NODE:
        let name = current.pointee.name.map { String(cString: $0) } ?? ""
        if layout.dropped.contains(name) { continue }
        // Elements deeper than libxml2's own nesting limit cannot occur; the bound is a guard.
        guard depth < 1024 else { continue }
        let isBlock = layout.blocks.contains(name) || layout.blocks.isEmpty
        let isCell = layout.cells.contains(name)
        if isBlock { pendingBreak = true }
        if isCell && !output.isEmpty && output.last != 0x0A && !pendingBreak {
          output.append(0x09)
          pendingSpace = false
        }
        walk(current, layout: layout, depth: depth + 1)
        if isBlock { pendingBreak = true }
      default:
        break
      }
    }
  }

  /// Appends a text node with white space collapsed; a pending block break becomes a newline.
  private func append(_ content: UnsafePointer<UInt8>) {
    var index = 0
    while content[index] != 0 {
      let byte = content[index]
      index += 1
      if ASCII.isXMLWhitespace(byte) {
        pendingSpace = !output.isEmpty
        continue
      }
      if pendingBreak && !output.isEmpty {
        if output.last != 0x0A { output.append(0x0A) }
        pendingSpace = false
      } else if pendingSpace && output.last != 0x0A && output.last != 0x09 {
        output.append(0x20)
      }
      pendingBreak = false
      pendingSpace = false
      output.append(byte)
      if output.count >= maximumBytes {
        truncated = true
        return
      }
    }
  }
}

/// A parsed libxml2 document, freed with its owner.
final class XMLDocument {
  let pointer: xmlDocPtr
  init(_ pointer: xmlDocPtr) { self.pointer = pointer }
  deinit { xmlFreeDoc(pointer) }

  var root: xmlNodePtr? { xmlDocGetRootElement(pointer) }

  /// The first element named `name` (local name) in document order under `node`, with a path
  /// of ancestors it must be inside (`within`), searched depth-first.
  static func first(_ name: String, under node: xmlNodePtr, within: String? = nil, inside: Bool = false)
    -> xmlNodePtr?
  {
    var child = node.pointee.children
    while let current = child {
      child = current.pointee.next
      guard current.pointee.type == XML_ELEMENT_NODE else { continue }
      let currentName = current.pointee.name.map { String(cString: $0) } ?? ""
      let nowInside = inside || within == nil || currentName == within
      if currentName == name && nowInside { return current }
      if let found = first(name, under: current, within: within, inside: nowInside) { return found }
    }
    return nil
  }

  /// Every element named `name` under `node`, in document order.
  static func all(_ name: String, under node: xmlNodePtr) -> [xmlNodePtr] {
    var found: [xmlNodePtr] = []
    var child = node.pointee.children
    while let current = child {
      child = current.pointee.next
      guard current.pointee.type == XML_ELEMENT_NODE else { continue }
      if current.pointee.name.map({ String(cString: $0) }) == name { found.append(current) }
      found += all(name, under: current)
    }
    return found
  }

  /// The text content of an element, white space collapsed.
  static func content(_ node: xmlNodePtr) -> String {
    guard let value = xmlNodeGetContent(node) else { return "" }
    defer { hatchery_xmlFree(value) }
    return String(cString: value).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
  }

  /// An attribute by local name, in any namespace (`xlink:href` is `href`).
  static func attribute(_ node: xmlNodePtr, _ name: String) -> String? {
    var attribute = node.pointee.properties
    while let current = attribute {
      attribute = current.pointee.next
      if current.pointee.name.map({ String(cString: $0) }) == name,
        let value = xmlNodeGetContent(UnsafeMutableRawPointer(current).assumingMemoryBound(to: xmlNode.self))
      {
        defer { hatchery_xmlFree(value) }
        return String(cString: value)
      }
    }
    return nil
  }
}
