import CLibXML2
import CXMLErrorSink
import Foundation
import HatcheryCore

/// Main-content extraction: parses a page with libxml2's HTML parser (recover mode, no
/// network), cuts its text into blocks at block-level elements, and keeps the element whose
/// blocks add up to the most article-like text.
///
/// Each block scores its text length when it reads like prose (enough words, few of its
/// characters inside links, not inside an element whose class or id names furniture) or is a
/// short item of a structure (list item, term, description, table cell, code) that is not mostly
/// links, and minus its length otherwise. An element's score is the sum over the blocks inside
/// it, so the best element is the one that takes in the most prose for the least furniture: a
/// maximum-sum subtree. Inside it, blocks of furniture and link lists are dropped again.
/// Navigation, headers, footers, asides, scripts and forms' controls never contribute text.
/// Two exceptions: a page whose list items and table cells of links outscore its prose (an
/// index, a member list) keeps those lists; a page's one `<main>` holding most of its prose is
/// taken whole when the best element lies inside it.
///
/// One extractor is reused page after page; it is not thread-safe.
public final class HTMLExtractor {
  struct Element {
    var parent: Int32
    var firstBlock: Int32
    var endBlock: Int32
    var endElement: Int32
    /// Characters of prose in the element's blocks; then the maximum-sum score.
    var prose: Double
    /// Characters of list items and table cells made of links.
    var linkItems: Double
    var score: Double
    /// The maximum-sum score when list items and table cells of links count as content.
    var listScore: Double
    var tag: HTMLTag
    var hint: BoilerplateHint
    /// The furniture word of its hint (`ElementAttributes.hintWord`), 0 for none.
    var hintWord: UInt8
    /// The hash of its `class` value, 0 without one.
    var classHash: UInt64
    var isFurniture: Bool
    /// Whether a heading made of a link is inside (unless the element is titled first by the
    /// page's one `<h1>`): the mark of a teaser card.
    var hasLinkedHeading: Bool
    /// `<main>` or `role="main"`.
    var isMain: Bool
    /// A list or table of a mail's header fields.
    var isEnvelope: Bool
  }

  struct Block {
    var element: Int32
    /// The innermost furniture element around the block, or -1.
    var furniture: Int32
    /// The table row the block is a cell of, or -1.
    var row: Int32
    var start: Int32
    var end: Int32
    var chars: Int32
    var linkChars: Int32
    /// Links whose text is in the block.
    var links: Int32
    var words: Int32
    var tag: HTMLTag
    /// A short line stating when (a date with a year or a clock time) that is not a sentence.
    var isDateline: Bool
  }

  let decoder = CharsetDecoder()
  var elements: [Element] = []
  var blocks: [Block] = []
  let text = ByteBuffer(capacity: 1 << 18)
  let output = ByteBuffer(capacity: 1 << 16)
  let hintScratch = ByteBuffer(capacity: 256)
  var teaserSiblings: [Int32] = []
  /// Per element: item blocks of its list or table, those that are mail header fields, and
  /// those that name an address.
  var headerFieldCounts: [Int32] = []
  var rowWeights: [Int32] = []
  /// Per table row: the weight of the text structure in it, and its cells (`markLayoutRows`).
  var rowProse: [Int32] = []
  var rowCells: [Int32] = []
  /// Per item: whether a part of it is text, not links.
  var itemHasText: [Bool] = []
  /// Per table: its kept rows less its other rows with text.
  var tableBalances: [Int32] = []
  /// Per element: whether it or an ancestor is furniture (lifting hints that erase a page); per
  /// furniture word, the prose its elements erase.
  var insideFurniture: [Bool] = []
  var erasedByWord: [Double] = []
  /// Per element: whether a heading inside it has been seen, and whether the first was an <h1>.
  var headingSeen: [Bool] = []
  var titledFirst: [Bool] = []

  // The block being built.
  var blockStart = 0
  var blockChars: Int32 = 0
  var blockLinkChars: Int32 = 0
  var blockLinks: Int32 = 0
  var blockWords: Int32 = 0
  var pendingSpace = false
  var wordOpen = false
  var openElement: Int32 = -1
  var openRow: Int32 = -1
  var linkDepth = 0
  var preDepth = 0
  /// Open `dt` and `dd` elements: a reference entry's term or description.
  var definitionDepth = 0
  var depth = 0

