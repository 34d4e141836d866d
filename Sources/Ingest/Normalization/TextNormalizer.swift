import Foundation
import HatcheryCore

/// Turns raw document bytes into the stored form: valid UTF-8 (invalid sequences replaced by
/// U+FFFD, one per maximal invalid subpart, or refused), `\n` line ends, Unicode NFC. It reuses
/// its buffers from document to document, so the hot path allocates nothing per document.
///
/// Cost on 40 MB of books (release build): validation 2.7 GB/s, the ASCII test several GB/s,
/// and the standard library's NFC quick check 450 MB/s on non-ASCII text. Full normalisation
/// runs at only ~40 MB/s, so it is applied line by line, to the lines that fail the quick check;
/// `\n` is a safe place to cut because it never combines with a neighbour.
public final class TextNormalizer {
  /// What one pass over a text's bytes learns: that it is valid UTF-8, its length in scalars and
  /// whether the quick check passes (it is NFC).
  public struct Survey: Sendable {
    public let scalars: Int
    public let isNFC: Bool
  }

  public struct Repaired {
    /// Valid UTF-8: the input itself, or the normaliser's copy with replacements.
    public let text: UnsafeMutableRawBufferPointer
    /// Invalid sequences replaced by U+FFFD.
    public let replaced: Int
    /// The offset in the input of the first invalid sequence, when there was one.
    public let firstInvalidOffset: Int?
    /// The survey of valid input, for `normalize`, so that the text is read once.
    public let survey: Survey?
  }

  public struct Normalized {
    /// The normalised text; valid until the next call.
    public let text: UnsafeRawBufferPointer
    /// Whether `text` differs from the input bytes.
    public let changed: Bool
    /// Unicode scalars in `text`.
    public let scalars: Int
  }

