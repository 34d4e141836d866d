import Foundation
import HatcheryCore
import Logging

/// Reads the input files of one part and writes its document part file and staged store rows.
/// Every record either becomes a document or a reject with file, position and reason; an error
/// in one file never stops the others.
final class PartIngester {
  struct Context {
    let workspace: Workspace
    let store: ProvenanceStore
    let source: SourceRecord
    let options: IngestOptions
    /// The run committing the parts; nil for a task step, whose parts a merge commits later.
    let stageRunID: Int64?
    /// zstd worker threads per part file.
    let compressionWorkers: Int
    let logger: Logger
  }

  /// A NUL byte in the first 8 KiB marks a file named like text as binary.
  private static let binarySniffBytes = 8192

  let context: Context
  let normalizer = TextNormalizer()
  private lazy var markup = MarkupExtractor(maximumTextBytes: context.options.maximumDocumentBytes)
  private lazy var charsets = CharsetDecoder()
  let documentBuffer = ByteBuffer(capacity: 1 << 20)
  private let compressor: ZstdCompressor
  private var summary: IngestSummary
  private var writer: DocumentPartWriter!
  private var staged: StagedRows!
  private var part = 0
  private var partLine = 0

  init(context: Context) throws {
    self.context = context
    compressor = try ZstdCompressor(level: context.options.compressionLevel, workers: context.compressionWorkers)
    summary = IngestSummary(source: context.source.name)
  }

  /// Writes part `plan.index`, commits it to the store and returns what it counted;
  /// `progress` is told after each file.
  func ingest(_ plan: InputPlan.Part, progress: (_ file: InputFile) -> Void) throws -> IngestSummary {
    let source = context.source
    summary = IngestSummary(source: source.name)
    part = plan.index
    partLine = 0
    let relativePath = Workspace.partPath(source: source.name, part: plan.index)
    writer = try DocumentPartWriter(path: context.workspace.absolute(relativePath), compressor: compressor)
    staged = try StagedRows(
      path: context.workspace.temporaryDirectory + "/ingest-\(source.name)-\(plan.index)-\(getpid()).db")
    for file in plan.files {
      if let reason = file.unreadable {
        try reject(file, line: nil, offset: nil, reason: "unreadable", "\(file.absolutePath): \(reason)")
        progress(file)
        continue
      }
      switch file.format {
      case .parquet: try ingestParquet(file)
      case .text:
        // Dumps are often named without .xml (`…-p10p30302.bz2`): markup is told by its root,
        // Parquet by its magic, from one read of the file's start.
        let sniffed = context.options.format == nil ? try sniff(file) : nil
        switch sniffed {
        case .parquet?: try ingestParquet(file.reading(as: .parquet))
        case .markup(.mediawiki)?: try ingestMediaWiki(file)
        case .markup(let format)? where format == .jats || format == .tei: try ingestMarkup(file, format: format)
        default: try ingestText(file)
        }
      case .jsonl: try ingestJSONL(file)
      case .warc: try ingestWARC(file)
      case .mediawiki: try ingestMediaWiki(file)
      case .html, .jats, .tei: try ingestMarkup(file, format: MarkupFormat(rawValue: file.format.rawValue)!)
      case .xml:
        // A named `.xml` file may be a MediaWiki export, JATS or TEI: its root element says.
        var format = MarkupFormat.xml
        if context.options.format == nil, case .markup(let sniffed)? = try sniff(file) { format = sniffed }
        if format == .mediawiki { try ingestMediaWiki(file) } else { try ingestMarkup(file, format: format) }
      }
      summary.files += 1
      summary.inputBytes += file.size
      progress(file)
    }
    let (bytes, digest) = try writer.commit()
    summary.outputBytes += bytes
    let record = PartRecord(
      sourceID: source.id, part: plan.index, path: relativePath,
      fingerprint: IngestFingerprint.part(plan, options: context.options, addedAt: source.addedAt),
      documents: staged.documentCount, rejected: staged.rejectCount, inputBytes: plan.inputBytes,
      outputBytes: bytes, sha256: digest.hex, stageRunID: context.stageRunID)
    if context.options.step == .task {
      // A task writes no store row: its rows wait in its own file for the merge.
      try staged.finish(
        part: record, movingTo: context.workspace.absolute(IngestStage.taskFile(source: source.name, part: plan.index)))
    } else {
      try context.store.commitPart(record, staged: staged)
    }
    summary.partsWritten += 1
    writer = nil
    staged = nil
    return summary
  }