  // What the page says about itself.
  var title: String?
  var language: String?
  var canonicalURL: String?
  var licenseHints: [String] = []
  /// The document's first top-level node while its tree is walked, the bytes of the page's
  /// paragraph text once counted (-1 before), and the furniture-named wrappers read as blocks so
  /// far.
  var topLevel: xmlNodePtr?
  var pageParagraphBytes = -1
  var wrappersLifted = 0
  /// What the furniture element being read holds (`visitForMetadata`).
  var furnitureParagraphs = ParagraphCount()

  /// Elements nested deeper than this are read as flat text: a hostile page cannot exhaust
  /// the stack (libxml2 itself stops nesting at 256 without XML_PARSE_HUGE).
  static let maximumDepth = 512

  public init() {}

  /// Extracts the main text of one page. `declaredCharset`: from an HTTP header, if any.
  /// Throws only when libxml2 returns no document at all (empty or binary input).
  public func extract(_ page: UnsafeRawBufferPointer, declaredCharset: String? = nil) throws -> ExtractedPage {
    let decoded = decoder.decode(page, declared: declaredCharset, sniffMeta: true)
    // Recovered errors are expected in web pages; none may reach standard error.
    hatchery_xml_capture_generic_errors()
    let options = Int32(
      HTML_PARSE_RECOVER.rawValue | HTML_PARSE_NOERROR.rawValue | HTML_PARSE_NOWARNING.rawValue
        | HTML_PARSE_NONET.rawValue | HTML_PARSE_COMPACT.rawValue | HTML_PARSE_IGNORE_ENC.rawValue)
    guard decoded.text.count <= Int(Int32.max),
      let document = htmlReadMemory(
        decoded.text.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(decoded.text.count), nil, "UTF-8",
        options)
    else {
      throw IngestError.notMarkup
    }
    defer { xmlFreeDoc(document) }
    reset()
    // Every top-level node is walked: a self-closed `<html lang="de" />` leaves libxml2 an empty
    // first root and the page in a second. They are held only while the tree is walked
    // (`wrapsThePage` counts the page from them).
    topLevel = document.pointee.children
    var node = topLevel
    while let current = node {
      visit(current)
      node = current.pointee.next
    }
    topLevel = nil
    flush()
    let body = selectAndWrite()
    return ExtractedPage(
      text: body, title: title, language: language, canonicalURL: canonicalURL, licenseHints: licenseHints,
      charset: decoded.charset, replacedSequences: decoded.replaced, truncated: false)
  }

  func reset() {
    elements.removeAll(keepingCapacity: true)
    blocks.removeAll(keepingCapacity: true)
    text.removeAll()
    startBlock()
    openElement = -1
    openRow = -1
    linkDepth = 0
    preDepth = 0
    definitionDepth = 0
    depth = 0
    title = nil
    language = nil
    canonicalURL = nil
    licenseHints.removeAll()
    pageParagraphBytes = -1
    wrappersLifted = 0
  }

  // MARK: Walking the tree

  func visitChildren(_ node: xmlNodePtr) {
    var child = node.pointee.children
    while let current = child {
      visit(current)
      child = current.pointee.next
    }
  }

  func visit(_ node: xmlNodePtr) {
    switch node.pointee.type {
    case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
      if let content = node.pointee.content { appendText(content) }
    case XML_ELEMENT_NODE:
      visitElement(node)
    default:
      break
    }
  }