  private let repairBuffer = ByteBuffer()
  private let nfcBuffer = ByteBuffer()
  private static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]

  public init() {}

  /// Checks UTF-8; when there are invalid sequences, returns a repaired copy (valid until the
  /// next call) with each maximal invalid subpart replaced by U+FFFD.
  public func repairUTF8(_ input: UnsafeMutableRawBufferPointer) -> Repaired {
    if let survey = Self.survey(UnsafeRawBufferPointer(input)) {
      return Repaired(text: input, replaced: 0, firstInvalidOffset: nil, survey: survey)
    }
    var position = 0
    var replaced = 0
    var firstInvalid: Int?
    repairBuffer.removeAll()
    repairBuffer.reserve(input.count + 64)
    while position < input.count {
      let rest = UnsafeRawBufferPointer(rebasing: input[position...])
      guard let invalid = Self.firstInvalidRange(rest) else { break }
      if replaced == 0 { firstInvalid = position + invalid.lowerBound }
      repairBuffer.append(UnsafeRawBufferPointer(rebasing: rest[..<invalid.lowerBound]))
      repairBuffer.append(Self.replacementCharacter)
      replaced += 1
      position += invalid.upperBound
    }
    repairBuffer.append(UnsafeRawBufferPointer(rebasing: input[position...]))
    return Repaired(text: repairBuffer.bytes, replaced: replaced, firstInvalidOffset: firstInvalid, survey: nil)
  }

  /// Folds line ends to `\n` (in place: the text only shrinks) and brings valid UTF-8 to NFC.
  /// `survey`: `input`'s, when `repairUTF8` made one.
  public func normalize(valid input: UnsafeMutableRawBufferPointer, survey known: Survey? = nil) -> Normalized {
    guard !input.isEmpty else { return Normalized(text: UnsafeRawBufferPointer(input), changed: false, scalars: 0) }
    var text = input
    var changed = false
    if let carriageReturn = memchr(text.baseAddress!, 0x0D, text.count) {
      let first = text.baseAddress!.distance(to: carriageReturn)
      text = UnsafeMutableRawBufferPointer(rebasing: text[..<Self.foldLineEnds(text, from: first)])
      changed = true
    }
    let valid = UnsafeRawBufferPointer(text)
    // Folding removes only carriage returns, one byte and one scalar each, and leaves a line end
    // where each was, so no two characters become neighbours: NFC or not, as before.
    guard
      let survey = known.map({ Survey(scalars: $0.scalars - (input.count - valid.count), isNFC: $0.isNFC) })
        ?? Self.survey(valid)
    else { preconditionFailure("normalize(valid:) was given invalid UTF-8") }
    if !survey.isNFC && normalizeLinesToNFC(valid) {
      let normalized = UnsafeRawBufferPointer(nfcBuffer.bytes)
      return Normalized(text: normalized, changed: true, scalars: Self.scalarCount(normalized))
    }
    return Normalized(text: valid, changed: changed, scalars: survey.scalars)
  }

  /// Surveys `bytes`; nil when they are not valid UTF-8. Runs of the characters
  /// `isTriviallyNFC` accepts are read at its speed; from any other character to the end of
  /// its line, the standard library validates and quick-checks (what precedes it on the line is
  /// ASCII, Latin or punctuation: starters that combine with nothing, so the check can start there).
  static func survey(_ bytes: UnsafeRawBufferPointer) -> Survey? {
    let count = bytes.count
    var index = 0
    var scalars = 0
    var isNFC = true
    while index < count {
      let (trivialEnd, trivialScalars) = trivialPrefix(UnsafeRawBufferPointer(rebasing: bytes[index...]))
      scalars += trivialScalars
      index += trivialEnd
      guard index < count else { break }
      let lineEnd =
        memchr(bytes.baseAddress! + index, 0x0A, count - index).map { bytes.baseAddress!.distance(to: $0) + 1 } ?? count
      let segment = UnsafeRawBufferPointer(rebasing: bytes[index..<lineEnd])
      let span = Span<UInt8>(_unsafeElements: segment.assumingMemoryBound(to: UInt8.self))
      guard var utf8 = try? UTF8Span(validating: span) else { return nil }
      if isNFC { isNFC = utf8.checkForNFC(quickCheck: true) }
      scalars += scalarCount(segment)
      index = lineEnd
    }
    return Survey(scalars: scalars, isNFC: isNFC)
  }

  /// The byte range of the first invalid UTF-8 sequence (a maximal invalid subpart), if any.
  static func firstInvalidRange(_ bytes: UnsafeRawBufferPointer) -> Range<Int>? {
    let span = Span<UInt8>(_unsafeElements: bytes.assumingMemoryBound(to: UInt8.self))
    do {
      _ = try UTF8Span(validating: span)
      return nil
    } catch {
      return error.byteOffsets
    }
  }

  /// Rewrites `\r\n` and a lone `\r` as `\n`, in place, starting at the first `\r`; returns the
  /// new length. Moves whole lines with memmove between the `\r`s that memchr finds: twice as
  /// fast as a byte loop on CRLF books.
  private static func foldLineEnds(_ text: UnsafeMutableRawBufferPointer, from first: Int) -> Int {
    let base = text.baseAddress!
    let count = text.count
    var read = first
    var write = first
    while read < count {
      // text[read] is a '\r'.
      base.storeBytes(of: 0x0A, toByteOffset: write, as: UInt8.self)
      write += 1
      read += (read + 1 < count && text[read + 1] == 0x0A) ? 2 : 1
      let next = memchr(base + read, 0x0D, count - read).map { base.distance(to: $0) } ?? count
      if next > read {
        if write != read { memmove(base + write, base + read, next - read) }
        write += next - read
        read = next
      }
    }
    return write
  }

  /// Whether the text is NFC by a test on its bytes alone: ASCII (sixteen bytes at a time),
  /// U+0080–U+02FF (Latin letters and symbols: none has a canonical decomposition and none
  /// combines with what precedes it; the combining marks start at U+0300) and U+2010–U+205F
  /// (dashes, quotes and other punctuation, same properties). On the books corpus this answers
  /// for almost every document and cut the normaliser's time from 8% of the stage to under 1%;
  /// anything else goes to the standard library's quick check.
  static func isTriviallyNFC(_ bytes: UnsafeRawBufferPointer) -> Bool {
    trivialPrefix(bytes).end == bytes.count
  }

  /// How many leading bytes are valid UTF-8 of only the characters `isTriviallyNFC` accepts, and
  /// their scalars. One pass answers validity, NFC and length for most text.
  private static func trivialPrefix(_ bytes: UnsafeRawBufferPointer) -> (end: Int, scalars: Int) {
    let count = bytes.count
    var index = 0
    var multibyteExtra = 0
    while index < count {
      if index + 16 <= count
        && (bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
          | bytes.loadUnaligned(fromByteOffset: index + 8, as: UInt64.self)) & 0x8080_8080_8080_8080 == 0
      {
        index += 16
        continue
      }
      let lead = bytes[index]
      if lead < 0x80 {
        index += 1
      } else if lead >= 0xC2 && lead <= 0xCB && index + 1 < count && bytes[index + 1] & 0xC0 == 0x80 {
        index += 2
        multibyteExtra += 1
      } else if lead == 0xE2 && index + 2 < count
        && ((bytes[index + 1] == 0x80 && bytes[index + 2] >= 0x90 && bytes[index + 2] <= 0xBF)
          || (bytes[index + 1] == 0x81 && bytes[index + 2] >= 0x80 && bytes[index + 2] <= 0x9F))
      {
        index += 3
        multibyteExtra += 2
      } else {
        break
      }
    }
    return (index, index - multibyteExtra)
  }

  private static func passesNFCQuickCheck(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let span = Span<UInt8>(_unsafeElements: bytes.assumingMemoryBound(to: UInt8.self))
    // The bytes were validated (or repaired) above.
    var utf8 = unsafe UTF8Span(unchecked: span)
    return utf8.checkForNFC(quickCheck: true)
  }

  /// Writes the NFC form of `text` into `nfcBuffer`, normalising only lines that fail the quick
  /// check. Returns whether anything changed.
  private func normalizeLinesToNFC(_ text: UnsafeRawBufferPointer) -> Bool {
    nfcBuffer.removeAll()
    nfcBuffer.reserve(text.count + text.count / 8)
    var changed = false
    var lineStart = 0
    while lineStart < text.count {
      let rest = UnsafeRawBufferPointer(rebasing: text[lineStart...])
      let lineLength =
        memchr(rest.baseAddress!, 0x0A, rest.count).map { rest.baseAddress!.distance(to: $0) + 1 } ?? rest.count
      let line = UnsafeRawBufferPointer(rebasing: rest[..<lineLength])
      if Self.isTriviallyNFC(line) || Self.passesNFCQuickCheck(line) {
        nfcBuffer.append(line)
      } else {
        // `_nfcCodeUnits` is the standard library's public (underscored) NFC normaliser, the
        // one Foundation uses; no other NFC implementation ships with the toolchain on Linux.
        let normalized = String(decoding: line, as: UTF8.self)._nfcCodeUnits
        if !normalized.elementsEqual(line) { changed = true }
        nfcBuffer.append(normalized)
      }
      lineStart += lineLength
    }
    return changed
  }

  /// Unicode scalars in valid UTF-8: the bytes that do not continue a sequence.
  public static func scalarCount(_ bytes: UnsafeRawBufferPointer) -> Int {
    var continuation = 0
    var index = 0
    while index + 8 <= bytes.count {
      let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
      // A continuation byte is 10xxxxxx: bit 7 set and bit 6 clear.
      continuation += (word & ~(word << 1) & 0x8080_8080_8080_8080).nonzeroBitCount
      index += 8
    }
    while index < bytes.count {
      if bytes[index] & 0xC0 == 0x80 { continuation += 1 }
      index += 1
    }
    return bytes.count - continuation
  }
}
