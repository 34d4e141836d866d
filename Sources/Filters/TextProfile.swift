import HatcheryCore

/// What the quality rules measure, taken from a document's UTF-8 bytes in one pass: words (runs
/// between ASCII white space), lines (`\n`-separated, trimmed, blank ones left out) and
/// paragraphs (separated by blank lines), as byte ranges. Non-ASCII bytes count as word
/// characters; lengths are in bytes, as datatrove's rules count characters of mostly ASCII text.
struct TextProfile {
  let text: UnsafeRawBufferPointer
  private(set) var words: [Range<Int>] = []
  private(set) var lines: [Range<Int>] = []
  private(set) var paragraphs: [Range<Int>] = []

  init(_ text: UnsafeRawBufferPointer) {
    self.text = text
    var wordStart = -1
    var lineStart = 0
    var paragraphStart = -1
    var paragraphEnd = 0
    var blankRun = false
    for index in 0...text.count {
      let byte: UInt8 = index < text.count ? text[index] : 0x0A
      let space = ASCII.isWhitespace(byte)
      if space {
        if wordStart >= 0 {
          words.append(wordStart..<index)
          wordStart = -1
        }
      } else if wordStart < 0 {
        wordStart = index
      }
      guard byte == 0x0A else { continue }
      let line = Self.trimmed(lineStart..<index, in: text)
      if line.isEmpty {
        if paragraphStart >= 0 && !blankRun {
          paragraphs.append(paragraphStart..<paragraphEnd)
          paragraphStart = -1
        }
        blankRun = true
      } else {
        lines.append(line)
        if paragraphStart < 0 { paragraphStart = line.lowerBound }
        paragraphEnd = line.upperBound
        blankRun = false
      }
      lineStart = index + 1
    }
    if paragraphStart >= 0 { paragraphs.append(paragraphStart..<paragraphEnd) }
  }

  private static func trimmed(_ range: Range<Int>, in text: UnsafeRawBufferPointer) -> Range<Int> {
    var start = range.lowerBound
    var end = range.upperBound
    while start < end && ASCII.isWhitespace(text[start]) { start += 1 }
    while end > start && ASCII.isWhitespace(text[end - 1]) { end -= 1 }
    return start..<end
  }

  func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: text[range]) }

  func hash(_ range: Range<Int>) -> UInt64 { XXHash.hash64(bytes(range)) }

  /// Gopher's symbols in one pass: '#' characters, and ellipses ("..." and "…", non-overlapping).
  func symbolCounts() -> (hashes: Int, ellipses: Int) {
    var hashes = 0
    var ellipses = 0
    var index = 0
    let count = text.count
    while index < count {
      switch text[index] {
      case 0x23:
        hashes += 1
        index += 1
      case 0x2E where index + 2 < count && text[index + 1] == 0x2E && text[index + 2] == 0x2E:
        ellipses += 1
        index += 3
      case 0xE2 where index + 2 < count && text[index + 1] == 0x80 && text[index + 2] == 0xA6:
        ellipses += 1
        index += 3
      default:
        index += 1
      }
    }
    return (hashes, ellipses)
  }
}
