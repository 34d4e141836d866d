import HatcheryCore

/// A rule a document failed: its name (the reason recorded), the value measured, what it matched
/// (an evaluation item, a block-list entry) and whether the document is only flagged, not dropped.
public struct RuleFailure: Sendable, Equatable {
  public let rule: String
  public let value: Double
  public var detail: String?
  public var flagOnly = false

  public init(rule: String, value: Double, detail: String? = nil, flagOnly: Bool = false) {
    self.rule = rule
    self.value = value
    self.detail = detail
    self.flagOnly = flagOnly
  }

  /// The decision's reason: the rule, and what it matched.
  public var reason: String { detail.map { "\(rule): \($0)" } ?? rule }
}

/// The rule families, each returning the first rule a document fails, or nil.
enum QualityRules {
  private static let stopWords: Set<UInt64> = Set(
    ["the", "be", "to", "of", "and", "that", "have", "with"].map { word in
      Array(word.utf8).withUnsafeBytes { XXHash.hash64($0) }
    })
  /// . ! ? " ' — a switch, not a Set<UInt8>: hashing every line's last byte showed in profiles.
  private static func isTerminalPunctuation(_ byte: UInt8) -> Bool {
    switch byte {
    case 0x2E, 0x21, 0x3F, 0x22, 0x27: true
    default: false
    }
  }

  private static func isASCIIPunctuation(_ byte: UInt8) -> Bool {
    (byte >= 0x21 && byte <= 0x2F) || (byte >= 0x3A && byte <= 0x40) || (byte >= 0x5B && byte <= 0x60)
      || (byte >= 0x7B && byte <= 0x7E)
  }

  private static func isAlphabetic(_ byte: UInt8) -> Bool {
    ASCII.isLetter(byte) || byte >= 0x80
  }

  private static func fail(_ rule: String, _ value: Double) -> RuleFailure { RuleFailure(rule: rule, value: value) }

  // MARK: Gopher quality

  static func gopherQuality(_ profile: TextProfile, _ t: QualityThresholds) -> RuleFailure? {
    // Words made only of punctuation do not count as words.
    let words = profile.words.filter { range in profile.bytes(range).contains { !isASCIIPunctuation($0) } }
    let count = words.count
    if count < t.minimumWords { return fail("gopher_short_doc", Double(count)) }
    if count > t.maximumWords { return fail("gopher_long_doc", Double(count)) }
    let meanLength = Double(words.reduce(0) { $0 + $1.count }) / Double(count)
    if meanLength < t.minimumMeanWordLength { return fail("gopher_below_avg_threshold", meanLength) }
    if meanLength > t.maximumMeanWordLength { return fail("gopher_above_avg_threshold", meanLength) }
    let all = Double(profile.words.count)
    let (hashCount, ellipsisCount) = profile.symbolCounts()
    let hashes = Double(hashCount)
    if hashes / all > t.maximumSymbolWordRatio { return fail("gopher_too_many_hashes", hashes / all) }
    let ellipses = Double(ellipsisCount)
    if ellipses / all > t.maximumSymbolWordRatio { return fail("gopher_too_many_ellipsis", ellipses / all) }
    let lines = Double(max(profile.lines.count, 1))
    let bullets = profile.lines.filter { line in
      let bytes = profile.bytes(line)
      return bytes.first == 0x2D || bytes.starts(with: "•".utf8)
    }.count
    if Double(bullets) / lines > t.maximumBulletLineRatio {
      return fail("gopher_too_many_bullets", Double(bullets) / lines)
    }
    let ellipsisEnds = profile.lines.filter { line in
      let bytes = profile.bytes(line)
      return bytes.reversed().starts(with: "...".utf8) || bytes.reversed().starts(with: "…".utf8.reversed())
    }.count
    if Double(ellipsisEnds) / lines > t.maximumEllipsisLineRatio {
      return fail("gopher_too_many_end_ellipsis", Double(ellipsisEnds) / lines)
    }
    let alphabetic = Double(profile.words.filter { profile.bytes($0).contains(where: isAlphabetic) }.count)
    if alphabetic / all < t.minimumAlphabeticWordRatio { return fail("gopher_below_alpha_threshold", alphabetic / all) }
    var lowered = [UInt8]()
    let stops = profile.words.filter { range in
      guard range.count <= 4 else { return false }
      lowered = profile.bytes(range).map(ASCII.lowercased)
      return stopWords.contains(lowered.withUnsafeBytes { XXHash.hash64($0) })
    }.count
    if stops < t.minimumStopWords { return fail("gopher_enough_stop_words", Double(stops)) }
    return nil
  }

