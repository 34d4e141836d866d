import CLibXML2
import CXMLErrorSink
import Foundation
import HatcheryCore

extension HTMLExtractor {
  // MARK: Choosing the main content

  /// Blocks shorter than this many words count as furniture (datelines, "Share", menu items).
  /// On html-extract, 3, 4, 5 and 6 words gave F1 0.966, 0.966, 0.967 and 0.963; 10 gave 0.953.
  static let minimumProseWords: Int32 = 5
  /// Blocks with more of their characters inside links than this are link lists.
  static let maximumLinkDensity = 0.5

  func isProse(_ block: Block) -> Bool {
    guard block.chars > 0, !block.isDateline else { return false }
    let density = Double(block.linkChars) / Double(block.chars)
    return (density <= Self.maximumLinkDensity || isSignature(block) || isLinkedSentence(block))
      && (block.words >= Self.minimumProseWords || block.tag == .heading)
  }

  /// Text (bytes) outside links that makes a linked paragraph a sentence of its own.
  static let linkedSentenceText: Int32 = 30

  /// A paragraph that links its first sentence and goes on in its own words, ending as a
  /// sentence ("<a>Lobo says one should blog more on one's own blog.</a> I'll try it out.") is
  /// prose however much of it is link text; "Read more: <a>headline</a>" is not.
  func isLinkedSentence(_ block: Block) -> Bool {
    block.tag == .paragraph && block.chars - block.linkChars >= Self.linkedSentenceText
      && Self.endsAsSentence(UnsafeRawBufferPointer(text.bytes)[Int(block.start)..<Int(block.end)])
  }

  /// A heading with several links among its words is a signature naming the types it uses
  /// (`impl Sum<i128> for i128`), not a headline: a headline of a teaser card is one link.
  func isSignature(_ block: Block) -> Bool {
    block.tag == .heading && block.links >= 2 && block.linkChars < block.chars
  }

  /// Short text that is an item of a structure — a list item, a term or its description, a
  /// table cell — and not mostly link text, or a code listing: on reference pages these short
  /// lines are the content ("Since: 3.5", a parameter's type, a table's cells), while short lines
  /// of furniture are links or sit in furniture. A listing is code even when every name in it
  /// links to its definition (a synopsis: the header's path, the types); so is an entry's
  /// linked name (`isEntryName`).
  func isItemText(_ block: Block) -> Bool {
    switch block.tag {
    case .preformatted: return true
    case .heading: return isEntryName(block)
    case .listItem, .definition, .tableCell: return 2 * block.linkChars <= block.chars
    default: return false
    }
  }

  func isItem(_ block: Block) -> Bool { block.tag.isItem }

  /// A heading that is one linked word is an entry's name over its summary (a member list's
  /// `<h6><a href="method.add.html">group_add</a></h6>`): the entry's, as a row's linked cell is
  /// the row's. A teaser's headline has several words.
  func isEntryName(_ block: Block) -> Bool {
    block.tag == .heading && block.words == 1 && block.links == 1
  }

  /// How many times the prose's best score a list or table of links must score to be the page.
  static let listPageRatio = 2.0

  /// Furniture words count only on elements with less than these shares of the page's prose:
  /// an element holding most of the prose is the article whatever its classes say (a page
  /// layout's `has-sidebar`, WordPress's `tag-NAME` on the article itself).
  static let weakHintProseShare = 0.25
  static let strongHintProseShare = 0.5
  /// The most prose (characters) a teaser card holds.
  static let teaserProse = 400.0

  func isTeaserCard(_ element: Element) -> Bool {
    element.hasLinkedHeading && element.prose < Self.teaserProse
  }

  /// The most prose (characters) a card holds in a run of `cardRun` cards alike.
  static let cardRunProse = 1000.0
  static let cardRun = 3

