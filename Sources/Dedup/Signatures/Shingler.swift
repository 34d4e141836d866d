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
  /// Start and end offsets in `nearText` of each word, as Int32 pairs.
  private let wordBounds = ByteBuffer(capacity: 1 << 16)

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
    // A word takes at least one byte and one separator, so count / 2 + 1 words at most.
    wordBounds.removeAll()
    wordBounds.reserve((count / 2 + 1) * 8)
    let bounds = wordBounds.freeSpace.baseAddress!.assumingMemoryBound(to: Int32.self)
    var words = 0
    var inExactWord = false
    var inNearWord = false
    let caseFold = self.caseFold
    var index = 0
    Self.asciiClasses.withUnsafeBufferPointer { classes in
      while index < count {
        let byte = text[index]
        if byte < 0x80 {
          index += 1
          let lowered = ASCII.lowercased(byte)
          let kind = classes[Int(byte)]
          if kind == .space {
            if inNearWord {
              bounds[2 * words + 1] = Int32(nearCount)
              words += 1
            }
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
              bounds[2 * words] = Int32(nearCount)
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
          if inNearWord {
            bounds[2 * words + 1] = Int32(nearCount)
            words += 1
          }
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
          UnsafeMutableRawPointer(exact + exactCount).copyMemory(
            from: exactBytes.baseAddress!, byteCount: exactBytes.count)
          exactCount += exactBytes.count
          guard !Self.isPunctuation(scalar) else { return }
          if !inNearWord {
            if nearCount > 0 {
              near[nearCount] = 0x20
              nearCount += 1
            }
            bounds[2 * words] = Int32(nearCount)
            inNearWord = true
          }
          UnsafeMutableRawPointer(near + nearCount).copyMemory(from: folded.baseAddress!, byteCount: folded.count)
          nearCount += folded.count
        }
      }
    }
    if inNearWord {
      bounds[2 * words + 1] = Int32(nearCount)
      words += 1
    }
    exactText.didAppend(exactCount)
    nearText.didAppend(nearCount)
    makeShingles(words: words, bounds: bounds)
    return XXHash.hash128(UnsafeRawBufferPointer(exactText.bytes))
  }

  private func makeShingles(words: Int, bounds: UnsafePointer<Int32>) {
    wordCount = words
    var result = shingles
    shingles = []
    result.removeAll(keepingCapacity: true)
    if words > 0 {
      let text = UnsafeRawBufferPointer(nearText.bytes)
      let windows = max(1, words - shingleSize + 1)
      let span = min(shingleSize, words)
      result.reserveCapacity(windows)
      for start in 0..<windows {
        let bytes = UnsafeRawBufferPointer(
          rebasing: text[Int(bounds[2 * start])..<Int(bounds[2 * (start + span - 1) + 1])])
        result.append(XXHash.hash64(bytes))
      }
    }
    shingles = result
  }
}
