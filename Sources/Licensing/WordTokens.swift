/// A text as lower-cased ASCII words (runs of letters and digits), each held as a hash with its
/// byte offsets: the form notices and licence texts are compared in, so punctuation, case, line
/// breaks and comment markers do not matter. One pass, linear in the text.
struct WordTokens {
  private(set) var hashes: [UInt64] = []
  private(set) var starts: [Int] = []
  private(set) var ends: [Int] = []

  init(_ bytes: UnsafeRawBufferPointer) {
    var hash = Self.offsetBasis
    var start = -1
    for index in 0...bytes.count {
      let byte: UInt8 = index < bytes.count ? bytes[index] : 0x20
      let isWord = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
      if isWord {
        if start < 0 { start = index }
        hash = (hash ^ UInt64(byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte)) &* Self.prime
      } else if start >= 0 {
        hashes.append(hash)
        starts.append(start)
        ends.append(index)
        hash = Self.offsetBasis
        start = -1
      }
    }
  }

  var count: Int { hashes.count }

  private static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
  private static let prime: UInt64 = 0x100_0000_01B3

  /// FNV-1a of a lower-case word, the value `hashes` holds for it.
  static func hash(_ word: String) -> UInt64 {
    var value = offsetBasis
    for byte in word.utf8 { value = (value ^ UInt64(byte)) &* prime }
    return value
  }
}
