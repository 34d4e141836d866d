import HatcheryCore

/// How the records of an input file are laid out.
public enum InputFormat: String, Sendable, CaseIterable {
  /// One document per file.
  case text
  /// One JSON object per line with a `text` member (Dolma, datatrove, Hugging Face exports).
  case jsonl
  /// One web page per file; its main content is extracted.
  case html
  /// WARC web-crawl files: one document per HTML or plain-text response record, and per
  /// `conversion` record of a WET file (its text as it is).
  case warc
  /// MediaWiki XML exports: one document per main-namespace article revision.
  case mediawiki
  /// JATS (PubMed Central) and TEI articles, one per file.
  case jats, tei
  /// Any other XML: the text nodes of the whole file. Named `.xml` files are told apart by
  /// their root element when no format is given (`<mediawiki>`, `<article>`, `<TEI>`).
  case xml
  /// Apache Parquet: one document per row, the text from one column (`--text-field`). Files
  /// of other names are recognised by the `PAR1` magic when no format is given.
  case parquet

  /// The format a file name implies (after any compression suffix is removed).
  static func of(fileName: String) -> InputFormat {
    let lowered = fileName.lowercased()
    let byExtension: [(String, InputFormat)] = [
      (".jsonl", .jsonl), (".ndjson", .jsonl), (".json", .jsonl), (".html", .html), (".htm", .html),
      (".xhtml", .html), (".nxml", .jats), (".xml", .xml), (".warc", .warc), (".wet", .warc), (".parquet", .parquet),
      (".parq", .parquet),
    ]
    return byExtension.first { lowered.hasSuffix($0.0) }?.1 ?? .text
  }
}

/// One input file found under the paths given to `ingest`.
public struct InputFile: Sendable, Equatable {
  /// The path for messages: the file's real path, with bytes that are not UTF-8 escaped (\\xNN).
  public let absolutePath: String
  /// The path as the file system has it, to open the file by (names need not be UTF-8).
  public let pathBytes: [UInt8]
  /// The stable name of the file: relative to the folder given (prefixed by that folder's own
  /// name), or the file's own name. Independent of the working directory and the machine.
  public let locator: String
  public let size: Int
  public let modifiedNanoseconds: Int
  public let format: InputFormat
  public let compression: Compression
  /// Why the entry cannot be read (a folder that cannot be listed, a dangling link), recorded
  /// as a reject of its part; nil for a file to read.
  public let unreadable: String?
  /// A Parquet file larger than a part is planned as slices of consecutive row groups (`size`
  /// is then the slice's compressed bytes); nil: the whole file.
  public var rowGroups: Range<Int>? = nil
  /// The file's modification time, the `created` of its documents when they name none.
  public var created: String { Timestamp.string(fromEpochSeconds: modifiedNanoseconds / 1_000_000_000) }

  /// The file as a stream of decompressed bytes.
  func open() throws -> ByteSource {
    try compression.open(source: try FileByteSource(pathBytes: pathBytes, name: absolutePath), name: absolutePath)
  }
}

extension InputFile {
  /// The same file read as `format` (a format found by content rather than by name).
  func reading(as format: InputFormat) -> InputFile {
    InputFile(
      absolutePath: absolutePath, pathBytes: pathBytes, locator: locator, size: size,
      modifiedNanoseconds: modifiedNanoseconds, format: format,
      compression: compression, unreadable: unreadable, rowGroups: rowGroups)
  }

  /// A slice of this Parquet file: the row groups `range`, of `bytes` compressed bytes.
  func slice(_ range: Range<Int>, bytes: Int) -> InputFile {
    InputFile(
      absolutePath: absolutePath, pathBytes: pathBytes, locator: locator, size: bytes,
      modifiedNanoseconds: modifiedNanoseconds, format: format,
      compression: compression, unreadable: unreadable, rowGroups: range)
  }
}
