import HatcheryCore

/// Turns a document's text into what dedup compares, in one pass over its scalars:
/// - the exact fingerprint: XXH3-128 of the text with white space folded to single spaces and
///   trimmed (and case folded when asked);
/// - the word shingles for MinHash: words lower-cased, punctuation (Unicode category P) removed,
///   split at white space; each shingle is XXH3-64 of `shingleSize` consecutive words joined by
///   single spaces. A text with fewer words has one shingle of all its words; a text with no
///   words has none (and gets no signature: it can only be an exact duplicate).
///
/// ASCII goes through a 128-entry table; other scalars ask the Unicode properties, which is
/// only a small share of English text. Buffers are reused from document to document.
final class Shingler {
  let shingleSize: Int
  let caseFold: Bool
  private(set) var shingles: [UInt64] = []
  private(set) var wordCount = 0
  private let exactText = ByteBuffer(capacity: 1 << 16)
  private let nearText = ByteBuffer(capacity: 1 << 16)
  private var wordStarts: [Int] = []
  private var wordEnds: [Int] = []

  private enum ASCIIClass: UInt8 { case space, punctuation, other }
  private static let asciiClasses: [ASCIIClass] = (0..<128).map { value in
    let scalar = Unicode.Scalar(UInt8(value))
    if scalar.properties.isWhitespace { return .space }
    return isPunctuation(scalar) ? .punctuation : .other
  }

  init(shingleSize: Int, caseFold: Bool) {
    self.shingleSize = shingleSize
    self.caseFold = caseFold
  }

  static func isPunctuation(_ scalar: Unicode.Scalar) -> Bool {
    switch scalar.properties.generalCategory {
    case .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation, .initialPunctuation,
      .finalPunctuation, .otherPunctuation:
      return true
    default:
      return false
    }
  }

  /// Reads `text` (valid UTF-8); returns the exact fingerprint and leaves the shingles in
  /// `shingles`.
  ///
  /// The loop writes through raw pointers into buffers sized once per document (lower-casing
  /// grows a scalar by at most half, so twice the input always fits) and keeps its word lists
  /// in locals: with class properties in the loop, Swift's exclusivity checks took a fifth of
  /// the stage's time.
  func process(_ text: UnsafeRawBufferPointer) -> XXHash128 {
    let count = text.count
    exactText.removeAll()
    nearText.removeAll()
    exactText.reserve(2 * count + 16)
    nearText.reserve(2 * count + 16)
    let exact = exactText.freeSpace.baseAddress!.assumingMemoryBound(to: UInt8.self)
    let near = nearText.freeSpace.baseAddress!.assumingMemoryBound(to: UInt8.self)
    var exactCount = 0
    var nearCount = 0
    var starts = wordStarts
    var ends = wordEnds
    wordStarts = []
    wordEnds = []
    starts.removeAll(keepingCapacity: true)
    ends.removeAll(keepingCapacity: true)
    var inExactWord = false
    var inNearWord = false
    let caseFold = self.caseFold
    var index = 0
    Self.asciiClasses.withUnsafeBufferPointer { classes in
      while index < count {
        let byte = text[index]
        if byte < 0x80 {
          index += 1
          let lowered = byte >= 0x41 && byte <= 0x5A ? byte | 0x20 : byte
          let kind = classes[Int(byte)]
          if kind == .space {
            if inNearWord { ends.append(nearCount) }
            inExactWord = false
            inNearWord = false
            continue
          }
          if !inExactWord {
            if exactCount > 0 {
              exact[exactCount] = 0x20
              exactCount += 1
            }
            inExactWord = true
          }
          exact[exactCount] = caseFold ? lowered : byte
          exactCount += 1
          if kind == .other {
            if !inNearWord {
              if nearCount > 0 {
                near[nearCount] = 0x20
                nearCount += 1
              }
              starts.append(nearCount)
              inNearWord = true
            }
            near[nearCount] = lowered
            nearCount += 1
          }
          continue
        }
        let length = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : 2
        var value = UInt32(byte) & (length == 2 ? 0x1F : length == 3 ? 0x0F : 0x07)
        for offset in 1..<length where index + offset < count {
          value = value << 6 | UInt32(text[index + offset] & 0x3F)
        }
        let original = UnsafeRawBufferPointer(rebasing: text[index..<min(index + length, count)])
        index += length
        guard let scalar = Unicode.Scalar(value) else { continue }
        let properties = scalar.properties
        if properties.isWhitespace {
          if inNearWord { ends.append(nearCount) }
          inExactWord = false
          inNearWord = false
          continue
        }
        var lowered = properties.changesWhenLowercased ? properties.lowercaseMapping : ""
        lowered.withUTF8 { loweredBytes in
          let folded = loweredBytes.isEmpty ? original : UnsafeRawBufferPointer(loweredBytes)
          if !inExactWord {
            if exactCount > 0 {
              exact[exactCount] = 0x20
              exactCount += 1
            }
            inExactWord = true
          }
          let exactBytes = caseFold ? folded : original
          UnsafeMutableRawPointer(exact + exactCount).copyMemory(from: exactBytes.baseAddress!, byteCount: exactBytes.count)
          exactCount += exactBytes.count
          guard !Self.isPunctuation(scalar) else { return }
          if !inNearWord {
            if nearCount > 0 {
              near[nearCount] = 0x20
              nearCount += 1
            }
            starts.append(nearCount)
            inNearWord = true
          }
          UnsafeMutableRawPointer(near + nearCount).copyMemory(from: folded.baseAddress!, byteCount: folded.count)
          nearCount += folded.count
        }
      }
    }
    if inNearWord { ends.append(nearCount) }
    exactText.didAppend(exactCount)
    nearText.didAppend(nearCount)
    wordStarts = starts
    wordEnds = ends
    makeShingles()
    return XXHash.hash128(UnsafeRawBufferPointer(exactText.bytes))
  }

  private func makeShingles() {
    shingles.removeAll(keepingCapacity: true)
    wordCount = wordStarts.count
    guard wordCount > 0 else { return }
    let text = UnsafeRawBufferPointer(nearText.bytes)
    let windows = max(1, wordCount - shingleSize + 1)
    let span = min(shingleSize, wordCount)
    for start in 0..<windows {
      let bytes = UnsafeRawBufferPointer(rebasing: text[wordStarts[start]..<wordEnds[start + span - 1]])
      shingles.append(XXHash.hash64(bytes))
    }
  }
}