  /// Three or more siblings in a row of the same tag and class, each with a linked headline and
  /// less than `cardRunProse` of prose, are cards for other pages ("Related posts" whose excerpts
  /// run longer than a teaser's), unless they hold half the page's prose: a blog's front page
  /// of short posts is its posts.
  func markCardRuns() {
    let pageShare = pageProse() * Self.strongHintProseShare
    for parent in elements.indices {
      let end = Int(elements[parent].endElement)
      var child = parent + 1
      var runStart = -1
      var runLength = 0
      while true {
        let isCard =
          child < end && elements[child].hasLinkedHeading && elements[child].prose < Self.cardRunProse
          && elements[child].classHash != 0
        if isCard && runLength > 0 && elements[child].classHash == elements[runStart].classHash
          && elements[child].tag == elements[runStart].tag
        {
          runLength += 1
        } else {
          if runLength >= Self.cardRun {
            var prose = 0.0
            var card = runStart
            for _ in 0..<runLength {
              prose += elements[card].prose
              card = Int(elements[card].endElement)
            }
            card = runStart
            if prose < pageShare {
              for _ in 0..<runLength {
                elements[card].isFurniture = true
                card = Int(elements[card].endElement)
              }
            }
          }
          runStart = isCard ? child : -1
          runLength = isCard ? 1 : 0
        }
        guard child < end else { break }
        child = Int(elements[child].endElement)
      }
    }
  }

  /// Decides which hinted elements are furniture and points every block at the innermost one.
  func markFurniture() {
    headingSeen.removeAll(keepingCapacity: true)
    headingSeen.append(contentsOf: repeatElement(false, count: elements.count))
    titledFirst.removeAll(keepingCapacity: true)
    titledFirst.append(contentsOf: repeatElement(false, count: elements.count))
    let titles = elements.lazy.filter { $0.tag == .title1 }.count
    for block in blocks {
      if isProse(block) { elements[Int(block.element)].prose += Double(block.chars - block.linkChars) }
      if isItem(block) && 2 * block.linkChars > block.chars {
        elements[Int(block.element)].linkItems += Double(block.chars)
      }
      // A teaser's headline is its link, all but a few characters of it: a heading with a fifth
      // or more outside its link is a declaration naming a type ("type Error = X"), and a linked
      // heading of one word a name (a member's, over its summary). An element whose first
      // heading is the page's one <h1> is the article it titles, no teaser for holding a
      // promotion's linked heading further down (a page of several <h1>s says nothing by them).
      guard block.tag == .heading || block.tag == .title1 else { continue }
      var element = Int(block.element)
      while element >= 0 && !headingSeen[element] {
        headingSeen[element] = true
        titledFirst[element] = block.tag == .title1 && titles == 1
        element = Int(elements[element].parent)
      }
      if block.tag == .heading, 5 * block.linkChars >= 4 * block.chars, !isSignature(block), block.words >= 2 {
        // An element already marked was passed by an earlier linked heading's walk, which went on
        // to the root: every page costs one walk up per element, not one per heading.
        var element = Int(block.element)
        while element >= 0 && !elements[element].hasLinkedHeading {
          if !titledFirst[element] { elements[element].hasLinkedHeading = true }
          element = Int(elements[element].parent)
        }
      }
    }
    for index in stride(from: elements.count - 1, through: 1, by: -1) {
      let parent = Int(elements[index].parent)
      if parent >= 0 {
        elements[parent].prose += elements[index].prose
        elements[parent].linkItems += elements[index].linkItems
      }
    }
    // On a page that is mostly lists of links (an index), the lists are its text: a hinted
    // sidebar holding the page's few sentences is still a sidebar.
    let prose = pageProse()
    let linkItems = elements.reduce(0) { $1.parent < 0 ? $0 + $1.linkItems : $0 }
    let countsLinkItems = linkItems > Self.listPageRatio * prose
    let total = max(prose + (countsLinkItems ? linkItems : 0), 1)
    for index in elements.indices {
      let content = elements[index].prose + (countsLinkItems ? elements[index].linkItems : 0)
      switch elements[index].hint {
      case .strongNegative:
        elements[index].isFurniture =
          content < total * Self.strongHintProseShare || opensWithCopyrightNotice(element: index)
      case .weakNegative: elements[index].isFurniture = content < total * Self.weakHintProseShare
      case .none, .positive: break
      }
    }
    if !countsLinkItems { liftHintsThatEraseThePage(prose: prose) }
    markHeaderFieldLists()
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
    markCardRuns()
    for index in blocks.indices {
      var element = blocks[index].element
      while element >= 0 && !elements[Int(element)].isFurniture { element = elements[Int(element)].parent }
      blocks[index].furniture = element
    }
  }

