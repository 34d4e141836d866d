import Foundation
import HatcheryCore

/// Markup read whole, one document per file: an HTML page (its main content), a JATS or TEI
/// article, or any other XML file (its text nodes). The file's own format stays in
/// `metadata.format`; the markup it was read as is `metadata.format_detail`.
final class MarkupFileReader: DocumentReader {
  /// Markup files are read whole (they are parsed as one tree), up to this many times the
  /// document cap; a larger file is refused before parsing. WARC blocks are bounded alike.
  static let markupBytesPerTextByte = 8

  private let format: MarkupFormat
  private let markup: MarkupExtractor

  init(format: MarkupFormat, markup: MarkupExtractor) {
    self.format = format
    self.markup = markup
  }

  func read(_ file: InputFile, into part: PartOutput) throws {
    guard let bytes = try Self.readWhole(file, part) else { return }
    let pages: [ExtractedPage]
    do {
      pages = try bytes.withUnsafeBytes { try markup.extract($0, format: format, name: file.absolutePath) }
    } catch let error as StreamError {
      try part.reject(file, offset: 0, error)
      return
    } catch let error as any HatcheryFailure {
      try part.reject(file, line: nil, offset: 0, .corrupt, "\(file.absolutePath): \(error.message)")
      return
    }
    let originalSHA256 = bytes.withUnsafeBytes { SHA256Hasher.hash($0) }
    for page in pages {
      let document = ReadDocument(
        originalSHA256: originalSHA256, originalBytes: bytes.count, repaired: 0, line: nil,
        offset: 0, locatorKey: file.locator, created: file.created,
        extra: JSONObject([("format_detail", .string(format.rawValue))]))
      try Self.emit(page, document, from: file, into: part)
    }
  }

  /// The whole decompressed file, or nil after recording why it cannot be read.
  private static func readWhole(_ file: InputFile, _ part: PartOutput) throws -> [UInt8]? {
    let limit = part.options.maximumDocumentBytes * markupBytesPerTextByte
    do {
      let stream = try file.open()
      let (bytes, complete) = try stream.readAll(limit: limit)
      guard complete else {
        try part.reject(
          file, line: nil, offset: 0, .tooLarge,
          "\(file.absolutePath): more than \(limit) bytes of markup (\(markupBytesPerTextByte) × --max-document-bytes)")
        return nil
      }
      return bytes
    } catch let error as StreamError {
      try part.reject(file, offset: nil, error)
      return nil
    }
  }

  /// Writes an extracted page — its title, language, canonical URL, charset and licence hints
  /// into the document — or rejects it when it was cut at the cap. `document.extra` holds the
  /// format's own metadata; its title, URL, language and repairs are the page's.
  static func emit(_ page: ExtractedPage, _ document: ReadDocument, from file: InputFile, into part: PartOutput)
    throws
  {
    if page.truncated {
      let position = document.line.map { "\(file.absolutePath):\($0)" } ?? "\(file.absolutePath)@\(document.offset)"
      try part.reject(
        file, line: document.line, offset: document.offset, .tooLarge,
        "\(position): more than --max-document-bytes \(part.options.maximumDocumentBytes) of text")
      return
    }
    var document = document
    var metadata = document.extra ?? JSONObject()
    if !page.licenseHints.isEmpty { metadata["license_hints"] = .array(page.licenseHints.map { .string($0) }) }
    if page.charset != "utf-8" { metadata["charset"] = .string(page.charset) }
    document.extra = metadata
    document.title = page.title
    document.url = page.canonicalURL
    document.language = page.language
    document.repaired = page.replacedSequences
    let buffer = part.documentBuffer
    buffer.removeAll()
    var text = page.text
    text.withUTF8 { buffer.append(UnsafeRawBufferPointer($0)) }
    try part.emit(buffer.bytes, document, from: file)
  }
}
