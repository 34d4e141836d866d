import HatcheryCore

/// What an element's `class` and `id` say about its role: the conventions of web templates
/// (`comments`, `share-bar`, `sidebar`, `related-posts`, `ad-slot`…) mark page furniture far
/// more reliably than any text statistic can.
///
/// Strong words (`comments`, `sidebar`, `share`) mark furniture outright. Weak ones (`tag`,
/// `meta`, `author`, `date`) are also common in the classes of article wrappers (WordPress
/// writes `tag-NAME` and `category-NAME` on the article itself), so they yield to a positive word
/// on the same element, and the extractor honours them only on elements holding little text.
enum BoilerplateHint: UInt8 {
  case none, weakNegative, strongNegative, positive

  /// Words that mark furniture wherever they appear in a class or id (`post-comments`,
  /// `shareButtons`, `newsletterSignup`).
  private static let strongFragments: [[UInt8]] = [
    "comment", "sidebar", "footer", "social", "share", "sharing", "related", "newsletter", "subscri", "promo",
    "advert", "sponsor", "cookie", "consent", "banner", "breadcrumb", "recommend", "outbrain", "taboola", "popup",
    "modal", "widget", "masthead", "pagination", "signup", "toolbar", "navbar", "navigation", "menu", "disqus",
    "trending", "popular", "readmore", "read-more", "paywall", "login", "carousel", "slideshow", "tooltip",
    "overlay", "more-stories", "morestories", "next-article", "excerpt",
  ].map { Array($0.utf8) }

  private static let weakFragments: [[UInt8]] = [
    "byline", "caption", "author", "teaser", "gallery",
  ].map { Array($0.utf8) }

  /// Weak words that count only as a whole part of a class name, between `-` or `_`
  /// (`ad-slot`, not `head`).
  /// Held as FNV-1a hashes so a token is looked up without building an array; each maps to its
  /// place in the list (for `weakWord`).
  private static let negativeTokens: [UInt64: UInt8] = Dictionary(
    uniqueKeysWithValues: [
      "ad", "ads", "adv", "nav", "meta", "tag", "tags", "skip", "hide", "hidden", "none", "noprint", "dateline",
      "date", "timestamp", "credit", "credits", "copyright", "disclaimer", "search", "rating", "rail", "aside",
      "sponsored", "kicker", "headline", "title",
    ].enumerated().map { (FNV1a.hash($1), UInt8($0)) })

  /// Words that mark the main text (`article-body`, `entry-content`, `story`, schema.org's
  /// `articleBody`).
  private static let positiveFragments: [[UInt8]] = [
    "article", "content", "entry", "post", "story", "body", "main", "text", "prose", "blog",
  ].map { Array($0.utf8) }

  /// Classifies the lower-cased `class` and `id` values, separated by spaces. Each class name
  /// is judged alone, and a purely positive name wins over furniture words in the others, so
  /// `entry-content entry-content-read-more` is the article while `article-comments` is not.
  static func of(_ lowered: UnsafeRawBufferPointer) -> BoilerplateHint {
    var result = BoilerplateHint.none
    var start = 0
    for index in 0...lowered.count where index == lowered.count || ASCII.isHTMLWhitespace(lowered[index]) {
      if index > start {
        let name = ofClassName(UnsafeRawBufferPointer(rebasing: lowered[start..<index]))
        if name == .positive { return .positive }
        if name.rank > result.rank { result = name }
      }
      start = index + 1
    }
    return result
  }

  /// Which furniture word (1-based, in `strongFragments`'s order; 0 for none) the lower-cased
  /// `class` and `id` values hold first: a template names a block's parts after it
  /// (`comments_list`, `comments_list__comment`, `comment__text`).
  static func strongWord(_ lowered: UnsafeRawBufferPointer) -> UInt8 {
    for (index, fragment) in strongFragments.enumerated() where contains(lowered, fragment) {
      return UInt8(index + 1)
    }
    return 0
  }

  private var rank: Int {
    switch self {
    case .none: return 0
    case .weakNegative: return 1
    case .strongNegative: return 2
    case .positive: return 3
    }
  }

  private static func ofClassName(_ name: UnsafeRawBufferPointer) -> BoilerplateHint {
    for fragment in strongFragments where contains(name, fragment) { return .strongNegative }
    for fragment in positiveFragments where contains(name, fragment) { return .positive }
    for fragment in weakFragments where contains(name, fragment) { return .weakNegative }
    return negativeToken(name) != nil ? .weakNegative : .none
  }

  /// The place of the first weak token among a class name's parts, if any.
  private static func negativeToken(_ name: UnsafeRawBufferPointer) -> UInt8? {
    var partStart = 0
    for index in 0...name.count where index == name.count || name[index] == 0x2D || name[index] == 0x5F {
      if index > partStart,
        let token = negativeTokens[FNV1a.hash(UnsafeRawBufferPointer(rebasing: name[partStart..<index]))]
      {
        return token
      }
      partStart = index + 1
    }
    return nil
  }

  /// Which weak furniture word the lower-cased `class` and `id` values hold first, numbered after
  /// the strong ones (64 and up; 0 for none): the pages' parts that one word marks are lifted
  /// together when the marks would erase the page.
  static func weakWord(_ lowered: UnsafeRawBufferPointer) -> UInt8 {
    for (index, fragment) in weakFragments.enumerated() where contains(lowered, fragment) {
      return UInt8(64 + index)
    }
    var start = 0
    for index in 0...lowered.count where index == lowered.count || ASCII.isHTMLWhitespace(lowered[index]) {
      if index > start, let token = negativeToken(UnsafeRawBufferPointer(rebasing: lowered[start..<index])) {
        return 96 + token
      }
      start = index + 1
    }
    return 0
  }

  private static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: [UInt8]) -> Bool {
    guard haystack.count >= needle.count else { return false }
    let first = needle[0]
    var index = 0
    let last = haystack.count - needle.count
    while index <= last {
      if haystack[index] == first {
        var matched = 1
        while matched < needle.count && haystack[index + matched] == needle[matched] { matched += 1 }
        if matched == needle.count { return true }
      }
      index += 1
    }
    return false
  }
}
