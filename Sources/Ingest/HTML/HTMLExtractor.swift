import CLibXML2
import CXMLErrorSink
import Foundation
import HatcheryCore

/// The main text of a web page and what the page says about itself.
public struct ExtractedPage: Sendable {
  /// Paragraphs, headings and list items as lines; table rows as tab-separated cells.
  public var text: String
  public var title: String?
  /// `<html lang>`.
  public var language: String?
  /// `<link rel="canonical">`.
  public var canonicalURL: String?
  /// Licence evidence for the licensing stage: `rel="license"` and Creative Commons links,
  /// `dc.rights`, `dcterms.license` and `copyright` meta values, in page order, without repeats.
  public var licenseHints: [String]
  /// The character set the page was decoded from.
  public var charset: String
  /// Invalid byte sequences replaced by U+FFFD while decoding.
  public var replacedSequences: Int
  /// The text was longer than the extractor's cap and was cut there.
  public var truncated: Bool
}

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
  private struct Element {
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
    var isFurniture: Bool
    /// Whether a heading made of a link is inside: the mark of a teaser card.
    var hasLinkedHeading: Bool
    /// `<main>` or `role="main"`.
    var isMain: Bool
  }

  private struct Block {
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
  }

  private let decoder = CharsetDecoder()
  private var elements: [Element] = []
  private var blocks: [Block] = []
  private let text = ByteBuffer(capacity: 1 << 18)
  private let output = ByteBuffer(capacity: 1 << 16)
  private let hintScratch = ByteBuffer(capacity: 256)
  private var teaserSiblings: [Int32] = []
  private var rowWeights: [Int32] = []

  // The block being built.
  private var blockStart = 0
  private var blockChars: Int32 = 0
  private var blockLinkChars: Int32 = 0
  private var blockLinks: Int32 = 0
  private var blockWords: Int32 = 0
  private var pendingSpace = false
  private var wordOpen = false
  private var openElement: Int32 = -1
  private var openRow: Int32 = -1
  private var linkDepth = 0
  private var preDepth = 0
  private var depth = 0

  // What the page says about itself.
  private var title: String?
  private var language: String?
  private var canonicalURL: String?
  private var licenseHints: [String] = []

  /// Elements nested deeper than this are read as flat text: a hostile page cannot exhaust
  /// the stack (libxml2 itself stops nesting at 256 without XML_PARSE_HUGE).
  private static let maximumDepth = 512

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
      throw HatcheryError("no HTML document could be parsed (empty or not markup)")
    }
    defer { xmlFreeDoc(document) }
    reset()
    if let root = xmlDocGetRootElement(document) { visit(root) }
    flush()
    let body = selectAndWrite()
    return ExtractedPage(
      text: body, title: title, language: language, canonicalURL: canonicalURL, licenseHints: licenseHints,
      charset: decoded.charset, replacedSequences: decoded.replaced, truncated: false)
  }

  private func reset() {
    elements.removeAll(keepingCapacity: true)
    blocks.removeAll(keepingCapacity: true)
    text.removeAll()
    blockStart = 0
    blockChars = 0
    blockLinkChars = 0
    blockLinks = 0
    blockWords = 0
    pendingSpace = false
    wordOpen = false
    openElement = -1
    openRow = -1
    linkDepth = 0
    preDepth = 0
    depth = 0
    title = nil
    language = nil
    canonicalURL = nil
    licenseHints.removeAll()
  }

  // MARK: Walking the tree

  private func visitChildren(_ node: xmlNodePtr) {
    var child = node.pointee.children
    while let current = child {
      visit(current)
      child = current.pointee.next
    }
  }

  private func visit(_ node: xmlNodePtr) {
    switch node.pointee.type {
    case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
      if let content = node.pointee.content { appendText(content) }
    case XML_ELEMENT_NODE:
      visitElement(node)
    default:
      break
    }
  }

  private func visitElement(_ node: xmlNodePtr) {
    guard let name = node.pointee.name else { return }
    let tag = HTMLTag.of(name)
    let attributes = ElementAttributes(node, scratch: hintScratch)
    switch tag {
    case .skipped: return
    case .head, .furniture:
      visitForMetadata(node)
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
      visitForMetadata(node)
      return
    }
    depth += 1
    defer { depth -= 1 }
    // Classes on <html> and <body> describe the page, not a part of it; a heading's weak
    // furniture words ("title", "headline") describe what a heading is anyway.
    let hint: BoilerplateHint =
      tag == .figure
      ? .strongNegative
      : tag == .html || tag == .body || (tag == .heading && attributes.hint == .weakNegative) ? .none : attributes.hint
    let breaks = (tag.breaksText || hint != .none || attributes.isMainRole) && depth < Self.maximumDepth
    guard breaks else {
      // A link to a place on the same page (`href="#…"`: a heading's permalink, a footnote
      // mark) points nowhere else: its text counts as text.
      let isLink = tag == .anchor && !Self.showsItsAddress(node) && attributes.href?.first != "#"
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
    let parentTag = openElement >= 0 ? elements[Int(openElement)].tag : .block
    let blockTag = (!tag.breaksText || tag == .block || tag == .paragraph) && parentTag.isItem ? parentTag : tag
    let index = Int32(elements.count)
    elements.append(
      Element(
        parent: openElement, firstBlock: Int32(blocks.count), endBlock: 0, endElement: 0, prose: 0, linkItems: 0,
        score: 0, listScore: 0, tag: blockTag, hint: hint, isFurniture: false, hasLinkedHeading: false,
        isMain: tag == .main || attributes.isMainRole))
    let (savedElement, savedRow) = (openElement, openRow)
    openElement = index
    if tag == .tableRow { openRow = index }
    if tag == .preformatted { preDepth += 1 }
    visitChildren(node)
    flush()
    if tag == .preformatted { preDepth -= 1 }
    (openElement, openRow) = (savedElement, savedRow)
    elements[Int(index)].endBlock = Int32(blocks.count)
    elements[Int(index)].endElement = Int32(elements.count)
  }

  /// A link whose text is an address written out ("see <https://…>") is a reference in the
  /// sentence, not navigation: its text counts as text.
  private static func showsItsAddress(_ anchor: xmlNodePtr) -> Bool {
    guard let child = anchor.pointee.children, child.pointee.type == XML_TEXT_NODE,
      let content = child.pointee.content
    else { return false }
    return strncmp(content, "https://", 8) == 0 || strncmp(content, "http://", 7) == 0
      || strncmp(content, "www.", 4) == 0
  }

  /// Inside furniture and `<head>`: only licence links, canonical links, titles and meta tags.
  private func visitForMetadata(_ node: xmlNodePtr) {
    var child = node.pointee.children
    while let current = child {
      if current.pointee.type == XML_ELEMENT_NODE, let name = current.pointee.name {
        let tag = HTMLTag.of(name)
        switch tag {
        case .skipped: break
        case .meta, .link, .title, .anchor:
          let attributes = ElementAttributes(current, scratch: hintScratch)
          if tag == .anchor {
            noteLicenseLink(attributes)
          } else {
            readMetadata(current, tag: tag, attributes: attributes)
          }
          visitForMetadata(current)
        default: visitForMetadata(current)
        }
      }
      child = current.pointee.next
    }
  }

  private func readMetadata(_ node: xmlNodePtr, tag: HTMLTag, attributes: ElementAttributes) {
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

  private func noteLicenseLink(_ attributes: ElementAttributes) {
    guard let href = attributes.href else { return }
    let isLicenseRel = attributes.rel.map { $0.lowercased().split(separator: " ").contains("license") } ?? false
    if isLicenseRel || href.contains("creativecommons.org/licenses/")
      || href.contains("creativecommons.org/publicdomain/")
    {
      addLicenseHint(href)
    }
  }

  private func addLicenseHint(_ hint: String) {
    if !licenseHints.contains(hint) && licenseHints.count < 16 { licenseHints.append(hint) }
  }

  // MARK: Text into blocks

  /// Appends a text node, collapsing white space (and no-break spaces) to single spaces
  /// outside `<pre>`; counts characters, characters inside links, and words as it goes.
  private func appendText(_ content: UnsafePointer<UInt8>) {
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

  /// Closes the block being built, if it has any text.
  private func flush() {
    if text.count > blockStart && blockChars > 0 && openElement >= 0 {
      blocks.append(
        Block(
          element: openElement, furniture: -1, row: openRow, start: Int32(blockStart),
          end: Int32(text.count), chars: blockChars, linkChars: blockLinkChars, links: blockLinks, words: blockWords,
          tag: elements[Int(openElement)].tag))
    } else {
      text.truncate(to: blockStart)
    }
    blockStart = text.count
    blockChars = 0
    blockLinkChars = 0
    blockLinks = 0
    blockWords = 0
    pendingSpace = false
    wordOpen = false
  }

  // MARK: Choosing the main content

  /// Blocks shorter than this many words count as furniture (datelines, "Share", menu items).
  /// On html-extract, 3, 4, 5 and 6 words gave F1 0.966, 0.966, 0.967 and 0.963; 10 gave 0.953.
  private static let minimumProseWords: Int32 = 5
  /// Blocks with more of their characters inside links than this are link lists.
  private static let maximumLinkDensity = 0.5

  private func isProse(_ block: Block) -> Bool {
    guard block.chars > 0 else { return false }
    let density = Double(block.linkChars) / Double(block.chars)
    return (density <= Self.maximumLinkDensity || isSignature(block))
      && (block.words >= Self.minimumProseWords || block.tag == .heading)
  }

  /// A heading with several links among its words is a signature naming the types it uses
  /// (`impl Sum<i128> for i128`), not a headline: a headline of a teaser card is one link.
  private func isSignature(_ block: Block) -> Bool {
    block.tag == .heading && block.links >= 2 && block.linkChars < block.chars
  }

  /// Short text that is an item of a structure — a list item, a term or its description, a
  /// table cell, a code listing — and not mostly link text: on reference pages these short lines
  /// are the content ("Since: 3.5", a parameter's type, a table's cells), while short lines of
  /// furniture are links or sit in furniture.
  private func isItemText(_ block: Block) -> Bool {
    switch block.tag {
    case .listItem, .definition, .tableCell, .preformatted: return 2 * block.linkChars <= block.chars
    default: return false
    }
  }

  private func isItem(_ block: Block) -> Bool { block.tag.isItem }

  /// How many times the prose's best score a list or table of links must score to be the page.
  private static let listPageRatio = 2.0

  /// Furniture words count only on elements with less than these shares of the page's prose:
  /// an element holding most of the prose is the article whatever its classes say (a page
  /// layout's `has-sidebar`, WordPress's `tag-NAME` on the article itself).
  private static let weakHintProseShare = 0.25
  private static let strongHintProseShare = 0.5
  /// The most prose (characters) a teaser card holds.
  private static let teaserProse = 400.0

  private func isTeaserCard(_ element: Element) -> Bool {
    element.hasLinkedHeading && element.prose < Self.teaserProse
  }

  /// Decides which hinted elements are furniture and points every block at the innermost one.
  private func markFurniture() {
    for block in blocks {
      if isProse(block) { elements[Int(block.element)].prose += Double(block.chars - block.linkChars) }
      if isItem(block) && 2 * block.linkChars > block.chars {
        elements[Int(block.element)].linkItems += Double(block.chars)
      }
      if block.tag == .heading, 2 * block.linkChars > block.chars, !isSignature(block) {
        elements[Int(block.element)].hasLinkedHeading = true
      }
    }
    for index in stride(from: elements.count - 1, through: 1, by: -1) {
      let parent = Int(elements[index].parent)
      if parent >= 0 {
        elements[parent].prose += elements[index].prose
        elements[parent].linkItems += elements[index].linkItems
        if elements[index].hasLinkedHeading { elements[parent].hasLinkedHeading = true }
      }
    }
    // On a page that is mostly lists of links (an index), the lists are its text: a hinted
    // sidebar holding the page's few sentences is still a sidebar.
    let prose = elements.reduce(0) { $1.parent < 0 ? $0 + $1.prose : $0 }
    let linkItems = elements.reduce(0) { $1.parent < 0 ? $0 + $1.linkItems : $0 }
    let countsLinkItems = linkItems > Self.listPageRatio * prose
    let total = max(prose + (countsLinkItems ? linkItems : 0), 1)
    for index in elements.indices {
      let content = elements[index].prose + (countsLinkItems ? elements[index].linkItems : 0)
      switch elements[index].hint {
      case .strongNegative: elements[index].isFurniture = content < total * Self.strongHintProseShare
      case .weakNegative: elements[index].isFurniture = content < total * Self.weakHintProseShare
      case .none, .positive: break
      }
    }
    // A linked headline over a short summary, next to others like it, is a teaser for another
    // page ("More stories"); one alone may be the article's own short header.
    teaserSiblings.removeAll(keepingCapacity: true)
    teaserSiblings.append(contentsOf: repeatElement(0, count: elements.count))
    for index in elements.indices where elements[index].parent >= 0 && isTeaserCard(elements[index]) {
      teaserSiblings[Int(elements[index].parent)] += 1
    }
    for index in elements.indices
    where elements[index].parent >= 0 && isTeaserCard(elements[index])
      && teaserSiblings[Int(elements[index].parent)] >= 2
    {
      elements[index].isFurniture = true
    }
    for index in blocks.indices {
      var element = blocks[index].element
      while element >= 0 && !elements[Int(element)].isFurniture { element = elements[Int(element)].parent }
      blocks[index].furniture = element
    }
  }

  private func selectAndWrite() -> String {
    guard !elements.isEmpty else { return "" }
    markFurniture()
    for block in blocks {
      let value: Double
      if block.furniture < 0 && isItemText(block) {
        value = Double(block.chars - block.linkChars)
      } else if block.furniture >= 0 || !isProse(block) {
        value = -Double(block.chars)
      } else {
        value = Double(block.chars - block.linkChars)
      }
      elements[Int(block.element)].score += value
      elements[Int(block.element)].listScore += block.furniture < 0 && isItem(block) ? Double(block.chars) : value
    }
    // Children come after their parents, so one backward pass sums every subtree.
    for index in stride(from: elements.count - 1, through: 0, by: -1) {
      let parent = Int(elements[index].parent)
      if parent >= 0 {
        elements[parent].score += elements[index].score
        elements[parent].listScore += elements[index].listScore
      }
    }
    var best = 0
    var bestList = 0
    for index in elements.indices {
      if elements[index].score >= elements[best].score { best = index }
      if elements[index].listScore >= elements[bestList].listScore { bestList = index }
    }
    // A page with little prose whose text is a list or table of links — an index, a table of
    // contents, a class's member list — has that list as its content.
    let isListPage = elements[bestList].listScore > Self.listPageRatio * max(elements[best].score, 0)
    best = isListPage ? bestList : declaredMain(around: best)
    let chosen = elements[best]
    // A data table's row is kept whole: its link cells (a package's name, a function's) go with
    // the row's text, and a row of two cells or more is a table's even when every cell is a link
    // (a member list's type and name); a menu is one link after another, not columns.
    // A row's weight: 2 for any block of text in it, 1 for a cell of links; 2 or more keeps it.
    rowWeights.removeAll(keepingCapacity: true)
    rowWeights.append(contentsOf: repeatElement(0, count: elements.count))
    for block in blocks[Int(chosen.firstBlock)..<Int(chosen.endBlock)] where block.row >= 0 {
      if 2 * block.linkChars <= block.chars {
        rowWeights[Int(block.row)] += 2
      } else if block.tag == .tableCell {
        rowWeights[Int(block.row)] += 1
      }
    }
    output.removeAll()
    var kept: [Int] = []
    for blockIndex in Int(chosen.firstBlock)..<Int(chosen.endBlock) {
      let block = blocks[blockIndex]
      // Furniture nested inside the chosen element; a hint on the element or its ancestors
      // was evidently wrong, since the element was chosen.
      if block.furniture > Int32(best) && block.furniture < chosen.endElement { continue }
      if block.tag == .title1 { continue }
      if Double(block.linkChars) > Double(block.chars) * Self.maximumLinkDensity && !(isListPage && isItem(block))
        && !isSignature(block)
        && !(block.tag == .tableCell && block.row >= 0 && rowWeights[Int(block.row)] >= 2)
      {
        continue
      }
      kept.append(blockIndex)
    }
    // Short lines before the first and after the last prose ("Comments", "Related articles",
    // a dateline) belong to the frame around the article, not to it.
    let isContent = { (block: Block) in
      self.isProse(block) || self.isItemText(block) || (isListPage && self.isItem(block))
    }
    guard let first = kept.firstIndex(where: { isContent(blocks[$0]) }),
      let last = kept.lastIndex(where: { isContent(blocks[$0]) })
    else { return "" }
    var previousRow: Int32 = -1
    for blockIndex in kept[first...last] {
      let block = blocks[blockIndex]
      if output.count > 0 { output.append(block.row >= 0 && block.row == previousRow ? [0x09] : [0x0A]) }
      output.append(
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(text.bytes)[Int(block.start)..<Int(block.end)]))
      previousRow = block.row
    }
    return String(decoding: UnsafeRawBufferPointer(output.bytes), as: UTF8.self)
  }

  /// The page's one `<main>` (or `role="main"`) element when the best element lies inside it and
  /// it holds most of the page's prose: reference pages put their content there as many short
  /// items (signatures, parameters, "Since: 3.5") around a few sentences, and the best element
  /// alone is one of those sentences. Several main elements, or one the best element is not
  /// in, say nothing reliable.
  private func declaredMain(around best: Int) -> Int {
    var main = -1
    for index in elements.indices where elements[index].isMain {
      if main >= 0 { return best }
      main = index
    }
    guard main >= 0, main < best, Int32(best) < elements[main].endElement else { return best }
    let total = max(elements.reduce(0) { $1.parent < 0 ? $0 + $1.prose : $0 }, 1)
    return elements[main].prose >= total * Self.strongHintProseShare ? main : best
  }

  static func collapsed(_ value: String) -> String {
    value.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
  }
}
