/// The HTML elements the content extractor distinguishes; every other name is `.inline`, whose
/// text flows into the surrounding block.
enum HTMLTag: UInt8 {
  case inline
  /// Never text: scripts, styles, embedded media, form controls.
  case skipped
  /// Page furniture by definition (`nav`, `aside`, `footer`, `header`, `menu`): read only for
  /// licence links, never for text.
  case furniture
  /// Starts and ends a block of text without a role of its own (`div`, `section`, `article`…).
  case block
  /// `main`: the page's main content by its own markup; otherwise a `.block`.
  case main
  case paragraph
  case title1
  /// `h2`–`h6`: kept as lines of their own.
  case heading
  case listItem
  /// `dt` and `dd`: a term and its description.
  case definition
  case table, tableRow, tableCell
  case preformatted
  case lineBreak
  case anchor
  /// Images with captions; the caption is not article text.
  case figure
  case html, head, body, title, meta, link

  /// Whether the element's start and end break the text into separate blocks.
  var breaksText: Bool {
    switch self {
    case .block, .main, .paragraph, .title1, .heading, .listItem, .definition, .table, .tableRow, .tableCell,
      .preformatted, .lineBreak, .body, .html:
      return true
    default: return false
    }
  }

  /// A list item, a term or its description, a table cell.
  var isItem: Bool { self == .listItem || self == .definition || self == .tableCell }

  /// Looks a lower-case element name up (libxml2's HTML parser lowers names). Names are packed
  /// into one integer so the lookup hashes a word, not a string: no allocation per element.
  static func of(_ name: UnsafePointer<UInt8>) -> HTMLTag {
    var key: UInt64 = 0
    var length = 0
    while name[length] != 0 {
      if length == 8 { return longNames[String(cString: name)] ?? .inline }
      key |= UInt64(name[length]) << (8 * UInt64(length))
      length += 1
    }
    return shortNames[key] ?? .inline
  }

  private static func pack(_ name: String) -> UInt64 {
    var key: UInt64 = 0
    for (index, byte) in name.utf8.enumerated() { key |= UInt64(byte) << (8 * UInt64(index)) }
    return key
  }

  private static let names: [(String, HTMLTag)] = [
    ("script", .skipped), ("style", .skipped), ("noscript", .skipped), ("template", .skipped), ("svg", .skipped),
    ("math", .skipped), ("iframe", .skipped), ("object", .skipped), ("embed", .skipped), ("canvas", .skipped),
    ("video", .skipped), ("audio", .skipped), ("picture", .skipped), ("select", .skipped), ("option", .skipped),
    ("button", .skipped), ("input", .skipped), ("textarea", .skipped), ("label", .skipped), ("dialog", .skipped),
    ("nav", .furniture), ("aside", .furniture), ("footer", .furniture), ("header", .furniture), ("menu", .furniture),
    ("div", .block), ("section", .block), ("article", .block), ("main", .main), ("blockquote", .block),
    ("center", .block), ("dl", .block), ("dt", .definition), ("dd", .definition), ("ul", .block), ("ol", .block),
    ("address", .block), ("details", .block), ("summary", .block), ("form", .block), ("fieldset", .block),
    ("hr", .block), ("caption", .block), ("thead", .block), ("tbody", .block), ("tfoot", .block),
    ("p", .paragraph), ("h1", .title1), ("h2", .heading), ("h3", .heading), ("h4", .heading), ("h5", .heading),
    ("h6", .heading), ("li", .listItem), ("table", .table), ("tr", .tableRow), ("td", .tableCell),
    ("th", .tableCell), ("pre", .preformatted), ("br", .lineBreak), ("a", .anchor), ("figure", .figure),
    ("figcaption", .figure), ("html", .html), ("head", .head), ("body", .body), ("title", .title),
    ("meta", .meta), ("link", .link),
  ]

  private static let shortNames: [UInt64: HTMLTag] = Dictionary(
    uniqueKeysWithValues: names.filter { $0.0.utf8.count <= 8 }.map { (pack($0.0), $0.1) })
  private static let longNames: [String: HTMLTag] = Dictionary(
    uniqueKeysWithValues: names.filter { $0.0.utf8.count > 8 })
}
