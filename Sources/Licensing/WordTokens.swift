import HatcheryCore

/// A text as lower-cased ASCII words (runs of letters and digits), each held as a hash with its
/// byte offsets: the form notices and licence texts are compared in, so punctuation, case, line
/// breaks and comment markers do not matter. One pass, linear in the text.
struct WordTokens {
  private(set) var hashes: [UInt64] = []
  private(set) var starts: [Int] = []
  private(set) var ends: [Int] = []

  init(_ bytes: UnsafeRawBufferPointer) {
    var hash = FNV1a()
    var start = -1
    for index in 0...bytes.count {
      let byte: UInt8 = index < bytes.count ? bytes[index] : 0x20
      if ASCII.isAlphanumeric(byte) {
        if start < 0 { start = index }
        hash.add(ASCII.lowercased(byte))
      } else if start >= 0 {
        hashes.append(hash.value)
        starts.append(start)
        ends.append(index)
        hash = FNV1a()
        start = -1
      }
    }
  }

  var count: Int { hashes.count }

  /// FNV-1a of a lower-case word, the value `hashes` holds for it.
  static func hash(_ word: String) -> UInt64 { FNV1a.hash(word) }
}