  /// Whether the element's first prose is a copyright notice: a footer so marked stays one
  /// however much of the page's prose it holds (a manual's shortest entries say less than the
  /// notice and licence under them), while an element that only wraps the page and its footer
  /// opens with the page's own text.
  func opensWithCopyrightNotice(element: Int) -> Bool {
    let bytes = UnsafeRawBufferPointer(text.bytes)
    for block in blocks[Int(elements[element].firstBlock)..<Int(elements[element].endBlock)]
    where isProse(block) || block.isDateline {
      return Self.opensWithCopyrightNotice(bytes[Int(block.start)..<Int(block.end)])
    }
    return false
  }

  /// "Copyright" followed by "©", "(c)" or a year, or "©" itself: not "Copyright law …".
  static func opensWithCopyrightNotice(_ text: Slice<UnsafeRawBufferPointer>) -> Bool {
    let sign: [UInt8] = [0xC2, 0xA9]
    let word = Array("copyright".utf8)
    let rest = text.drop { $0 == 0x20 }
    if rest.starts(with: sign) { return true }
    guard rest.count > word.count, zip(rest, word).allSatisfy({ ASCII.lowercased($0) == $1 }) else { return false }
    let after = rest.dropFirst(word.count).drop { $0 == 0x20 }
    guard let first = after.first else { return false }
    return after.starts(with: sign) || ASCII.isDigit(first)
      || after.prefix(3).map(ASCII.lowercased) == Array("(c)".utf8)
  }

  /// Hints that would leave less than this share of the page's prose outside furniture are not
  /// furniture marks: they name the page's content. Lifted word by word, at most `liftRounds`
  /// words.
  static let erasedProseShare = 0.25
  static let liftRounds = 4

