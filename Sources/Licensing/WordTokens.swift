import HatcheryCore

/// A text as lower-cased ASCII words (runs of letters and digits), each held as a hash with its
/// byte offsets: the form notices and licence texts are compared in, so punctuation, case, line
/// breaks and comment markers do not matter. One pass, linear in the text. British and American
/// spellings are one word ("licence" is held as "license"), so every rule reads both. A string
/// literal's escaped line break or tab ("\n", "\r", "\t") separates words as the character it
/// stands for would: a notice inside a bundler's `eval("/*\n * Licensed …")`.
struct WordTokens {
  private(set) var hashes: [UInt64] = []
  private(set) var starts: [Int] = []
  private(set) var ends: [Int] = []

  init(_ bytes: UnsafeRawBufferPointer) {
    let (british, american) = (Self.british, Self.american)
    var hash = FNV1a()
    var start = -1
    var index = 0
    while index <= bytes.count {
      defer { index += 1 }
      let byte: UInt8 = index < bytes.count ? bytes[index] : 0x20
      if ASCII.isAlphanumeric(byte) {
        if start < 0 { start = index }
        hash.add(ASCII.lowercased(byte))
        continue
      }
      if start >= 0 {
        let value = hash.value
        hashes.append(british.firstIndex(of: value).map { american[$0] } ?? value)
        starts.append(start)
        ends.append(index)
        hash = FNV1a()
        start = -1
      }
      // "\n" in a string literal: its letter starts no word.
      if byte == 0x5C, index + 1 < bytes.count, Self.escapedBreaks.contains(bytes[index + 1]) { index += 1 }
    }
  }

  /// The letters after a backslash that stand for a line break or a tab.
  static let escapedBreaks: [UInt8] = [UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t")]

  var count: Int { hashes.count }

  /// FNV-1a of a lower-case word, the value `hashes` holds for it.
  static func hash(_ word: String) -> UInt64 {
    let value = FNV1a.hash(word)
    return british.firstIndex(of: value).map { american[$0] } ?? value
  }

  static let spellings = [("licence", "license"), ("licences", "licenses"), ("licenced", "licensed")]
  static let british = spellings.map { FNV1a.hash($0.0) }
  static let american = spellings.map { FNV1a.hash($0.1) }
}