  func visitElement(_ node: xmlNodePtr) {
    guard let name = node.pointee.name else { return }
    var tag = HTMLTag.of(name)
    if tag == .furniture {
      // One walk reads the furniture's metadata and counts its paragraphs; a wrapper of the page's
      // text is then read again, as a block.
      furnitureParagraphs = ParagraphCount()
      visitForMetadata(node, depth: depth)
      guard wrapsThePage(furnitureParagraphs) else { return }
      tag = .block
    }
    let attributes = ElementAttributes(node, scratch: hintScratch)
    switch tag {
    case .skipped: return
    case .head, .furniture:
      visitForMetadata(node, depth: depth)
      return
    case .meta, .link, .title:
      readMetadata(node, tag: tag, attributes: attributes)
      return
    case .html:
      if language == nil, let lang = attributes.lang { language = lang }
    case .anchor:
      noteLicenseLink(attributes)
    default: break
    }
    if attributes.isHidden || attributes.isFurnitureRole {
      visitForMetadata(node, depth: depth)
      return
    }
    depth += 1
    defer { depth -= 1 }
    // Classes on <html> and <body> describe the page, not a part of it; the weak furniture words
    // of a heading or of a part of one ("title", "headline": `<h3 class="title-link"><div
    // class="title-name">`) describe what a heading is anyway, and inside a term or description
    // of a definition list those of a reference entry's parts (`<span class="pred-tag">`, `<dl
    // class="tags">` of "deprecated", "author") describe the entry; inside <pre> they are a
    // syntax highlighter's tokens (`comment`, `hljs-title`), part of the code.
    let parentTag = openElement >= 0 ? elements[Int(openElement)].tag : .block
    let isEntryPart = tag == .heading || parentTag == .heading || definitionDepth > 0
    // A form is for readers to fill in (a comment or review form, its "Required fields are marked
    // *"), whatever its classes say; the weak mark leaves alone a form that wraps the page
    // (ASP.NET's `<form id="aspnetForm">`) or a shop's product with its buy button.
    let isForm = tag == .block && Self.isNamed(name, "form")
    let hint: BoilerplateHint =
      tag == .figure
      ? .strongNegative
      : isForm
        ? .weakNegative
        : tag == .html || tag == .body || (isEntryPart && attributes.hint == .weakNegative) || preDepth > 0
          ? .none : attributes.hint
    let breaks = (tag.breaksText || hint != .none || attributes.isMainRole) && depth < Self.maximumDepth
    guard breaks else {
      // A link to a place on the same page (`href="#…"`: a heading's permalink, a footnote
      // mark) points nowhere else, and an anchor without `href` but with a `name` or an `id` is
      // a place others link to (`<h2><a name="syntax">Syntax</a></h2>`, a manual's `<dt><a
      // id="tnot/1">tnot(:Goal)</a>`): their text counts as text. One with neither is a
      // script's control (a share button), as a link.
      let isLink =
        tag == .anchor && !Self.showsItsAddress(node)
        && (attributes.href.map { $0.first != "#" } ?? (attributes.name == nil && !attributes.hasID))
      if isLink {
        if linkDepth == 0 { blockLinks += 1 }
        linkDepth += 1
      }
      visitChildren(node)
      if isLink { linkDepth -= 1 }
      return
    }
    flush()
    // A div, a paragraph or an inline element set apart by its class (`<span
    // class="refentrytitle">`) inside a list item, term or cell is a part of that item.
    let blockTag = (!tag.breaksText || tag == .block || tag == .paragraph) && parentTag.isItem ? parentTag : tag
    let index = Int32(elements.count)
    elements.append(
      Element(
        parent: openElement, firstBlock: Int32(blocks.count), endBlock: 0, endElement: 0, prose: 0, linkItems: 0,
        score: 0, listScore: 0, tag: blockTag, hint: hint,
        hintWord: hint == attributes.hint ? attributes.hintWord : 0, classHash: attributes.classHash,
        isFurniture: false, hasLinkedHeading: false,
        isMain: tag == .main || attributes.isMainRole, isEnvelope: false))
    let (savedElement, savedRow) = (openElement, openRow)
    openElement = index
    if tag == .tableRow { openRow = index }
    if tag == .preformatted { preDepth += 1 }
    if tag == .definition { definitionDepth += 1 }
    visitChildren(node)
    flush()
    if tag == .preformatted { preDepth -= 1 }
    if tag == .definition { definitionDepth -= 1 }
    (openElement, openRow) = (savedElement, savedRow)
    elements[Int(index)].endBlock = Int32(blocks.count)
    elements[Int(index)].endElement = Int32(elements.count)
  }

  /// Whether a lower-case element name (libxml2 lowers them) is `expected`.
  static func isNamed(_ name: UnsafePointer<UInt8>, _ expected: StaticString) -> Bool {
    let bytes = expected.utf8Start
    for index in 0..<expected.utf8CodeUnitCount where name[index] != bytes[index] { return false }
    return name[expected.utf8CodeUnitCount] == 0
  }