  /// A thread page (a forum's topic, a Q&A page) may call each post a `comment`: every post is
  /// then furniture by its class, and nothing would be left. When the hinted elements hold all
  /// but a quarter of the page's prose, the hints on elements with prose are lifted; those
  /// without (share menus, link bars) stay furniture. An article's comments leave the article.
  /// Not on an index page, whose lists of links are its content and leave the hinted prose
  /// (a sidebar's blurb) aside.
  func liftHintsThatEraseThePage(prose total: Double) {
    guard total > 0 else { return }
    // The word whose elements erase the most is lifted first, then the next, until a quarter of
    // the prose is left: a page whose sections all say `--Ads` (or whose paragraphs say
    // `paywall`) keeps its author box and its footer's link lists out.
    var lifted = false
    for _ in 0..<Self.liftRounds {
      erasedByWord.removeAll(keepingCapacity: true)
      erasedByWord.append(contentsOf: repeatElement(0, count: 256))
      var erased = 0.0
      insideFurniture.removeAll(keepingCapacity: true)
      for index in elements.indices {
        let parent = Int(elements[index].parent)
        let outer = parent >= 0 && insideFurniture[parent]
        if elements[index].isFurniture && !outer {
          erased += elements[index].prose
          erasedByWord[Int(elements[index].hintWord)] += elements[index].prose
        }
        insideFurniture.append(outer || elements[index].isFurniture)
      }
      guard total - erased < total * Self.erasedProseShare else { break }
      let word = erasedByWord.indices.max { erasedByWord[$0] < erasedByWord[$1] } ?? 0
      for index in elements.indices
      where elements[index].isFurniture && elements[index].prose > 0 && Int(elements[index].hintWord) == word {
        elements[index].isFurniture = false
      }
      lifted = true
    }
    if lifted { return }
    // The same inside an element kept, despite its furniture word, for holding all but a quarter
    // of the prose, when it is a run of parts named after it (Spirit's `comments_list` of
    // `comments_list__comment` posts, each with its `comment__text`): those parts are that
    // content too. A layout's `has-sidebar` around an article and one sidebar is left alone.
    var index = 0
    while index < elements.count {
      let element = elements[index]
      guard element.hint == .strongNegative, element.hintWord != 0, !element.isFurniture,
        total - element.prose < total * Self.erasedProseShare
      else {
        index += 1
        continue
      }
      let end = Int(element.endElement)
      let parts = elements[(index + 1)..<end].lazy.filter {
        Int($0.parent) == index && $0.hintWord == element.hintWord && $0.prose > 0
      }.count
      if parts >= 2 {
        for inner in (index + 1)..<end
        where elements[inner].isFurniture && elements[inner].hintWord == element.hintWord && elements[inner].prose > 0 {
          elements[inner].isFurniture = false
        }
      }
      index = Int(element.endElement)
    }
  }

  /// A mail's header fields (RFC 5322's originator, destination, identification and
  /// informational fields, RFC 2369's and 2919's list fields): what a mail archive shows around
  /// the message, as its metadata.
  static let headerFieldNames: [[UInt8]] = [
    "from", "sender", "reply-to", "to", "cc", "bcc", "date", "subject", "message-id", "in-reply-to", "references",
    "delivered-to", "return-path", "organization", "list-id", "list-archive", "list-help", "list-post",
    "list-subscribe", "list-unsubscribe", "list-owner",
  ].map { Array($0.utf8) }
  /// Items of header fields a list or table needs (and at least half of its items).
  static let headerFieldItems: Int32 = 3

  /// Whether the block's text starts with a mail header field's name and its colon ("From: …").
  func startsWithHeaderField(_ block: Block) -> Bool {
    let bytes = UnsafeRawBufferPointer(text.bytes)
    var end = Int(block.start)
    let limit = min(Int(block.end), end + 20)
    while end < limit, ASCII.isLetter(bytes[end]) || bytes[end] == UInt8(ascii: "-") { end += 1 }
    guard end < limit, end > Int(block.start), bytes[end] == UInt8(ascii: ":") else { return false }
    let name = UnsafeRawBufferPointer(rebasing: bytes[Int(block.start)..<end])
    return Self.headerFieldNames.contains { field in
      field.count == name.count && zip(field, name).allSatisfy { $0 == ASCII.lowercased($1) }
    }
  }

  /// A list or table whose items are mostly a mail's header fields ("From: …", "Date: …",
  /// "List-Id: …"), with an address among its items, is the envelope of the message a mail
  /// archive shows, not its text: the items are short and not links, so they would otherwise
  /// count as a reference page's items. (A page explaining header fields names no address.)
  func markHeaderFieldLists() {
    headerFieldCounts.removeAll(keepingCapacity: true)
    headerFieldCounts.append(contentsOf: repeatElement(0, count: 3 * elements.count))
    let bytes = UnsafeRawBufferPointer(text.bytes)
    for block in blocks where block.tag.isItem {
      // An item is a list's item or a table's row; the list or table is its parent.
      let item = block.row >= 0 ? Int(block.row) : Int(block.element)
      let list = Int(elements[item].parent)
      guard list >= 0 else { continue }
      headerFieldCounts[3 * list] += 1
      if startsWithHeaderField(block) { headerFieldCounts[3 * list + 1] += 1 }
      // The address may be in the field's own item or, in a table, in the cell beside its name.
      if bytes[Int(block.start)..<Int(block.end)].contains(UInt8(ascii: "@")) { headerFieldCounts[3 * list + 2] += 1 }
    }
    for index in elements.indices {
      let items = headerFieldCounts[3 * index]
      let fields = headerFieldCounts[3 * index + 1]
      if fields >= Self.headerFieldItems && 2 * fields >= items && headerFieldCounts[3 * index + 2] > 0 {
        elements[index].isFurniture = true
        elements[index].isEnvelope = true
      }
    }
  }

