import Foundation
import HatcheryCore

/// WARC web-crawl files, streamed: one document per HTML or plain-text `response` or `resource`
/// record (HTTP status 2xx; HTML by its main content), and one per `conversion` record of a
/// Common Crawl WET file (its text as it is). Other records are counted as skipped.
final class WARCFileReader: DocumentReader {
  private let markup: MarkupExtractor
  private lazy var charsets = CharsetDecoder()

  init(markup: MarkupExtractor) {
    self.markup = markup
  }

  func read(_ file: InputFile, into part: PartOutput) throws {
    var records = 0
    do {
      let stream = try file.open()
      let reader = WARCReader(
        source: stream, name: file.absolutePath,
        maximumBlockBytes: part.options.maximumDocumentBytes * MarkupFileReader.markupBytesPerTextByte)
      while let item = try reader.next() {
        records += 1
        switch item {
        case .malformed(let offset, let reason):
          try part.reject(
            file, line: nil, offset: offset, .corrupt,
            "\(file.absolutePath)@\(offset): malformed WARC record: \(reason)")
        case .record(let record) where record.type == "conversion":
          try readConversion(file, record, part)
        case .record(let record):
          try readResponse(file, record, part)
        }
      }
    } catch let error as StreamError {
      try part.reject(file, offset: nil, error, kept: "\(records) record(s) before it were read")
    }
  }

  private func readResponse(_ file: InputFile, _ record: WARCRecord, _ part: PartOutput) throws {
    let position = "\(file.absolutePath)@\(record.offset)"
    guard record.type == "response" || record.type == "resource" else {
      part.skip("warc-\(record.type.isEmpty ? "untyped" : record.type)")
      return
    }
    if record.oversized {
      try part.reject(
        file, line: nil, offset: record.offset, .tooLarge, "\(position): record block larger than the cap")
      return
    }
    var mediaType =
      record.headers["content-type"]?.split(separator: ";").first.map {
        $0.trimmingCharacters(in: .whitespaces).lowercased()
      } ?? ""
    var charset: String?
    var body: [UInt8]
    var status = 0
    if record.type == "response"
      && (mediaType.hasPrefix("application/http") || record.block.starts(with: Array("HTTP/".utf8)))
    {
      let maximumBody = part.options.maximumDocumentBytes * MarkupFileReader.markupBytesPerTextByte
      let response: HTTPResponse?
      do {
        response = try HTTPResponse(record.block, maximumBodyBytes: maximumBody, name: position)
      } catch let error as StreamError {
        try part.reject(file, line: nil, offset: record.offset, .corrupt, "\(position): HTTP body: \(error.message)")
        return
      }
      guard let response else {
        try part.reject(
          file, line: nil, offset: record.offset, .corrupt, "\(position): response record without an HTTP status line")
        return
      }
      status = response.status
      if response.bodyTruncated {
        try part.reject(
          file, line: nil, offset: record.offset, .tooLarge,
          "\(position): HTTP body decompresses to more than \(maximumBody) bytes")
        return
      }
      guard (200..<300).contains(status) else {
        part.skip("http-status-not-2xx")
        return
      }
      mediaType = response.mediaType
      charset = response.charset
      body = response.body
    } else {
      body = Array(record.block)
    }
    let isHTML = mediaType == "text/html" || mediaType == "application/xhtml+xml"
    guard isHTML || mediaType == "text/plain" else {
      part.skip("non-text-response")
      return
    }
    let url = record.headers["warc-target-uri"]
    var extra = JSONObject([("warc_record_id", .string(record.headers["warc-record-id"] ?? ""))])
    if let date = record.headers["warc-date"] { extra["warc_date"] = .string(date) }
    if let url { extra["warc_target_uri"] = .string(url) }
    if status > 0 { extra["http_status"] = .int(status) }
    extra["content_type"] = .string(mediaType)
    let originalSHA256 = body.withUnsafeBytes { SHA256Hasher.hash($0) }
    var page: ExtractedPage
    if isHTML {
      do {
        page = try body.withUnsafeBytes { try markup.extractHTML($0, declaredCharset: charset) }
      } catch let error as any HatcheryFailure {
        try part.reject(file, line: nil, offset: record.offset, .corrupt, "\(position): \(error.message)")
        return
      }
    } else {
      let decoded = body.withUnsafeBytes { charsets.decode($0, declared: charset, sniffMeta: false) }
      page = ExtractedPage(
        text: String(decoding: UnsafeRawBufferPointer(decoded.text), as: UTF8.self),
        truncated: decoded.text.count > part.options.maximumDocumentBytes)
      page.charset = decoded.charset
      page.replacedSequences = decoded.replaced
    }
    if page.canonicalURL == nil || url != nil { page.canonicalURL = url }
    let document = ReadDocument(
      originalSHA256: originalSHA256, originalBytes: body.count, repaired: 0, line: nil, offset: record.offset,
      locatorKey: "\(file.locator)@\(record.offset)", created: record.headers["warc-date"] ?? file.created,
      extra: extra)
    try MarkupFileReader.emit(page, document, from: file, into: part)
  }

  /// A `conversion` record of a Common Crawl WET file: its block is the page's extracted text,
  /// taken as it is (UTF-8, as warcio reads it); the target URI, date, the record it was made
  /// from and the languages Common Crawl identified go to the metadata.
  private func readConversion(_ file: InputFile, _ record: WARCRecord, _ part: PartOutput) throws {
    let position = "\(file.absolutePath)@\(record.offset)"
    if record.oversized {
      try part.reject(
        file, line: nil, offset: record.offset, .tooLarge, "\(position): record block larger than the cap")
      return
    }
    let maximum = part.options.maximumDocumentBytes
    guard record.block.count <= maximum else {
      try part.reject(
        file, line: nil, offset: record.offset, .tooLarge,
        "\(position): conversion text of \(record.block.count) bytes is larger than --max-document-bytes \(maximum)")
      return
    }
    let buffer = part.documentBuffer
    buffer.removeAll()
    record.block.withUnsafeBytes { buffer.append($0) }
    let originalSHA256 = SHA256Hasher.hash(UnsafeRawBufferPointer(buffer.bytes))
    let repaired = part.normalizer.repairUTF8(buffer.bytes)
    if repaired.replaced > 0 && part.options.rejectInvalidUTF8 {
      try part.reject(
        file, line: nil, offset: record.offset, .invalidUTF8, "\(position): invalid UTF-8 in the conversion text")
      return
    }
    var extra = JSONObject([("warc_record_id", .string(record.headers["warc-record-id"] ?? ""))])
    for (header, key) in [
      ("warc-date", "warc_date"), ("warc-target-uri", "warc_target_uri"), ("warc-refers-to", "warc_refers_to"),
      ("warc-identified-content-language", "warc_identified_content_language"),
    ] {
      if let value = record.headers[header] { extra[key] = .string(value) }
    }
    extra["content_type"] = .string(record.headers["content-type"] ?? "text/plain")
    let document = ReadDocument(
      originalSHA256: originalSHA256, originalBytes: record.block.count, repaired: repaired.replaced, line: nil,
      offset: record.offset, locatorKey: "\(file.locator)@\(record.offset)",
      created: record.headers["warc-date"] ?? file.created, url: record.headers["warc-target-uri"], extra: extra)
    try part.emit(repaired, document, from: file)
  }
}