  // MARK: Gopher repetition

  /// The number of ranges whose text appeared before, and their total length.
  private static func duplicates(_ ranges: [Range<Int>], _ profile: TextProfile) -> (count: Int, bytes: Int) {
    let seen = GramCounter()
    seen.reset(expected: ranges.count)
    var count = 0
    var bytes = 0
    for range in ranges where seen.add(profile.hash(range)) > 1 {
      count += 1
      bytes += range.count
    }
    return (count, bytes)
  }

  static func gopherRepetition(_ profile: TextProfile, _ t: QualityThresholds, counter: GramCounter) -> RuleFailure? {
    let length = Double(max(profile.text.count, 1))
    let paragraphs = duplicates(profile.paragraphs, profile)
    let paragraphFraction = Double(paragraphs.count) / Double(max(profile.paragraphs.count, 1))
    if paragraphFraction > t.maximumDuplicateParagraphFraction { return fail("dup_para_frac", paragraphFraction) }
    if Double(paragraphs.bytes) / length > t.maximumDuplicateParagraphCharacterFraction {
      return fail("dup_para_char_frac", Double(paragraphs.bytes) / length)
    }
    let lines = duplicates(profile.lines, profile)
    let lineFraction = Double(lines.count) / Double(max(profile.lines.count, 1))
    if lineFraction > t.maximumDuplicateLineFraction { return fail("dup_line_frac", lineFraction) }
    if Double(lines.bytes) / length > t.maximumDuplicateLineCharacterFraction {
      return fail("dup_line_char_frac", Double(lines.bytes) / length)
    }
    let words = profile.words.map { profile.hash($0) }
    // Prefix sums of word lengths: an n-gram's length in O(1).
    var ends = [0]
    ends.reserveCapacity(words.count + 1)
    for range in profile.words { ends.append(ends.last! + range.count) }
    for (n, threshold) in t.topNGramCharacterFractions.sorted(by: { $0.key < $1.key }) where words.count >= n {
      counter.reset(expected: words.count)
      var top: (count: Int32, length: Int) = (0, 0)
      for (start, gram) in nGramHashes(words, n: n).enumerated() {
        let count = counter.add(gram)
        if count > top.count { top = (count, ends[start + n] - ends[start]) }
      }
      // The top n-gram's characters (words joined by spaces) times its count, as in datatrove.
      if top.count > 1 {
        let covered = Double((top.length + n - 1) * Int(top.count))
        if covered / length > threshold { return fail("top_\(n)_gram", covered / length) }
      }
    }
    for (n, threshold) in t.duplicateNGramCharacterFractions.sorted(by: { $0.key < $1.key }) where words.count >= n {
      counter.reset(expected: words.count)
      let hashes = nGramHashes(words, n: n)
      var repeated = 0
      var start = 0
      while start <= words.count - n {
        if counter.add(hashes[start]) == 1 {
          start += 1
        } else {
          repeated += ends[start + n] - ends[start]
          start += n
        }
      }
      if Double(repeated) / length > threshold { return fail("duplicated_\(n)_n_grams", Double(repeated) / length) }
    }
    return nil
  }

  // MARK: C4