  func selectAndWrite() -> String {
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
      // A message's header fields are dropped from whatever element is chosen and do not count
      // against the elements around them: a message whose parts are the body's own children,
      // beside its header fields, is still best taken as the body.
      let isEnvelope = block.furniture >= 0 && elements[Int(block.furniture)].isEnvelope
      elements[Int(block.element)].score += isEnvelope ? 0 : value
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
    if !isListPage { best = enclosingRun(of: enclosingText(of: best)) }
    best = declaredMain(around: isListPage ? namedContent(around: listWithItsProse(bestList)) : best)
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
    keepTablesWhole(from: best)
    markItemsWithText(from: best)
    markLayoutRows(from: best)
    output.removeAll()
    let isContent = { (block: Block) in
      self.isProse(block) || self.isItemText(block) || (isListPage && self.isItem(block))
    }
    var kept: [Int] = []
    var keptContent = false
    var keptText = false
    for blockIndex in Int(chosen.firstBlock)..<Int(chosen.endBlock) {
      let block = blocks[blockIndex]
      // Furniture nested inside the chosen element; a hint on the element or its ancestors
      // was evidently wrong, since the element was chosen.
      if block.furniture > Int32(best) && block.furniture < chosen.endElement { continue }
      // An <h1> ahead of the text is the page's title (the page's `title`, not its text); one
      // after text has begun is a heading of the text (a post's Markdown heading).
      if block.tag == .title1 && !keptContent { continue }
      // A dateline between the headline and the text is the frame's, as one above both is.
      if block.isDateline && !keptText { continue }
      if Double(block.linkChars) > Double(block.chars) * Self.maximumLinkDensity && !(isListPage && isItem(block))
        && block.tag != .preformatted
        && !isSignature(block) && !isEntryName(block) && !isLinkedSentence(block)
        && !(block.tag == .tableCell && block.row >= 0 && rowWeights[Int(block.row)] >= 2)
        && !itemHasText[item(of: Int(block.element))]
      {
        continue
      }
      kept.append(blockIndex)
      if isContent(block) { keptContent = true }
      if isContent(block) && block.tag != .heading { keptText = true }
    }
    // Short lines before the first and after the last prose ("Comments", "Related articles",
    // a dateline) belong to the frame around the article, not to it; so does a heading after
    // the last text, which heads nothing ("Tags", "Related posts" over links left out), unless
    // it is a declaration or an entry's name.
    guard let first = kept.firstIndex(where: { isContent(blocks[$0]) }),
      var last = kept.lastIndex(where: { isContent(blocks[$0]) })
    else { return "" }
    while last > first && blocks[kept[last]].tag == .heading && !isSignature(blocks[kept[last]])
      && !isEntryName(blocks[kept[last]])
    {
      last -= 1
    }
    last = beforeCookieNotice(kept, first: first, last: last, isContent: isContent)
    var previousRow: Int32 = -1
    var previousCell = -1
    for blockIndex in kept[first...last] {
      let block = blocks[blockIndex]
      let inDataRow = block.row >= 0 && !isLayoutRow(Int(block.row))
      let cell = inDataRow ? self.cell(of: Int(block.element), in: Int(block.row)) : -1
      if output.count > 0 {
        // A data row is one line: its cells tab-separated, the lines of one cell (`<br>`, `<p>`)
        // spaced.
        let sameRow = inDataRow && block.row == previousRow
        output.append(sameRow ? (cell == previousCell ? [0x20] : [0x09]) : [0x0A])
      }
      output.append(
        UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(text.bytes)[Int(block.start)..<Int(block.end)]))
      previousRow = block.row
      previousCell = cell
    }
    return String(decoding: UnsafeRawBufferPointer(output.bytes), as: UTF8.self)
  }

  /// At most this share of the text before it may speak of cookies for a closing run of
  /// cookie lines to be a notice (a recipe for cookies speaks of them throughout).
  static let cookieNoticeShare = 0.1

  /// The last kept block before a consent notice that closes the text — lines that all speak of
  /// cookies or are no prose ("Was sind Cookies?", "Our website uses cookies…", "OK") — when the
  /// text before it hardly does; `last` when there is none.
  func beforeCookieNotice(_ kept: [Int], first: Int, last: Int, isContent: (Block) -> Bool) -> Int {
    var start = last
    var noticeProse = 0
    while start > first {
      let block = blocks[kept[start]]
      if isContent(block) && !speaksOfCookies(block) { break }
      if isContent(block) { noticeProse += Int(block.chars) }
      start -= 1
    }
    guard noticeProse > 0, start < last else { return last }
    var prose = 0
    var cookieProse = 0
    for index in first...start where isContent(blocks[kept[index]]) {
      prose += Int(blocks[kept[index]].chars)
      if speaksOfCookies(blocks[kept[index]]) { cookieProse += Int(blocks[kept[index]].chars) }
    }
    return Double(cookieProse) <= Double(prose) * Self.cookieNoticeShare ? start : last
  }

  /// Whether the block's text has the word "cookie" in it, in any case (as most European
  /// languages write it).
  func speaksOfCookies(_ block: Block) -> Bool {
    let bytes = UnsafeRawBufferPointer(text.bytes)
    let last = Int(block.end) - "cookie".utf8.count
    guard last >= Int(block.start) else { return false }
    return (Int(block.start)...last).contains { CharsetDecoder.matchesLowercased(bytes, at: $0, "cookie") }
  }

  /// The item (list item, term or description) a block's element is a part of — a class-marked
  /// inline element or a div inside an item takes the item's tag — or the element itself.
  func item(of element: Int) -> Int {
    var item = element
    while elements[item].tag.isItem, elements[item].parent >= 0,
      elements[Int(elements[item].parent)].tag == elements[item].tag
    {
      item = Int(elements[item].parent)
    }
    return item
  }

  /// An item with text in it is kept whole, as a table's row is: a table of contents' entry
  /// `<dt><span class="refentrytitle"><a>GTask</a></span> — <span class="refpurpose">Cancellable
  /// task</span></dt>` is the linked name and its purpose, not the purpose alone.
  func markItemsWithText(from chosen: Int) {
    itemHasText.removeAll(keepingCapacity: true)
    itemHasText.append(contentsOf: repeatElement(false, count: elements.count))
    for block in blocks[Int(elements[chosen].firstBlock)..<Int(elements[chosen].endBlock)]
    where block.tag.isItem && 2 * block.linkChars <= block.chars {
      itemHasText[item(of: Int(block.element))] = true
    }
  }

  /// Structure in one row that makes it a page layout's row, in thirds of a heading or paragraph:
  /// a data row's cells are short, or one of them describes the others; a word processor may
  /// set a row's first cell as a heading, and a data cell may hold a short list.
  static let layoutRowProse: Int32 = 9

  /// A table row of one cell, or one holding the structure of a text — headings and `<p>` of
  /// prose ending as sentences (a word processor's data cells are `<p>` too), a code listing
  /// (counting twice: two are a listing's line numbers and its lines), list items (a third each)
  /// — to the weight of `layoutRowProse`, is a page layout's (an old template's `<td
  /// id="middle">` around the article, a manual's boxed tip, a member list set in two columns):
  /// its blocks are lines of their own, where a data row is one line.
  func markLayoutRows(from chosen: Int) {
    rowProse.removeAll(keepingCapacity: true)
    rowProse.append(contentsOf: repeatElement(0, count: elements.count))
    rowCells.removeAll(keepingCapacity: true)
    rowCells.append(contentsOf: repeatElement(0, count: elements.count))
    for block in blocks[Int(elements[chosen].firstBlock)..<Int(elements[chosen].endBlock)] where block.row >= 0 {
      switch block.tag {
      case .preformatted: rowProse[Int(block.row)] += 6
      case .heading, .title1: rowProse[Int(block.row)] += 3
      // A `<p>` directly in a cell takes the cell's tag (`visitElement`); the cell's own text
      // does not count.
      case .paragraph, .tableCell:
        if isProse(block) && elements[Int(block.element)].parent != block.row
          && Self.endsAsSentence(UnsafeRawBufferPointer(text.bytes)[Int(block.start)..<Int(block.end)])
        {
          rowProse[Int(block.row)] += 3
        }
      case .listItem, .definition: rowProse[Int(block.row)] += 1
      default: break
      }
    }
    for index in chosen..<Int(elements[chosen].endElement) where elements[index].tag == .tableCell {
      let row = Int(elements[index].parent)
      if row >= 0 && elements[row].tag == .tableRow { rowCells[row] += 1 }
    }
  }

  func isLayoutRow(_ row: Int) -> Bool {
    rowCells[row] < 2 || rowProse[row] >= Self.layoutRowProse
  }

  /// The cell of `row` that an element inside it is in: the row's child around it (a `<p>` in a
  /// cell takes the cell's tag, so the tag does not tell).
  func cell(of element: Int, in row: Int) -> Int {
    var element = element
    while element > row && Int(elements[element].parent) != row { element = Int(elements[element].parent) }
    return element
  }

  /// A table most of whose rows are kept is kept whole: a code listing set out as a table of
  /// lines, whose lines are mostly links to the names they use, is one listing, not the lines
  /// that happen to name fewer of them.
  func keepTablesWhole(from chosen: Int) {
    tableBalances.removeAll(keepingCapacity: true)
    tableBalances.append(contentsOf: repeatElement(0, count: elements.count))
    let end = Int(elements[chosen].endElement)
    for row in chosen..<end where elements[row].tag == .tableRow && rowWeights[row] > 0 {
      if let table = enclosingTable(of: row, within: chosen) { tableBalances[table] += rowWeights[row] >= 2 ? 1 : -1 }
    }
    for row in chosen..<end where elements[row].tag == .tableRow && rowWeights[row] == 1 {
      if let table = enclosingTable(of: row, within: chosen), tableBalances[table] > 0 { rowWeights[row] = 2 }
    }
  }

  func enclosingTable(of row: Int, within chosen: Int) -> Int? {
    var element = Int(elements[row].parent)
    while element >= chosen {
      if elements[element].tag == .table { return element }
      element = Int(elements[element].parent)
    }
    return nil
  }

  /// How much prose the other parts of a run must hold, against the part with the best element,
  /// for the run to be the text (forums dev: 0.5, 1 and 2 gave F1 0.950, 0.944, 0.944; without
  /// the condition 0.957, but an article's repeated paragraph groups then took in its standfirst
  /// and dateline on five html-extract pages).
  static let runOthersShare = 0.5

  /// A post is one of a run: when the best element lies in one of two or more siblings of the
  /// same tag and class that hold prose (a forum topic's posts, a thread's messages) and the
  /// others hold enough of it, the element around the run is the text. Posts of short lines (a
  /// pasted log, a greeting and a signature) score below one long post.
  func enclosingRun(of best: Int) -> Int {
    var element = best
    while element >= 0 {
      let parent = Int(elements[element].parent)
      guard parent >= 0 else { break }
      let part = elements[element]
      if part.classHash != 0 {
        var runs = 0
        var runProse = 0.0
        var child = parent + 1
        while child < Int(elements[parent].endElement) {
          let sibling = elements[child]
          if sibling.tag == part.tag && sibling.classHash == part.classHash && !sibling.isFurniture
            && sibling.prose > 0
          {
            runs += 1
            runProse += sibling.prose
          }
          child = Int(sibling.endElement)
        }
        if runs >= 2 && runProse - part.prose >= Self.runOthersShare * part.prose { return parent }
      }
      element = parent
    }
    return best
  }

  /// A paragraph is never the whole text when the element around it holds more prose: short
  /// lines between the paragraphs (a greeting, a command, a signature) outweigh a second
  /// paragraph, so the maximum-sum element can be one paragraph of a post made of short lines.
  func enclosingText(of best: Int) -> Int {
    guard elements[best].tag == .paragraph else { return best }
    let parent = Int(elements[best].parent)
    guard parent >= 0 else { return best }
    let prose = blocks[Int(elements[parent].firstBlock)..<Int(elements[parent].endBlock)].lazy
      .filter { $0.furniture < 0 && self.isProse($0) }.count
    return prose >= 2 ? parent : best
  }

  /// The prose (characters) of the whole page: the sum over the top-level elements.
  func pageProse() -> Double {
    elements.reduce(0) { $1.parent < 0 ? $0 + $1.prose : $0 }
  }

  /// A list page's best list with the prose about it: the nearest element around the list that
  /// holds most of the page's prose, below `<body>`. A reference page's tables of members or
  /// instances outweigh its few sentences, which sit beside them (a module's description above
  /// its declarations); an index page's prose, a sidebar's blurb, is reached only at the body.
  func listWithItsProse(_ list: Int) -> Int {
    let total = pageProse()
    guard total > 0 else { return list }
    var element = list
    while element >= 0 {
      let candidate = elements[element]
      if candidate.tag == .body || candidate.tag == .html || candidate.isFurniture { return list }
      if candidate.prose >= total * Self.strongHintProseShare { return element }
      element = Int(candidate.parent)
    }
    return list
  }

  /// A list page whose best list is the whole page — a manual's table of contents beside a short
  /// entry outweighs the entry — is the element that its classes call the content (`main`,
  /// `content`) when that holds most of the page's prose: an index page's own list sits there
  /// too, and its sidebar's blurb is not most of its prose.
  func namedContent(around chosen: Int) -> Int {
    guard elements[chosen].tag == .body || elements[chosen].tag == .html else { return chosen }
    let total = pageProse()
    guard total > 0 else { return chosen }
    for index in (chosen + 1)..<Int(elements[chosen].endElement)
    where elements[index].hint == .positive && !elements[index].isFurniture
      && elements[index].prose >= total * Self.strongHintProseShare
    {
      return index
    }
    return chosen
  }

  /// The page's one `<main>` (or `role="main"`) element when the best element lies inside it and
  /// it holds most of the page's prose: reference pages put their content there as many short
  /// items (signatures, parameters, "Since: 3.5") around a few sentences, and the best element
  /// alone is one of those sentences; a list page's best list may be one of several tables
  /// there. Several main elements, or one the best element is not in, say nothing reliable.
  func declaredMain(around best: Int) -> Int {
    var main = -1
    for index in elements.indices where elements[index].isMain {
      if main >= 0 { return best }
      main = index
    }
    guard main >= 0, main < best, Int32(best) < elements[main].endElement else { return best }
    let total = max(pageProse(), 1)
    return elements[main].prose >= total * Self.strongHintProseShare ? main : best
  }

  static func collapsed(_ value: String) -> String {
    value.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
  }
}