  // MARK: Text files: one document per file

  private func ingestText(_ file: InputFile) throws {
    let maximum = context.options.maximumDocumentBytes
    documentBuffer.removeAll()
    var pieceOffset = 0
    var piece = 0
    do {
      let stream = try file.open()
      if file.compression == .none { documentBuffer.reserveExactly(min(file.size, maximum) + 1) }
      while true {
        if documentBuffer.count == maximum {
          // Too large for one document: cut at the last line end (or character boundary). The
          // first decompressed bytes are sniffed before any piece is kept, whatever the size.
          if piece == 0, try rejectIfBinary(file) { return }
          let cut = Self.pieceLength(UnsafeRawBufferPointer(documentBuffer.bytes))
          try emitTextPiece(
            file, bytes: UnsafeMutableRawBufferPointer(rebasing: documentBuffer.bytes[..<cut]),
            offset: pieceOffset, piece: piece, split: true)
          documentBuffer.removeFirst(cut)
          pieceOffset += cut
          piece += 1
        }
        if documentBuffer.freeSpace.isEmpty {
          documentBuffer.reserveExactly(min(maximum, max(documentBuffer.capacity * 2, 1 << 16)))
        }
        let room = min(documentBuffer.freeSpace.count, maximum - documentBuffer.count)
        let count = try stream.read(into: UnsafeMutableRawBufferPointer(rebasing: documentBuffer.freeSpace[..<room]))
        if count == 0 { break }
        documentBuffer.didAppend(count)
      }
    } catch let error as StreamError {
      let kept = piece > 0 ? "; the \(piece) piece(s) before it were kept" : ""
      try reject(
        file, line: nil, offset: pieceOffset, reason: error.kind.rawValue, "\(error.message) — document dropped\(kept)")
      return
    }
    if piece == 0 {
      if documentBuffer.count == 0 {
        try reject(file, line: nil, offset: 0, reason: "empty", "\(file.absolutePath): empty file")
        return
      }
      if try rejectIfBinary(file) { return }
    }
    if documentBuffer.count > 0 {
      try emitTextPiece(file, bytes: documentBuffer.bytes, offset: pieceOffset, piece: piece, split: piece > 0)
    }
    if piece > 0 {
      summary.splitFiles += 1
      context.logger.notice(
        "split",
        metadata: [
          "path": "\(PrintableText.escaped(file.locator))", "pieces": "\(documentBuffer.count > 0 ? piece + 1 : piece)",
          "max_document_bytes": "\(maximum)",
        ])
    }
  }

