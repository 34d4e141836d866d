import Foundation
import HatcheryCore
import Logging

/// One input format's reader: it turns a file into documents and rejects, written to the part it
/// is read into. A file the reader cannot read (damaged, cut short, unsupported) is a reject in
/// the part, with file, position and reason; the reader throws only when the part's own files
/// cannot be written. Each `PartIngester` keeps one reader per format (readers keep buffers and
/// parsers from file to file; they are not shared between threads).
protocol DocumentReader: AnyObject {
  func read(_ file: InputFile, into part: PartOutput) throws
}

/// Why ingest refused a record or a file, stored by this name in the store's `rejects.reason`.
public enum IngestRejectReason: String, Sendable, CaseIterable {
  /// The file could not be opened or read (its `StreamError` kinds below come from reading).
  case unreadable, truncated, corrupt
  case empty, binary
  case invalidUTF8 = "invalid-utf8"
  case tooLarge = "too-large"
  /// JSON Lines: a `.json` file that is one JSON document, a line that is not JSON, no `text`.
  case notJSONL = "not-jsonl"
  case notJSON = "not-json"
  case noText = "no-text"
  /// Parquet: a compressed file, a feature not read, a damaged file or row group, no id column,
  /// nested columns left out (recorded once per file), a row whose text is null.
  case parquetCompressed = "parquet-compressed"
  case parquetUnsupported = "parquet-unsupported"
  case parquetDamaged = "parquet-damaged"
  case noID = "no-id"
  case parquetNestedSkipped = "parquet-nested-skipped"
  case nullText = "null-text"

  init(_ kind: StreamError.Kind) {
    switch kind {
    case .unreadable: self = .unreadable
    case .truncated: self = .truncated
    case .corrupt: self = .corrupt
    }
  }
}

/// What a reader knows of one document besides its text: where it came from and the metadata
/// its format carries.
struct ReadDocument {
  /// Hash and size of the bytes as read (before UTF-8 repair and normalisation).
  var originalSHA256: SHA256Digest
  var originalBytes: Int
  /// Invalid UTF-8 sequences replaced with U+FFFD.
  var repaired: Int
  /// Line (or row) and byte offset (or row group) in the file.
  var line: Int?
  var offset: Int
  /// What makes the document's id unique within its source (file, and line, record or piece).
  var locatorKey: String
  var created: String
  /// The record's own members (JSON Lines, Parquet columns), kept as `metadata.original`.
  var original: JSONObject? = nil
  var title: String? = nil
  var url: String? = nil
  var language: String? = nil
  /// Format-specific metadata members.
  var extra: JSONObject? = nil
}

/// The part a reader writes into: its document part file, its staged store rows and its summary.
/// Documents are normalised here, so every format's text is treated alike.
final class PartOutput {
  let context: PartIngester.Context
  let normalizer: TextNormalizer
  /// A reader's scratch buffer for one document's bytes, kept from document to document.
  let documentBuffer: ByteBuffer
  private(set) var summary: IngestSummary
  private let writer: DocumentPartWriter
  let staged: StagedRows
  let part: Int
  private var partLine = 0

  var options: IngestOptions { context.options }

  init(
    context: PartIngester.Context, part: Int, writer: DocumentPartWriter, staged: StagedRows,
    normalizer: TextNormalizer, documentBuffer: ByteBuffer
  ) {
    self.context = context
    self.part = part
    self.writer = writer
    self.staged = staged
    self.normalizer = normalizer
    self.documentBuffer = documentBuffer
    summary = IngestSummary(source: context.source.name)
  }

  /// Writes one document: `text` (valid UTF-8) is normalised in place; blank text is a reject.
  func emit(
    _ text: UnsafeMutableRawBufferPointer, _ document: ReadDocument, from file: InputFile,
    survey: TextNormalizer.Survey? = nil
  ) throws {
    let normalized = normalizer.normalize(valid: text, survey: survey)
    if Self.isBlank(normalized.text) {
      let position = document.line.map { "\(file.absolutePath):\($0)" } ?? file.absolutePath
      try reject(
        file, line: document.line, offset: document.offset, .empty, "\(position): no text (empty or only white space)")
      return
    }
    let changed = normalized.changed || document.repaired > 0
    let sha256 = changed ? SHA256Hasher.hash(normalized.text).hex : document.originalSHA256.hex
    let source = context.source
    let id = DocumentID.make(source: source.name, locatorKey: document.locatorKey)
    var metadata = JSONObject([("path", .string(file.locator))])
    if let line = document.line { metadata["line"] = .int(line) }
    metadata["offset"] = .int(document.offset)
    metadata["format"] = .string(file.format.rawValue)
    metadata["sha256"] = .string(sha256)
    if let title = document.title { metadata["title"] = .string(title) }
    if let url = document.url { metadata["url"] = .string(url) }
    if let language = document.language { metadata["language"] = .string(language) }
    if let original = document.original { metadata["original"] = .object(original) }
    if let extra = document.extra { for (key, value) in extra.members { metadata[key] = value } }
    try writer.append(
      id: id, text: normalized.text, source: source.name, added: source.addedAt, created: document.created,
      metadata: metadata)
    try staged.insert(
      DocumentRecord(
        id: id, sourceID: source.id, part: part, partLine: partLine, path: file.locator, line: document.line,
        byteOffset: document.offset, format: file.format.rawValue, originalSHA256: document.originalSHA256.hex,
        sha256: sha256, originalBytes: document.originalBytes, bytes: normalized.text.count,
        chars: normalized.scalars, repaired: document.repaired, created: document.created,
        title: document.title, language: document.language, url: document.url))
    partLine += 1
    summary.documents += 1
    if document.repaired > 0 { summary.repairedDocuments += 1 }
  }

  /// Writes one document from what `TextNormalizer.repairUTF8` returned.
  func emit(_ repaired: TextNormalizer.Repaired, _ document: ReadDocument, from file: InputFile) throws {
    try emit(repaired.text, document, from: file, survey: repaired.survey)
  }

  /// Records a refused record or file; `message` is one line naming the file and position.
  func reject(_ file: InputFile, line: Int?, offset: Int?, _ reason: IngestRejectReason, _ message: String) throws {
    try staged.insert(
      RejectRecord(
        stage: "ingest", sourceID: context.source.id, part: part, path: file.locator, line: line, byteOffset: offset,
        reason: reason.rawValue, detail: message),
      stageRunID: context.stageRunID)
    summary.countReject(reason: reason.rawValue, message: message)
    context.logger.info(
      "rejected",
      metadata: [
        "path": "\(PrintableText.escaped(file.locator))", "line": "\(line.map(String.init) ?? "")",
        "offset": "\(offset.map(String.init) ?? "")", "reason": "\(reason.rawValue)",
        "detail": "\(PrintableText.escaped(message))",
      ])
  }

  /// Records a read error that ended a file early; `kept` says what was kept before it.
  func reject(_ file: InputFile, line: Int? = nil, offset: Int?, _ error: StreamError, kept: String? = nil) throws {
    try reject(
      file, line: line, offset: offset, IngestRejectReason(error.kind),
      kept.map { "\(error.message) — \($0)" } ?? error.message)
  }

  /// Counts a record left out on purpose (not an error): a redirect, a non-text response.
  func skip(_ kind: String, count: Int = 1) {
    summary.skipped[kind, default: 0] += count
  }

  /// Counts a file cut into several documents at `--max-document-bytes`.
  func countSplitFile() {
    summary.splitFiles += 1
  }

  /// Whether the bytes are only ASCII white space.
  static func isBlank(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.allSatisfy(ASCII.isWhitespace)
  }
}
