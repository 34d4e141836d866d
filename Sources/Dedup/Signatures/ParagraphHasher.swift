import Foundation
import HatcheryCore

/// One paragraph of a document for paragraph-level exact dedup: a line (`\n`-terminated) that is
/// not blank, its byte range in the text (with its line end) and its fingerprint.
struct Paragraph: Sendable {
  var hash: XXHash128
  var start: UInt32
  var end: UInt32
  var words: UInt32
}

/// Splits a text into paragraphs (lines, as Dolma's paragraph dedup does) and fingerprints each:
/// XXH3-128 of the line with ASCII white space folded to single spaces and trimmed, ASCII
/// letters lower-cased when asked. Words are the runs between white space.
final class ParagraphHasher {
  let caseFold: Bool
  private let normalized = ByteBuffer(capacity: 1 << 12)
  private(set) var paragraphs: [Paragraph] = []
  /// Words in all paragraphs of the last text.
  private(set) var words = 0

  init(caseFold: Bool) {
    self.caseFold = caseFold
  }

  func process(_ text: UnsafeRawBufferPointer) {
    paragraphs.removeAll(keepingCapacity: true)
    words = 0
    var lineStart = 0
    while lineStart < text.count {
      let rest = UnsafeRawBufferPointer(rebasing: text[lineStart...])
      let lineLength =
        memchr(rest.baseAddress!, 0x0A, rest.count).map { rest.baseAddress!.distance(to: $0) } ?? rest.count
      let lineEnd = lineStart + lineLength
      normalized.removeAll()
      normalized.reserve(lineLength)
      let output = normalized.freeSpace.baseAddress!.assumingMemoryBound(to: UInt8.self)
      var count = 0
      var lineWords = 0
      var inWord = false
      for byte in UnsafeRawBufferPointer(rebasing: text[lineStart..<lineEnd]) {
        if ASCII.isWhitespace(byte) {
          inWord = false
          continue
        }
        if !inWord {
          if count > 0 {
            output[count] = 0x20
            count += 1
          }
          lineWords += 1
          inWord = true
        }
        output[count] = caseFold ? ASCII.lowercased(byte) : byte
        count += 1
      }
      if count > 0 {
        normalized.didAppend(count)
        let end = min(lineEnd + 1, text.count)  // the line end goes with its paragraph
        paragraphs.append(
          Paragraph(
            hash: XXHash.hash128(UnsafeRawBufferPointer(normalized.bytes)), start: UInt32(lineStart),
            end: UInt32(end), words: UInt32(lineWords)))
        words += lineWords
      }
      lineStart = lineEnd + 1
    }
  }
}