  /// Rejects the file when the start of the buffer (its first decompressed bytes) holds a NUL
  /// byte, unless the format was given; returns whether it did.
  private func rejectIfBinary(_ file: InputFile) throws -> Bool {
    guard context.options.format == nil,
      memchr(documentBuffer.bytes.baseAddress!, 0, min(documentBuffer.count, Self.binarySniffBytes)) != nil
    else { return false }
    try reject(
      file, line: nil, offset: 0, reason: "binary",
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
  private func emitTextPiece(
    _ file: InputFile, bytes: UnsafeMutableRawBufferPointer, offset: Int, piece: Int, split: Bool
  ) throws {
    let originalSHA256 = SHA256Hasher.hash(UnsafeRawBufferPointer(bytes))
    let repaired = normalizer.repairUTF8(bytes)
    if repaired.replaced > 0 && context.options.rejectInvalidUTF8 {
      try reject(
        file, line: nil, offset: offset + (repaired.firstInvalidOffset ?? 0), reason: "invalid-utf8",
        "\(file.absolutePath): invalid UTF-8 at byte \(offset + (repaired.firstInvalidOffset ?? 0)) "
          + "(\(repaired.replaced) invalid sequence(s)); drop --reject-invalid-utf8 to repair them with U+FFFD")
      return
    }
    try emit(
      file, text: repaired.text, originalSHA256: originalSHA256, originalBytes: bytes.count,
      repaired: repaired.replaced, line: nil, offset: offset,
      locatorKey: piece == 0 ? file.locator : "\(file.locator)@\(offset)", created: file.created,
      original: nil, title: nil, url: nil, language: nil,
      extra: split
        ? JSONObject([
          ("piece", .int(piece)), ("split_at_max_document_bytes", .int(context.options.maximumDocumentBytes)),
        ]) : nil)
  }

  // MARK: JSONL: one document per line with a `text` member

  private func ingestJSONL(_ file: InputFile) throws {
    let stream: ByteSource
    do {
      stream = try file.open()
    } catch let error as StreamError {
      try reject(file, line: nil, offset: nil, reason: error.kind.rawValue, error.message)
      return
    }
    // Room for the JSON around the text and its escapes.
    let lines = LineReader(stream, maximumLineBytes: context.options.maximumDocumentBytes + (1 << 20))
    let lineBuffer = ByteBuffer(capacity: 1 << 16)
    var sawLine = false
    var sawRecord = false
    var lastLine = 0
    do {
      while let line = try lines.next() {
        sawLine = true
        lastLine = line.number
        if line.oversized {
          try reject(
            file, line: line.number, offset: line.offset, reason: "too-large",
            "\(file.absolutePath):\(line.number): record of \(line.length) bytes is larger than "
              + "--max-document-bytes \(context.options.maximumDocumentBytes)")
          continue
        }
        if Self.isBlank(line.bytes) { continue }
        // A `.json` file whose first line is not a whole object is one JSON document (an API
        // dump, a pretty-printed config), not JSON Lines: one reject for the file, not one per line.
        if !sawRecord, Compression.of(fileName: file.locator.lowercased()).1.hasSuffix(".json"),
          (try? JSONParser.parse(UnsafeRawBufferPointer(line.bytes)))?.objectValue == nil
        {
          try reject(
            file, line: line.number, offset: line.offset, reason: "not-jsonl",
            "\(file.absolutePath):\(line.number): not JSON Lines (the first line is not a JSON object); "
              + "pass --format text to read the file as text")
          return
        }
        sawRecord = true
        lineBuffer.removeAll()
        lineBuffer.append(line.bytes)
        try ingestRecord(file, line: line.number, offset: line.offset, bytes: lineBuffer.bytes)
      }
    } catch let error as StreamError {
      try reject(
        file, line: lastLine + 1, offset: lines.offset, reason: error.kind.rawValue,
        "\(error.message) — \(lastLine) line(s) before it were kept")
      return
    }
    if !sawLine {
      try reject(file, line: nil, offset: 0, reason: "empty", "\(file.absolutePath): empty file")
    }
  }

  private func ingestRecord(_ file: InputFile, line: Int, offset: Int, bytes: UnsafeMutableRawBufferPointer) throws {
    let position = "\(file.absolutePath):\(line)"
    let repaired = normalizer.repairUTF8(bytes)
    if repaired.replaced > 0 && context.options.rejectInvalidUTF8 {
      try reject(
        file, line: line, offset: offset + (repaired.firstInvalidOffset ?? 0), reason: "invalid-utf8",
        "\(position): invalid UTF-8 at byte \(repaired.firstInvalidOffset ?? 0) of the line; "
          + "drop --reject-invalid-utf8 to repair it with U+FFFD")
      return
    }
    let value: JSONValue
    do {
      value = try JSONParser.parse(UnsafeRawBufferPointer(repaired.text))
    } catch {
      try reject(file, line: line, offset: offset, reason: "not-json", "\(position): not JSON: \(error) of the line")
      return
    }
    guard var record = value.objectValue else {
      try reject(file, line: line, offset: offset, reason: "not-json", "\(position): not a JSON object")
      return
    }
    guard var text = record["text"]?.stringValue else {
      try reject(file, line: line, offset: offset, reason: "no-text", "\(position): no string member 'text'")
      return
    }
    record["text"] = nil
    if text.utf8.count > context.options.maximumDocumentBytes {
      try reject(
        file, line: line, offset: offset, reason: "too-large",
        "\(position): text of \(text.utf8.count) bytes is larger than --max-document-bytes \(context.options.maximumDocumentBytes)"
      )
      return
    }
    let metadata = record["metadata"]?.objectValue
    func field(_ names: String...) -> String? {
      for name in names {
        if let value = record[name]?.stringValue ?? metadata?[name]?.stringValue { return value }
      }
      return nil
    }
    documentBuffer.removeAll()
    text.withUTF8 { documentBuffer.append(UnsafeRawBufferPointer($0)) }
    let originalSHA256 = SHA256Hasher.hash(UnsafeRawBufferPointer(documentBuffer.bytes))
    try emit(
      file, text: documentBuffer.bytes, originalSHA256: originalSHA256, originalBytes: documentBuffer.count,
      repaired: repaired.replaced, line: line, offset: offset, locatorKey: "\(file.locator):\(line)",
      created: field("created") ?? file.created, original: record, title: field("title"), url: field("url"),
      language: field("language", "lang"))
  }

  // MARK: Markup: HTML pages, JATS and TEI articles, other XML — one document per file

  /// Markup files are read whole (they are parsed as one tree), up to this many times the
  /// document cap; a larger file is refused before parsing.
  private static let markupBytesPerTextByte = 8

  /// The whole decompressed file, or nil after recording why it cannot be read.
  private func readWhole(_ file: InputFile) throws -> [UInt8]? {
    let limit = context.options.maximumDocumentBytes * Self.markupBytesPerTextByte
    do {
      let stream = try file.open()
      let (bytes, complete) = try stream.readAll(limit: limit)
      guard complete else {
        try reject(
          file, line: nil, offset: 0, reason: "too-large",
          "\(file.absolutePath): more than \(limit) bytes of markup (\(Self.markupBytesPerTextByte) × --max-document-bytes)"
        )
        return nil
      }
      return bytes
    } catch let error as StreamError {
      try reject(file, line: nil, offset: nil, reason: error.kind.rawValue, error.message)
      return nil
    }
  }

  /// The format of a `.xml` file by its root element (nil: plain XML).
  /// What a file's first 64 KiB say it is: Parquet (an uncompressed file starting with `PAR1`),
  /// else the markup format its root element suggests; nil when it cannot be opened.
  private enum Sniffed {
    case parquet
    case markup(MarkupFormat)
  }

  private func sniff(_ file: InputFile) throws -> Sniffed? {
    guard let stream = try? file.open() else { return nil }
    var head = [UInt8](repeating: 0, count: 1 << 16)
    let count = (try? head.withUnsafeMutableBytes { try stream.readFully(into: $0) }) ?? 0
    if file.compression == .none, count >= 4, head[0..<4].elementsEqual("PAR1".utf8) { return .parquet }
    return .markup(
      head.withUnsafeBytes {
        MarkupFormat.guess(fileName: file.locator, bytes: UnsafeRawBufferPointer(rebasing: $0[..<count]))
      })
  }

  private func ingestMarkup(_ file: InputFile, format: MarkupFormat) throws {
    guard let bytes = try readWhole(file) else { return }
    let pages: [ExtractedPage]
    do {
      pages = try bytes.withUnsafeBytes { try markup.extract($0, format: format, name: file.absolutePath) }
    } catch let error as StreamError {
      try reject(file, line: nil, offset: 0, reason: error.kind.rawValue, error.message)
      return
    } catch let error as HatcheryError {
      try reject(file, line: nil, offset: 0, reason: "corrupt", "\(file.absolutePath): \(error.message)")
      return
    }
    let originalSHA256 = bytes.withUnsafeBytes { SHA256Hasher.hash($0) }
    for page in pages {
      try emitExtracted(
        file, page: page, originalSHA256: originalSHA256, originalBytes: bytes.count, line: nil, offset: 0,
        locatorKey: file.locator, created: file.created,
        extra: JSONObject([("format_detail", .string(format.rawValue))]))
    }
  }

  /// Emits an extracted page, or rejects it when it was cut at the cap.
  private func emitExtracted(
    _ file: InputFile, page: ExtractedPage, originalSHA256: SHA256Digest, originalBytes: Int, line: Int?,
    offset: Int, locatorKey: String, created: String, extra: JSONObject
  ) throws {
    let position = line.map { "\(file.absolutePath):\($0)" } ?? "\(file.absolutePath)@\(offset)"
    if page.truncated {
      try reject(
        file, line: line, offset: offset, reason: "too-large",
        "\(position): more than --max-document-bytes \(context.options.maximumDocumentBytes) of text")
      return
    }
    var metadata = extra
    if !page.licenseHints.isEmpty { metadata["license_hints"] = .array(page.licenseHints.map { .string($0) }) }
    if page.charset != "utf-8" { metadata["charset"] = .string(page.charset) }
    documentBuffer.removeAll()
    var text = page.text
    text.withUTF8 { documentBuffer.append(UnsafeRawBufferPointer($0)) }
    try emit(
      file, text: documentBuffer.bytes, originalSHA256: originalSHA256, originalBytes: originalBytes,
      repaired: page.replacedSequences, line: line, offset: offset, locatorKey: locatorKey, created: created,
      original: nil, title: page.title, url: page.canonicalURL, language: page.language, extra: metadata)
  }

  // MARK: MediaWiki exports: one document per main-namespace article revision, streamed

  private func ingestMediaWiki(_ file: InputFile) throws {
    let declared = context.source.declaredLicense != nil
    var articles = 0
    do {
      let stream = try file.open()
      let skipped = try markup.forEachArticle(source: stream, name: file.absolutePath) { revision, text in
        articles += 1
        var page = ExtractedPage(wiki: revision, text: text)
        page.language = nil
        var extra = JSONObject([
          ("page_id", .string(revision.pageID)), ("revision_id", .string(revision.revisionID)),
        ])
        // Wikimedia projects' text is CC BY-SA 4.0 (since 2023; 3.0 before); a licence the
        // user declares for the source takes precedence.
        if !declared { extra["license"] = .string("CC-BY-SA-4.0") }
        let hash = SHA256Hasher.hash(revision.wikitext)
        try emitExtracted(
          file, page: page, originalSHA256: hash, originalBytes: revision.wikitext.count, line: revision.line,
          offset: 0, locatorKey: "\(file.locator)#\(revision.pageID)@\(revision.revisionID)",
          created: revision.timestamp ?? file.created, extra: extra)
      }
      if skipped.otherNamespaces > 0 { summary.skipped["wiki-other-namespace", default: 0] += skipped.otherNamespaces }
      if skipped.redirects > 0 { summary.skipped["wiki-redirect", default: 0] += skipped.redirects }
    } catch let error as StreamError {
      try reject(
        file, line: nil, offset: nil, reason: error.kind.rawValue,
        "\(error.message) — \(articles) article(s) before it were kept")
    }
  }

  // MARK: WARC: one document per HTML or plain-text response record, streamed

  private func ingestWARC(_ file: InputFile) throws {
    var records = 0
    do {
      let stream = try file.open()
      let reader = WARCReader(
        source: stream, name: file.absolutePath,
        maximumBlockBytes: context.options.maximumDocumentBytes * Self.markupBytesPerTextByte)
      while let item = try reader.next() {
        records += 1
        switch item {
        case .malformed(let offset, let reason):
          try reject(
            file, line: nil, offset: offset, reason: "corrupt",
            "\(file.absolutePath)@\(offset): malformed WARC record: \(reason)")
        case .record(let record):
          try ingestWARCRecord(file, record)
        }
      }
    } catch let error as StreamError {
      try reject(
        file, line: nil, offset: nil, reason: error.kind.rawValue,
        "\(error.message) — \(records) record(s) before it were read")
    }
  }

  private func ingestWARCRecord(_ file: InputFile, _ record: WARCRecord) throws {
    let position = "\(file.absolutePath)@\(record.offset)"
    if record.type == "conversion" {
      try ingestWETRecord(file, record)
      return
    }
    guard record.type == "response" || record.type == "resource" else {
      summary.skipped["warc-\(record.type.isEmpty ? "untyped" : record.type)", default: 0] += 1
      return
    }
    if record.oversized {
      try reject(
        file, line: nil, offset: record.offset, reason: "too-large", "\(position): record block larger than the cap")
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
      let response: HTTPResponse?
      do {
        response = try HTTPResponse(
          record.block, maximumBodyBytes: context.options.maximumDocumentBytes * Self.markupBytesPerTextByte,
          name: position)
      } catch let error as StreamError {
        try reject(
          file, line: nil, offset: record.offset, reason: "corrupt", "\(position): HTTP body: \(error.message)")
        return
      }
      guard let response else {
        try reject(
          file, line: nil, offset: record.offset, reason: "corrupt",
          "\(position): response record without an HTTP status line")
        return
      }
      status = response.status
      if response.bodyTruncated {
        try reject(
          file, line: nil, offset: record.offset, reason: "too-large",
          "\(position): HTTP body decompresses to more than \(context.options.maximumDocumentBytes * Self.markupBytesPerTextByte) bytes"
        )
        return
      }
      guard (200..<300).contains(status) else {
        summary.skipped["http-status-not-2xx", default: 0] += 1
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
      summary.skipped["non-text-response", default: 0] += 1
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
      } catch let error as HatcheryError {
        try reject(file, line: nil, offset: record.offset, reason: "corrupt", "\(position): \(error.message)")
        return
      }
    } else {
      let decoded = body.withUnsafeBytes { charsets.decode($0, declared: charset, sniffMeta: false) }
      page = ExtractedPage(
        text: String(decoding: UnsafeRawBufferPointer(decoded.text), as: UTF8.self),
        truncated: decoded.text.count > context.options.maximumDocumentBytes)
      page.charset = decoded.charset
      page.replacedSequences = decoded.replaced
    }
    if page.canonicalURL == nil || url != nil { page.canonicalURL = url }
    try emitExtracted(
      file, page: page, originalSHA256: originalSHA256, originalBytes: body.count, line: nil, offset: record.offset,
      locatorKey: "\(file.locator)@\(record.offset)",
      created: record.headers["warc-date"] ?? file.created, extra: extra)
  }

  /// A `conversion` record of a Common Crawl WET file: its block is the page's extracted text,
  /// taken as it is (UTF-8, as warcio reads it); the target URI, date, the record it was made
  /// from and the languages Common Crawl identified go to the metadata.
  private func ingestWETRecord(_ file: InputFile, _ record: WARCRecord) throws {
    let position = "\(file.absolutePath)@\(record.offset)"
    if record.oversized {
      try reject(
        file, line: nil, offset: record.offset, reason: "too-large", "\(position): record block larger than the cap")
      return
    }
    guard record.block.count <= context.options.maximumDocumentBytes else {
      try reject(
        file, line: nil, offset: record.offset, reason: "too-large",
        "\(position): conversion text of \(record.block.count) bytes is larger than --max-document-bytes \(context.options.maximumDocumentBytes)"
      )
      return
    }
    documentBuffer.removeAll()
    record.block.withUnsafeBytes { documentBuffer.append($0) }
    let originalSHA256 = SHA256Hasher.hash(UnsafeRawBufferPointer(documentBuffer.bytes))
    let repaired = normalizer.repairUTF8(documentBuffer.bytes)
    if repaired.replaced > 0 && context.options.rejectInvalidUTF8 {
      try reject(
        file, line: nil, offset: record.offset, reason: "invalid-utf8",
        "\(position): invalid UTF-8 in the conversion text")
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
    try emit(
      file, text: repaired.text, originalSHA256: originalSHA256, originalBytes: record.block.count,
      repaired: repaired.replaced, line: nil,
      offset: record.offset, locatorKey: "\(file.locator)@\(record.offset)",
      created: record.headers["warc-date"] ?? file.created,
      original: nil, title: nil, url: record.headers["warc-target-uri"], language: nil, extra: extra)
  }

  // MARK: Documents and rejects

  func emit(
    _ file: InputFile, text: UnsafeMutableRawBufferPointer, originalSHA256: SHA256Digest, originalBytes: Int,
    repaired: Int, line: Int?, offset: Int, locatorKey: String, created: String, original: JSONObject?,
    title: String?, url: String?, language: String?, extra: JSONObject? = nil
  ) throws {
    let normalized = normalizer.normalize(valid: text)
    if Self.isBlank(normalized.text) {
      let position = line.map { "\(file.absolutePath):\($0)" } ?? file.absolutePath
      try reject(file, line: line, offset: offset, reason: "empty", "\(position): no text (empty or only white space)")
      return
    }
    let changed = normalized.changed || repaired > 0
    let sha256 = changed ? SHA256Hasher.hash(normalized.text).hex : originalSHA256.hex
    let source = context.source
    let id = DocumentID.make(source: source.name, locatorKey: locatorKey)
    var metadata = JSONObject([("path", .string(file.locator))])
    if let line { metadata["line"] = .int(line) }
    metadata["offset"] = .int(offset)
    metadata["format"] = .string(file.format.rawValue)
    metadata["sha256"] = .string(sha256)
    if let title { metadata["title"] = .string(title) }
    if let url { metadata["url"] = .string(url) }
    if let language { metadata["language"] = .string(language) }
    if let original { metadata["original"] = .object(original) }
    if let extra { for (key, value) in extra.members { metadata[key] = value } }
    try writer.append(
      id: id, text: normalized.text, source: source.name, added: source.addedAt, created: created, metadata: metadata)
    try staged.insert(
      DocumentRecord(
        id: id, sourceID: source.id, part: part, partLine: partLine, path: file.locator, line: line,
        byteOffset: offset, format: file.format.rawValue, originalSHA256: originalSHA256.hex, sha256: sha256,
        originalBytes: originalBytes, bytes: normalized.text.count,
        chars: TextNormalizer.scalarCount(normalized.text), repaired: repaired, created: created, title: title,
        language: language, url: url))
    partLine += 1
    summary.documents += 1
    if repaired > 0 { summary.repairedDocuments += 1 }
  }

  func reject(_ file: InputFile, line: Int?, offset: Int?, reason: String, _ message: String) throws {
    try staged.insert(
      RejectRecord(
        stage: "ingest", sourceID: context.source.id, part: part, path: file.locator, line: line, byteOffset: offset,
        reason: reason, detail: message),
      stageRunID: context.stageRunID)
    summary.countReject(reason: reason, message: message)
    context.logger.info(
      "rejected",
      metadata: [
        "path": "\(PrintableText.escaped(file.locator))", "line": "\(line.map(String.init) ?? "")",
        "offset": "\(offset.map(String.init) ?? "")", "reason": "\(reason)",
        "detail": "\(PrintableText.escaped(message))",
      ])
  }

  /// Whether the bytes are only ASCII white space.
  static func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.allSatisfy(ASCII.isWhitespace)
  }
}
