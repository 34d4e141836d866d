import Foundation

/// What `hatchery ingest` was asked to do.
public struct IngestOptions: Sendable {
  public var source: String
  public var paths: [String]
  /// nil: choose each file's format by its name.
  public var format: InputFormat?
  /// The SPDX expression the user declares for the whole source.
  public var declaredLicense: String?
  /// When the raw data was obtained (ISO 8601); the first ingest's time when not given.
  public var retrieved: String?
  /// The `added` written in every document; the source's first ingest time when not given.
  /// Give it to reproduce part files byte for byte in another workspace.
  public var added: String?
  /// Input bytes per part: files are grouped into parts of about this size.
  public var partBytes = 32 << 20
  /// Text files larger than this become several documents, cut at line ends; JSONL records
  /// larger than this are rejected.
  public var maximumDocumentBytes = 256 << 20
  /// Reject documents with invalid UTF-8 instead of repairing them with U+FFFD.
  public var rejectInvalidUTF8 = false
  public var compressionLevel: Int32 = 3
  public var task = 0
  public var tasks = 1
  public var threads = ProcessInfo.processInfo.activeProcessorCount
  /// Redo parts that are already up to date.
  public var force = false

  public init(source: String, paths: [String]) {
    self.source = source
    self.paths = paths
  }
}
