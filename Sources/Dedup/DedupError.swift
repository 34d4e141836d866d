import HatcheryCore

/// Why deduplication could not run or read its own files.
public enum DedupError: HatcheryFailure, Equatable {
  case invalidOption(String)
  case noDocuments(workspace: String)
  /// A later step whose signature tasks have not all run.
  case missingSignatures(tasks: [Int], of: Int)
  /// An intermediate file (signatures, bands, drops) cut short or damaged.
  case corruptFile(path: String, reason: String)
  /// A record naming a document beyond its task's.
  case documentOutOfRange(file: String, ordinal: Int, documents: Int)
  case badDocumentID(String)
  case unknownDropReason
  case noSuchDocument(id: String, workspace: String)

  public var line: String {
    switch self {
    case .invalidOption(let text): return text
    case .noDocuments(let workspace): return "\(workspace): no documents to deduplicate; run `hatchery ingest` first"
    case .missingSignatures(let tasks, let count):
      return "dedup: signatures of task(s) \(tasks.map(String.init).joined(separator: ", ")) are missing; "
        + "run `hatchery dedup --step signatures --task I --tasks \(count)` for each first"
    case .corruptFile(let path, let reason):
      return "\(path): corrupt dedup file (\(reason)); delete it and run the step that writes it again"
    case .documentOutOfRange(let file, let ordinal, let documents):
      return "\(file): names document \(ordinal) of a task with \(documents)"
    case .badDocumentID(let id): return "document id '\(id)' is not 32 hex digits"
    case .unknownDropReason: return "dedup: unknown drop reason in a drops file"
    case .noSuchDocument(let id, let workspace): return "no document with id \(id) in \(workspace)"
    }
  }
}
