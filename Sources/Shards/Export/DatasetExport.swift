import Foundation
import HatcheryCore
import Parquet

/// `hatchery export parquet|jsonl -w DIR OUT`: the kept documents (each part's latest version,
/// removed spans cut, documents held back for review left out) as files to publish, one or more
/// per document part (`OUT/data/<source>-part-NNNNN[-K].parquet`, at most `rowsPerFile` rows
/// each), so a task that exports the parts k mod N = I writes exactly the files one process
/// writes for them; and `OUT/README.md`, a Hugging Face dataset card (DatasetCard).
///
/// Parquet: columns `id, text, source, url, license` (the effective SPDX expression),
/// `language, added, created, metadata` (the document's metadata as a JSON string), zstd pages
/// of about 1 MiB, row groups of about `rowGroupBytes` of text. JSONL: Dolma's document lines (`id, text,
/// source, added, created, metadata` with `license` added to the metadata), zstd-compressed.
/// Every file is written atomically.
public enum DatasetExport {
  public enum Format: String, Sendable, CaseIterable {
    case parquet, jsonl
  }

  public struct Options: Sendable {
    public var format = Format.parquet
    public var rowsPerFile = 1_000_000
    public var rowGroupBytes = 128 << 20
    public var task = 0
    public var tasks = 1
    public var includeReview = false
    /// Parts exported at once (each its own files).
    public var threads = ProcessInfo.processInfo.activeProcessorCount
    public init() {}
  }

  public struct Summary: Sendable {
    public var documents = 0
    public var textBytes = 0
    public var files: [String] = []
    /// Exported documents by effective licence ("unknown" for none).
    public var licences: [String: Int] = [:]
    public var seconds = 0.0

    mutating func add(_ other: Summary) {
      documents += other.documents
      textBytes += other.textBytes
      files += other.files
      for (licence, count) in other.licences { licences[licence, default: 0] += count }
    }
    public var text: String {
      String(
        format: "export: %d documents, %@ of text in %d file(s); %.2f s (%.0f MB/s)", documents,
        ByteCount.format(textBytes), files.count, seconds,
        Double(textBytes) / max(seconds, 1e-9) / 1e6)
    }
  }

  static let columns: [ParquetWriter.ColumnSpec] = [
    .string("id", optional: false), .string("text", optional: false), .string("source", optional: false),
    .string("url"), .string("license"),
    .string("language"), .string("added"), .string("created"), .string("metadata"),
  ]

  public static func export(workspace: Workspace, to output: String, options: Options) throws -> Summary {
    guard options.tasks >= 1, options.task >= 0, options.task < options.tasks else {
      throw ShardError.invalidOption(
        "--task must be between 0 and --tasks - 1 (got task \(options.task) of \(options.tasks))")
    }
    guard options.rowsPerFile >= 1, options.rowGroupBytes >= 1 else {
      throw ShardError.invalidOption("--rows-per-file and the row group size must be positive")
    }
    let started = Date()
    let store = try workspace.openStoreForReading()
    let kept = try KeptDocuments(workspace: workspace, store: store, includeReview: options.includeReview)
    guard !kept.parts.isEmpty else {
      throw ShardError.noDocuments(workspace: workspace.root, action: "export")
    }
    try FileManager.default.createDirectory(atPath: output + "/data", withIntermediateDirectories: true)
    let indices = kept.parts.indices.filter { $0 % options.tasks == options.task }
    let shared = UncheckedBox((kept, store))
    // Threads left over when there are fewer parts than threads compress a file's pages.
    let pageThreads = max(1, options.threads / max(1, min(options.threads, indices.count)))
    let parts = try ParallelItems.map(
      indices, threads: options.threads, worker: { try ZstdCompressor(level: 3, workers: 1) },
      { compressor, index in
        try exportPart(
          index, kept: shared.value.0, store: shared.value.1, output: output, options: options, compressor: compressor,
          pageThreads: pageThreads)
      })
    var summary = Summary()
    for part in parts { summary.add(part) }
    summary.files.sort()
    if options.tasks == 1 {
      let card = try DatasetCard.render(
        workspace: workspace, store: store, files: summary.files.map { String($0.dropFirst(output.count + 1)) },
        exported: summary)
      try AtomicFileOutput.write(Array(card.utf8), to: output + "/README.md")
    }
    summary.seconds = Date().timeIntervalSince(started)
    return summary
  }