  /// Paragraph text (bytes) a wrapper must hold before its furniture tag is doubted.
  static let wrapperParagraphBytes = 1_000

  /// A header, footer, aside or nav holding the page's `<h1>` and most of its paragraphs wraps the
  /// page's text: a `<header>` the markup never closed, an `<aside>` a template puts the article
  /// in. It is read as a block, and its parts are judged as any others. (A footer of comments
  /// may hold more paragraphs than the article, but not its title.)
  func wrapsThePage(_ held: ParagraphCount) -> Bool {
    // Each lift costs a second walk of the subtree; wrappers nested without end cannot make that
    // a walk per level.
    guard wrappersLifted < Self.maximumWrappers, held.hasTitle, held.bytes >= Self.wrapperParagraphBytes,
      topLevel != nil
    else { return false }
    if pageParagraphBytes < 0 {
      let held = furnitureParagraphs
      furnitureParagraphs = ParagraphCount()
      var node = topLevel
      while let current = node {
        visitForMetadata(current, readsMetadata: false, depth: 0)
        node = current.pointee.next
      }
      pageParagraphBytes = furnitureParagraphs.bytes
      furnitureParagraphs = held
    }
    guard 2 * held.bytes >= pageParagraphBytes else { return false }
    wrappersLifted += 1
    return true
  }

  /// Wrappers read as blocks per page at most (a header around an aside around the article).
  static let maximumWrappers = 2

  /// Bytes of text inside `<p>` elements under a node (scripts and styles aside), and whether an
  /// `<h1>` is there.
  struct ParagraphCount {
    var bytes = 0
    var hasTitle = false
  }

  /// A link whose text is an address written out ("see <https://…>") is a reference in the
  /// sentence, not navigation: its text counts as text.
  static func showsItsAddress(_ anchor: xmlNodePtr) -> Bool {
    guard let child = anchor.pointee.children, child.pointee.type == XML_TEXT_NODE,
      let content = child.pointee.content
    else { return false }
    return strncmp(content, "https://", 8) == 0 || strncmp(content, "http://", 7) == 0
      || strncmp(content, "www.", 4) == 0
  }

