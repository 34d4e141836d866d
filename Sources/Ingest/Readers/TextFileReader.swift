import Foundation
import HatcheryCore
import Logging

/// Plain text: one document per file. A file larger than `--max-document-bytes` is cut into
/// pieces at line ends (each piece a document, its metadata saying so); a file whose first
/// decompressed bytes hold a NUL is refused as binary unless the format was given.
final class TextFileReader: DocumentReader {
  /// A NUL byte in the first 8 KiB marks a file named like text as binary.
  private static let binarySniffBytes = 8192

  func read(_ file: InputFile, into part: PartOutput) throws {
    let maximum = part.options.maximumDocumentBytes
    let buffer = part.documentBuffer
    buffer.removeAll()
    var pieceOffset = 0
    var piece = 0
    do {
      let stream = try file.open()
      if file.compression == .none { buffer.reserveExactly(min(file.size, maximum) + 1) }
      while true {
        if buffer.count == maximum {
          // Too large for one document: cut at the last line end (or character boundary). The
          // first decompressed bytes are sniffed before any piece is kept, whatever the size.
          if piece == 0, try rejectIfBinary(file, part) { return }
          let cut = Self.pieceLength(UnsafeRawBufferPointer(buffer.bytes))
          try emitPiece(
            file, bytes: UnsafeMutableRawBufferPointer(rebasing: buffer.bytes[..<cut]), offset: pieceOffset,
            piece: piece, split: true, part)
          buffer.removeFirst(cut)
          pieceOffset += cut
          piece += 1
        }
        if buffer.freeSpace.isEmpty {
          buffer.reserveExactly(min(maximum, max(buffer.capacity * 2, 1 << 16)))
        }
        let room = min(buffer.freeSpace.count, maximum - buffer.count)
        let count = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer.freeSpace[..<room]))
        if count == 0 { break }
        buffer.didAppend(count)
      }
    } catch let error as StreamError {
      let kept = piece > 0 ? "document dropped; the \(piece) piece(s) before it were kept" : "document dropped"
      try part.reject(file, offset: pieceOffset, error, kept: kept)
      return
    }
    if piece == 0 {
      if buffer.count == 0 {
        try part.reject(file, line: nil, offset: 0, .empty, "\(file.absolutePath): empty file")
        return
      }
      if try rejectIfBinary(file, part) { return }
    }
    if buffer.count > 0 {
      try emitPiece(file, bytes: buffer.bytes, offset: pieceOffset, piece: piece, split: piece > 0, part)
    }
    if piece > 0 {
      part.countSplitFile()
      part.context.logger.notice(
        "split",
        metadata: [
          "path": "\(PrintableText.escaped(file.locator))", "pieces": "\(buffer.count > 0 ? piece + 1 : piece)",
          "max_document_bytes": "\(maximum)",
        ])
    }
  }

  /// Rejects the file when the start of the buffer (its first decompressed bytes) holds a NUL
  /// byte, unless the format was given; returns whether it did.
  private func rejectIfBinary(_ file: InputFile, _ part: PartOutput) throws -> Bool {
    let buffer = part.documentBuffer
    guard part.options.format == nil,
      memchr(buffer.bytes.baseAddress!, 0, min(buffer.count, Self.binarySniffBytes)) != nil
    else { return false }
    try part.reject(
      file, line: nil, offset: 0, .binary,
      "\(file.absolutePath): looks binary (NUL byte in the first 8 KiB); pass --format text to read it anyway")
    return true
  }

  /// Where to cut a full buffer: after its last `\n`, else at the last character boundary.
  static func pieceLength(_ bytes: UnsafeRawBufferPointer) -> Int {
    if let newline = bytes.lastIndex(of: 0x0A) { return newline + 1 }
    var cut = bytes.count
    while cut > bytes.count - 4 && cut > 1 && bytes[cut - 1] & 0xC0 == 0x80 { cut -= 1 }
    if cut > 0 && bytes[cut - 1] >= 0xC0 { cut -= 1 }  // a lead byte whose sequence would be cut
    return cut > 0 ? cut : bytes.count
  }

  /// `split`: the file was larger than --max-document-bytes and this is piece `piece` of it;
  /// the document's metadata says so.
  private func emitPiece(
    _ file: InputFile, bytes: UnsafeMutableRawBufferPointer, offset: Int, piece: Int, split: Bool, _ part: PartOutput
  ) throws {
    let originalSHA256 = SHA256Hasher.hash(UnsafeRawBufferPointer(bytes))
    let repaired = part.normalizer.repairUTF8(bytes)
    if repaired.replaced > 0 && part.options.rejectInvalidUTF8 {
      let at = offset + (repaired.firstInvalidOffset ?? 0)
      try part.reject(
        file, line: nil, offset: at, .invalidUTF8,
        "\(file.absolutePath): invalid UTF-8 at byte \(at) (\(repaired.replaced) invalid sequence(s)); "
          + "drop --reject-invalid-utf8 to repair them with U+FFFD")
      return
    }
    var document = ReadDocument(
      originalSHA256: originalSHA256, originalBytes: bytes.count, repaired: repaired.replaced, line: nil,
      offset: offset, locatorKey: piece == 0 ? file.locator : "\(file.locator)@\(offset)", created: file.created)
    if split {
      document.extra = JSONObject([
        ("piece", .int(piece)), ("split_at_max_document_bytes", .int(part.options.maximumDocumentBytes)),
      ])
    }
    try part.emit(repaired, document, from: file)
  }
}