  /// Writes the files of part `index`.
  private static func exportPart(
    _ index: Int, kept: KeptDocuments, store: ProvenanceStore, output: String, options: Options,
    compressor: ZstdCompressor,
    pageThreads: Int
  ) throws -> Summary {
    var summary = Summary()
    let part = kept.parts[index]
    let licenses = try store.licenseExpressions(sourceID: part.source.id, part: part.part.part)
    let reader = kept.reader { $0 == index }
    let base = output + "/data/\(part.source.name)-part-" + String(format: "%05d", part.part.part)
    var file = 0
    var rows: [[ParquetWriter.Value]] = []
    var rowBytes = 0
    var writer: ParquetWriter?
    var sink: AtomicFileOutput?
    var jsonl: ZstdWriter?
    var rowsInFile = 0
    func open() throws {
      let path = base + (file == 0 ? "" : "-\(file)") + (options.format == .parquet ? ".parquet" : ".jsonl.zst")
      sink = try AtomicFileOutput(path: path)
      summary.files.append(path)
      if options.format == .parquet {
        writer = ParquetWriter(columns: columns, codec: .zstd)
        writer!.threads = pageThreads
      } else {
        jsonl = ZstdWriter(output: sink!, compressor: compressor)
      }
      rowsInFile = 0
    }
    func flushRowGroup() throws {
      guard !rows.isEmpty, var current = writer else { return }
      do { try current.write(rows: rows) } catch { throw ShardError.exportFailed(path: base, reason: "\(error)") }
      let bytes = current.takeBytes()
      try bytes.withUnsafeBytes { try sink!.write($0) }
      writer = current
      rows = []
      rowBytes = 0
    }
    func close() throws {
      guard let output = sink else { return }
      if options.format == .parquet {
        try flushRowGroup()
        try writer!.finish().withUnsafeBytes { try output.write($0) }
      } else {
        try jsonl!.finish()
        jsonl = nil
      }
      _ = try output.commit()
      sink = nil
      writer = nil
      file += 1
    }
    while let (document, text) = try reader.next() {
      if sink == nil { try open() }
      let textString = String(decoding: text, as: UTF8.self)
      let license = licenses[document.id]
      summary.documents += 1
      summary.textBytes += text.count
      summary.licences[license ?? "unknown", default: 0] += 1
      rowsInFile += 1
      switch options.format {
      case .parquet:
        let metadata = document.metadata
        rows.append([
          .string(document.id), .string(textString), .string(document.source),
          document.metadata["url"]?.stringValue.map { .string($0) } ?? .null, license.map { .string($0) } ?? .null,
          document.metadata["language"]?.stringValue.map { .string($0) } ?? .null, .string(document.added),
          document.created.map { .string($0) } ?? .null, .string(JSONWriter.encode(.object(metadata))),
        ])
        rowBytes += text.count
        if rowBytes >= options.rowGroupBytes { try flushRowGroup() }
      case .jsonl:
        var metadata = document.metadata
        metadata["license"] = license.map { .string($0) } ?? .null
        var line = JSONObject([
          ("id", .string(document.id)), ("text", .string(textString)), ("source", .string(document.source)),
          ("added", .string(document.added)),
        ])
        line["created"] = document.created.map { .string($0) } ?? .null
        line["metadata"] = .object(metadata)
        var bytes = Array(JSONWriter.encode(.object(line)).utf8)
        bytes.append(0x0A)
        try bytes.withUnsafeBytes { try jsonl!.write($0) }
      }
      if rowsInFile >= options.rowsPerFile { try close() }
    }
    try close()
    return summary
  }
}
