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
    if !Self.isASCII(valid) && !Self.passesNFCQuickCheck(valid) && normalizeLinesToNFC(valid) {
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
  /// new length.
  private static func foldLineEnds(_ text: UnsafeMutableRawBufferPointer, from first: Int) -> Int {
    var read = first
    var write = first
    let count = text.count
    while read < count {
      let byte = text[read]
      if byte == 0x0D {
        text[write] = 0x0A
        read += (read + 1 < count && text[read + 1] == 0x0A) ? 2 : 1
      } else {
        text[write] = byte
        read += 1
      }
      write += 1
    }
    return write
  }

  /// Whether every byte is below 0x80, eight bytes at a time.
  static func isASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
    var index = 0
    var accumulated: UInt64 = 0
    while index + 8 <= bytes.count {
      accumulated |= bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
      index += 8
    }
    while index < bytes.count {
      accumulated |= UInt64(bytes[index])
      index += 1
    }
    return accumulated & 0x8080_8080_8080_8080 == 0
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
      let lineLength = memchr(rest.baseAddress!, 0x0A, rest.count).map { rest.baseAddress!.distance(to: $0) + 1 } ?? rest.count
      let line = UnsafeRawBufferPointer(rebasing: rest[..<lineLength])
      if Self.isASCII(line) || Self.passesNFCQuickCheck(line) {
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
