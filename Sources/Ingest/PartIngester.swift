import Foundation
import HatcheryCore
import Logging

/// Reads the input files of one part, each with its format's `DocumentReader`, into its document
/// part file and staged store rows. Every record either becomes a document or a reject with
/// file, position and reason; an error in one file never stops the others.
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

  let context: Context
  private let normalizer = TextNormalizer()
  private let documentBuffer = ByteBuffer(capacity: 1 << 20)
  private let compressor: ZstdCompressor
  /// One reader per format read so far (each keeps its buffers and parsers from file to file).
  private var readers: [InputFormat: any DocumentReader] = [:]
  private lazy var markup = MarkupExtractor(maximumTextBytes: context.options.maximumDocumentBytes)

  init(context: Context) throws {
    self.context = context
    compressor = try ZstdCompressor(level: context.options.compressionLevel, workers: context.compressionWorkers)
  }

  /// Writes part `plan.index`, commits it to the store and returns what it counted;
  /// `progress` is told after each file.
  func ingest(_ plan: InputPlan.Part, progress: (_ file: InputFile) -> Void) throws -> IngestSummary {
    let source = context.source
    let relativePath = Workspace.partPath(source: source.name, part: plan.index)
    let writer = try DocumentPartWriter(path: context.workspace.absolute(relativePath), compressor: compressor)
    let staged = try StagedRows(
      path: context.workspace.temporaryDirectory + "/ingest-\(source.name)-\(plan.index)-\(getpid()).db")
    let part = PartOutput(
      context: context, part: plan.index, writer: writer, staged: staged, normalizer: normalizer,
      documentBuffer: documentBuffer)
    var files = 0
    var inputBytes = 0
    for file in plan.files {
      if let reason = file.unreadable {
        try part.reject(file, line: nil, offset: nil, .unreadable, "\(file.absolutePath): \(reason)")
        progress(file)
        continue
      }
      let (readable, format) = try resolve(file)
      try reader(for: format).read(readable, into: part)
      files += 1
      inputBytes += file.size
      progress(file)
    }
    let (bytes, digest) = try writer.commit()
    var summary = part.summary
    summary.files = files
    summary.inputBytes = inputBytes
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
    return summary
  }

  /// The reader for `format`, made on first use.
  private func reader(for format: InputFormat) -> any DocumentReader {
    if let reader = readers[format] { return reader }
    let reader: any DocumentReader
    switch format {
    case .text: reader = TextFileReader()
    case .jsonl: reader = JSONLReader()
    case .html, .jats, .tei, .xml:
      reader = MarkupFileReader(format: MarkupFormat(rawValue: format.rawValue)!, markup: markup)
    case .mediawiki: reader = MediaWikiDumpReader(markup: markup)
    case .warc: reader = WARCFileReader(markup: markup)
    case .parquet: reader = ParquetRowReader()
    }
    readers[format] = reader
    return reader
  }

  /// The file as it is to be read, and the format to read it as. Unless `--format` was given,
  /// a file named like text may be Parquet (by its magic) or a MediaWiki export, JATS or TEI
  /// (dumps are often named without .xml: `…-p10p30302.bz2`), and a `.xml` file any markup, by
  /// its root element — from one read of the file's start. A file keeps the format it was
  /// named with in its metadata, except Parquet, which is read as Parquet throughout.
  private func resolve(_ file: InputFile) throws -> (InputFile, InputFormat) {
    guard context.options.format == nil, file.format == .text || file.format == .xml else {
      return (file, file.format)
    }
    switch try sniff(file) {
    case .parquet? where file.format == .text: return (file.reading(as: .parquet), .parquet)
    case .markup(let markup)? where file.format == .xml: return (file, InputFormat(rawValue: markup.rawValue)!)
    case .markup(let markup)? where markup == .mediawiki || markup == .jats || markup == .tei:
      return (file, InputFormat(rawValue: markup.rawValue)!)
    default: return (file, file.format)
    }
  }

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
}