  /// "lorem ipsum" (bit 0), "{" (bit 1), then the notices that keep a line from counting as a
  /// sentence.
  private static let c4Phrases = PhraseSet([
    "lorem ipsum", "{", "javascript", "terms of use", "privacy policy", "cookie policy", "uses cookies",
    "use of cookies",
    "use cookies",
  ])

  /// C4's document rules; its line rules decide which lines count as sentences: a line counts
  /// when it ends in terminal punctuation, has at least `minimumWordsPerLine` words, no word
  /// over `maximumWordLength` bytes, and no "javascript" or cookie/policy notice.
  static func c4(_ profile: TextProfile, _ t: QualityThresholds) -> RuleFailure? {
    let phrases = c4Phrases.found(in: profile.text, 0..<profile.text.count)
    if phrases & 1 != 0 { return fail("lorem_ipsum", 1) }
    if phrases & 2 != 0 { return fail("curly_bracket", 1) }
    if !t.badWords.isEmpty {
      for word in profile.words {
        let bytes = profile.bytes(word)
        // A word with its surrounding punctuation trimmed, lower-cased in ASCII.
        var start = 0
        var end = bytes.count
        while start < end && isASCIIPunctuation(bytes[start]) { start += 1 }
        while end > start && isASCIIPunctuation(bytes[end - 1]) { end -= 1 }
        guard start < end else { continue }
        let lowered = String(decoding: bytes[start..<end].map(ASCII.lowercased), as: UTF8.self)
        if t.badWords.contains(lowered) { return fail("c4_badwords", 1) }
      }
    }
    // Line notices are looked for line by line only in documents that hold one at all: most do not.
    let notices = phrases & ~3 != 0
    var sentences = 0
    var wordIndex = 0
    for line in profile.lines {
      while wordIndex < profile.words.count && profile.words[wordIndex].upperBound <= line.lowerBound { wordIndex += 1 }
      var lineWords = 0
      var longWord = false
      var index = wordIndex
      while index < profile.words.count && profile.words[index].lowerBound < line.upperBound {
        lineWords += 1
        longWord = longWord || profile.words[index].count > t.maximumWordLength
        index += 1
      }
      guard isTerminalPunctuation(profile.text[line.upperBound - 1]), lineWords >= t.minimumWordsPerLine,
        !longWord,
        !notices || c4Phrases.found(in: profile.text, line) & ~3 == 0
      else { continue }
      var marks = 0
      for byte in profile.bytes(line) where byte == 0x2E || byte == 0x21 || byte == 0x3F { marks += 1 }
      sentences += max(1, marks)
    }
    if sentences < t.minimumSentences { return fail("c4_too_few_sentences", Double(sentences)) }
    return nil
  }

  // MARK: FineWeb

  static func fineWeb(_ profile: TextProfile, _ t: QualityThresholds) -> RuleFailure? {
    let lines = Double(max(profile.lines.count, 1))
    let punctuated = profile.lines.filter { isTerminalPunctuation(profile.text[$0.upperBound - 1]) }.count
    if Double(punctuated) / lines < t.minimumLinePunctuationRatio {
      return fail("line_punct_ratio", Double(punctuated) / lines)
    }
    let short = profile.lines.filter { $0.count <= t.shortLineLength }.count
    if Double(short) / lines > t.maximumShortLineRatio { return fail("short_line_ratio", Double(short) / lines) }
    let duplicated = duplicates(profile.lines, profile).bytes
    let characters = Double(max(profile.lines.reduce(0) { $0 + $1.count }, 1))
    if Double(duplicated) / characters > t.maximumCharacterDuplicateRatio {
      return fail("char_dup_ratio", Double(duplicated) / characters)
    }
    let newLines = Double(profile.text.filter { $0 == 0x0A }.count)
    let words = Double(max(profile.words.count, 1))
    if newLines / words > t.maximumNewLineWordRatio { return fail("list_ratio", newLines / words) }
    return nil
  }
}
