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
  public struct Repaired {
    /// Valid UTF-8: the input itself, or the normaliser's copy with replacements.
    public let text: UnsafeMutableRawBufferPointer
    /// Invalid sequences replaced by U+FFFD.
    public let replaced: Int
    /// The offset in the input of the first invalid sequence, when there was one.
    public let firstInvalidOffset: Int?
  }

  public struct Normalized {
    /// The normalised text; valid until the next call.
    public let text: UnsafeRawBufferPointer
    /// Whether `text` differs from the input bytes.
    public let changed: Bool
  }

  private let repairBuffer = ByteBuffer()
  private let nfcBuffer = ByteBuffer()
  private static let replacementCharacter: [UInt8] = [0xEF, 0xBF, 0xBD]

  public init() {}

  /// Checks UTF-8; when there are invalid sequences, returns a repaired copy (valid until the
  /// next call) with each maximal invalid subpart replaced by U+FFFD.
  public func repairUTF8(_ input: UnsafeMutableRawBufferPointer) -> Repaired {
    var position = 0
    var replaced = 0
    var firstInvalid: Int?
    while position < input.count {
      let rest = UnsafeRawBufferPointer(rebasing: input[position...])
      guard let invalid = Self.firstInvalidRange(rest) else { break }
      if replaced == 0 {
        repairBuffer.removeAll()
        repairBuffer.reserve(input.count + 64)
        firstInvalid = position + invalid.lowerBound
      }
      repairBuffer.append(UnsafeRawBufferPointer(rebasing: rest[..<invalid.lowerBound]))
      repairBuffer.append(Self.replacementCharacter)
      replaced += 1
      position += invalid.upperBound
    }
    guard replaced > 0 else { return Repaired(text: input, replaced: 0, firstInvalidOffset: nil) }
    repairBuffer.append(UnsafeRawBufferPointer(rebasing: input[position...]))
    return Repaired(text: repairBuffer.bytes, replaced: replaced, firstInvalidOffset: firstInvalid)
  }

  /// Folds line ends to `\n` (in place: the text only shrinks) and brings valid UTF-8 to NFC.
  public func normalize(valid input: UnsafeMutableRawBufferPointer) -> Normalized {
    guard !input.isEmpty else { return Normalized(text: UnsafeRawBufferPointer(input), changed: false) }
    var text = input
    var changed = false
    if let carriageReturn = memchr(text.baseAddress!, 0x0D, text.count) {
      let first = text.baseAddress!.distance(to: carriageReturn)
      text = UnsafeMutableRawBufferPointer(rebasing: text[..<Self.foldLineEnds(text, from: first)])
      changed = true
    }
    let valid = UnsafeRawBufferPointer(text)
    if !Self.isTriviallyNFC(valid) && !Self.passesNFCQuickCheck(valid) && normalizeLinesToNFC(valid) {
      return Normalized(text: UnsafeRawBufferPointer(nfcBuffer.bytes), changed: true)
    }
    return Normalized(text: valid, changed: changed)
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

  /// Whether the text is NFC by a test on its bytes alone: ASCII (eight bytes at a time),
  /// U+0080–U+02FF (Latin letters and symbols: none has a canonical decomposition and none
  /// combines with what precedes it; the combining marks start at U+0300) and U+2010–U+205F
  /// (dashes, quotes and other punctuation, same properties). On the books corpus this answers
  /// for almost every document and cut the normaliser's time from 8% of the stage to under 1%;
  /// anything else goes to the standard library's quick check.
  static func isTriviallyNFC(_ bytes: UnsafeRawBufferPointer) -> Bool {
    let count = bytes.count
    var index = 0
    while index < count {
      if index + 8 <= count && bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 == 0
      {
        index += 8
        continue
      }
      let lead = bytes[index]
      if lead < 0x80 {
        index += 1
      } else if lead >= 0xC2 && lead <= 0xCB {
        index += 2
      } else if lead == 0xE2 && index + 2 < count
        && ((bytes[index + 1] == 0x80 && bytes[index + 2] >= 0x90)
          || (bytes[index + 1] == 0x81 && bytes[index + 2] <= 0x9F))
      {
        index += 3
      } else {
        return false
      }
    }
    return true
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