  /// Inside furniture and `<head>`: only licence links, canonical links, titles and meta tags
  /// (unless `readsMetadata` is false); on the way, the text of its paragraphs and any `<h1>` are
  /// counted in `furnitureParagraphs`.
  func visitForMetadata(_ node: xmlNodePtr, readsMetadata: Bool = true, inParagraph: Bool = false, depth: Int) {
    guard depth < Self.maximumDepth else { return }
    var child = node.pointee.children
    while let current = child {
      switch current.pointee.type {
      case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
        if inParagraph, let content = current.pointee.content {
          furnitureParagraphs.bytes += strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))
        }
      case XML_ELEMENT_NODE:
        guard let name = current.pointee.name else { break }
        let tag = HTMLTag.of(name)
        if tag == .title1 { furnitureParagraphs.hasTitle = true }
        switch tag {
        case .skipped: break
        case .meta, .link, .title, .anchor:
          if readsMetadata {
            let attributes = ElementAttributes(current, scratch: hintScratch)
            if tag == .anchor {
              noteLicenseLink(attributes)
            } else {
              readMetadata(current, tag: tag, attributes: attributes)
            }
          }
          visitForMetadata(current, readsMetadata: readsMetadata, inParagraph: inParagraph, depth: depth + 1)
        default:
          visitForMetadata(
            current, readsMetadata: readsMetadata, inParagraph: inParagraph || tag == .paragraph, depth: depth + 1)
        }
      default: break
      }
      child = current.pointee.next
    }
  }

  func readMetadata(_ node: xmlNodePtr, tag: HTMLTag, attributes: ElementAttributes) {
    switch tag {
    case .title:
      if title == nil, let content = xmlNodeGetContent(node) {
        let value = Self.collapsed(String(cString: content))
        hatchery_xmlFree(content)
        if !value.isEmpty { title = value }
      }
    case .link:
      let rel = attributes.rel?.lowercased() ?? ""
      if rel.split(separator: " ").contains("canonical"), canonicalURL == nil { canonicalURL = attributes.href }
      noteLicenseLink(attributes)
    case .meta:
      if let name = attributes.name?.lowercased(),
        [
          "dc.rights", "dcterms.license", "dcterms.rights", "copyright",
          "dc.license",
        ].contains(name), let content = attributes.content, !content.isEmpty
      {
        addLicenseHint(content)
      }
    default: break
    }
  }

  func noteLicenseLink(_ attributes: ElementAttributes) {
    guard let href = attributes.href else { return }
    let isLicenseRel = attributes.rel.map { $0.lowercased().split(separator: " ").contains("license") } ?? false
    if isLicenseRel || href.contains("creativecommons.org/licenses/")
      || href.contains("creativecommons.org/publicdomain/")
    {
      addLicenseHint(href)
    }
  }

  func addLicenseHint(_ hint: String) {
    if !licenseHints.contains(hint) && licenseHints.count < 16 { licenseHints.append(hint) }
  }

  // MARK: Text into blocks

  /// Appends a text node, collapsing white space (and no-break spaces) to single spaces
  /// outside `<pre>`; counts characters, characters inside links, and words as it goes.
  func appendText(_ content: UnsafePointer<UInt8>) {
    let length = strlen(UnsafeRawPointer(content).assumingMemoryBound(to: CChar.self))
    guard length > 0 else { return }
    text.reserve(text.count + length + 2)
    let out = text.freeSpace.baseAddress!.assumingMemoryBound(to: UInt8.self)
    var written = 0
    var chars: Int32 = 0
    var words: Int32 = 0
    var space = pendingSpace
    let hasText = text.count > blockStart
    var inWord = wordOpen && !pendingSpace
    var index = 0
    if preDepth > 0 {
      // Preformatted text (code, poetry) keeps its spacing; words are counted all the same, so
      // a code listing in an article counts as its content.
      while index < length {
        let byte = content[index]
        out[written] = byte
        written += 1
        if byte <= 0x20 {
          inWord = false
        } else if byte & 0xC0 != 0x80 {
          chars += 1
          if !inWord {
            words += 1
            inWord = true
          }
        }
        index += 1
      }
      wordOpen = inWord
    } else {
      var started = hasText
      while index < length {
        let byte = content[index]
        // A soft hyphen (U+00AD) marks where a word may break across lines; it is not text, and
        // left in it splits the word for every later reader ("Wäh\u{AD}rend").
        if byte == 0xC2 && index + 1 < length && content[index + 1] == 0xAD {
          index += 2
          continue
        }
        let isSpace =
          ASCII.isHTMLWhitespace(byte)
          || (byte == 0xC2 && index + 1 < length && content[index + 1] == 0xA0)
        if isSpace {
          if byte == 0xC2 { index += 1 }
          space = started
          inWord = false
        } else {
          if space {
            out[written] = 0x20
            written += 1
            space = false
          }
          out[written] = byte
          written += 1
          started = true
          if byte & 0xC0 != 0x80 {
            chars += 1
            if !inWord {
              words += 1
              inWord = true
            } else if byte >= 0xE3 && byte <= 0xE9 {
              // Kana and CJK ideographs (U+3000–U+9FFF) are written without spaces: each
              // counts as a word, so Chinese and Japanese prose is not taken for a dateline.
              words += 1
            }
          }
        }
        index += 1
      }
      pendingSpace = space
      // A word continued across inline elements (`<b>in</b>line`) stays one word.
      wordOpen = inWord
    }
    text.didAppend(written)
    blockChars += chars
    blockWords += words
    if linkDepth > 0 { blockLinkChars += chars }
  }

  /// A dateline has fewer words than this (`lexicalWords`: "15. Mai 2019, 05:28 Uhr", "Friday |
  /// 14 June 2019 | 15:49 BY Jane Doe IN Fashion | 0 COMMENTS").
  static let datelineWords: Int32 = 15

  /// The words of a line, leaving out runs of ASCII punctuation: the separators of a dateline
  /// ("Friday | 14 June 2019 | 15:49 BY Jane Doe IN Fashion | 0 COMMENTS") do not make it
  /// longer.
  static func lexicalWords(_ line: Slice<UnsafeRawBufferPointer>) -> Int32 {
    var words: Int32 = 0
    var counted = false
    for byte in line {
      if byte == 0x20 {
        counted = false
      } else if !counted && (byte >= 0x80 || ASCII.isAlphanumeric(byte)) {
        words += 1
        counted = true
      } else if counted && byte >= 0xE3 && byte <= 0xE9 {
        words += 1  // each kana or CJK ideograph, as `appendText` counts them
      }
    }
    return words
  }

  /// Whether the line ends as a sentence does (`.`, `!`, `?`, or their CJK full-width forms), or
  /// as one that introduces what follows (`:`; "On Tue, 10 Sep 2002 01:20 PDT, Jane wrote:").
  static func endsAsSentence(_ line: Slice<UnsafeRawBufferPointer>) -> Bool {
    guard let end = line.lastIndex(where: { $0 != 0x20 }) else { return false }
    let last = line[end]
    if last == UInt8(ascii: ".") || last == UInt8(ascii: "!") || last == UInt8(ascii: "?") || last == UInt8(ascii: ":")
    {
      return true
    }
    guard end - line.startIndex >= 2 else { return false }
    // 。 is E3 80 82; ！ ？ ： are EF BC 81, EF BC 9F, EF BC 9A.
    if line[end - 2] == 0xE3 && line[end - 1] == 0x80 { return last == 0x82 }
    return line[end - 2] == 0xEF && line[end - 1] == 0xBC && (last == 0x81 || last == 0x9F || last == 0x9A)
  }

  /// Whether a short line holds a year (19xx or 20xx, on its own) or a clock time (`5:28`) and
  /// does not end as a sentence does: a dateline over an article, whatever its language, not a
  /// line of its text.
  static func isDateline(_ line: Slice<UnsafeRawBufferPointer>) -> Bool {
    guard line.contains(where: { $0 != 0x20 }), !endsAsSentence(line), lexicalWords(line) < datelineWords else {
      return false
    }
    // A run of four digits from 1900 to 2099 between non-letters.
    func isYear(_ start: Int, digits: Int, before: UInt8, after: UInt8) -> Bool {
      digits == 4 && !ASCII.isLetter(before) && !ASCII.isLetter(after)
        && (line[start] == UInt8(ascii: "1") && line[start + 1] == UInt8(ascii: "9")
          || line[start] == UInt8(ascii: "2") && line[start + 1] == UInt8(ascii: "0"))
    }
    var digits = 0
    var before: UInt8 = 0x20
    var start = line.startIndex
    for index in line.indices {
      let byte = line[index]
      if ASCII.isDigit(byte) {
        if digits == 0 { start = index }
        digits += 1
        continue
      }
      if isYear(start, digits: digits, before: before, after: byte) { return true }
      // A clock time: one or two digits, a colon, two digits.
      if byte == UInt8(ascii: ":") && (digits == 1 || digits == 2) && index + 2 < line.endIndex
        && ASCII.isDigit(line[index + 1]) && ASCII.isDigit(line[index + 2])
        && (index + 3 == line.endIndex || !ASCII.isDigit(line[index + 3]))
      {
        return true
      }
      before = byte
      digits = 0
    }
    return isYear(start, digits: digits, before: before, after: 0x20)
  }

  /// Closes the block being built, if it has any text.
  func flush() {
    if text.count > blockStart && blockChars > 0 && openElement >= 0 {
      let tag = elements[Int(openElement)].tag
      blocks.append(
        Block(
          element: openElement, furniture: -1, row: openRow, start: Int32(blockStart),
          end: Int32(text.count), chars: blockChars, linkChars: blockLinkChars, links: blockLinks, words: blockWords,
          tag: tag,
          isDateline: blockWords < 2 * Self.datelineWords && preDepth == 0 && tag != .heading && tag != .title1
            && Self.isDateline(UnsafeRawBufferPointer(text.bytes)[blockStart..<text.count])))
    } else {
      text.truncate(to: blockStart)
    }
    startBlock()
  }

  /// Starts an empty block at the end of the text.
  @inline(__always) private func startBlock() {
    blockStart = text.count
    blockChars = 0
    blockLinkChars = 0
    blockLinks = 0
    blockWords = 0
    pendingSpace = false
    wordOpen = false
  }
}
