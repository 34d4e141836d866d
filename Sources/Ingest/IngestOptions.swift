import Foundation
import HatcheryCore

/// The steps of an ingest split across machines (DESIGN.md's task/merge model): `register`
/// records the source once, each `task` writes its parts and its rows to files of its own
/// without writing the store, `merge` folds the task files into the store in part order. `all`
/// does everything in one process.
public enum IngestStep: String, Sendable, CaseIterable, Codable {
  case all, register, task, merge
}

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
  /// Text files larger than this become several documents, cut at line ends; JSONL records,
  /// extracted pages and articles larger than this are rejected.
  public var maximumDocumentBytes = 10 << 20
  /// Reject documents with invalid UTF-8 instead of repairing them with U+FFFD.
  public var rejectInvalidUTF8 = false
  /// Parquet: the column holding the text, and the one holding each row's id (nil: the id is
  /// made from the file and row, as for other inputs).
  public var textField = "text"
  public var idField: String?
  public var compressionLevel: Int32 = 3
  public var task = 0
  public var tasks = 1
  public var threads = ProcessInfo.processInfo.activeProcessorCount
  /// Redo parts that are already up to date.
  public var force = false
  public var step = IngestStep.all

  public init(source: String, paths: [String]) {
    self.source = source
    self.paths = paths
  }

  /// Refuses options no run could use, with one line saying which and why.
  public func validate() throws {
    try Workspace.validateSourceName(source)
    guard !paths.isEmpty else { throw IngestError.invalidOption("give at least one file or folder to read") }
    guard tasks >= 1, task >= 0, task < tasks else {
      throw IngestError.invalidOption("--task must be between 0 and --tasks - 1 (got task \(task) of \(tasks))")
    }
    guard threads >= 1 else { throw IngestError.invalidOption("--threads must be at least 1") }
    guard partBytes > 0 else { throw IngestError.invalidOption("--part-bytes must be positive") }
    guard maximumDocumentBytes >= 1024 else {
      throw IngestError.invalidOption("--max-document-bytes must be at least 1024")
    }
    if let declaredLicense {
      // The licensing stage parses SPDX expressions; here only what cannot be one is refused.
      let allowed = declaredLicense.unicodeScalars.allSatisfy {
        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || ".-+(): ".unicodeScalars.contains($0))
      }
      guard allowed, !declaredLicense.trimmingCharacters(in: .whitespaces).isEmpty else {
        throw IngestError.invalidOption(
          "--license '\(declaredLicense)' is not an SPDX expression (e.g. CC-BY-4.0, MIT OR Apache-2.0)")
      }
    }
  }
}
