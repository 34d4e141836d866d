import HatcheryCore

/// Why a tokenizer could not be trained, read or used.
public enum TokenizerError: HatcheryFailure, Equatable {
  /// Options that cannot train a tokenizer (vocabulary size, special tokens, threads, task).
  case invalidOption(String)
  case noDocuments(workspace: String)
  case everyDocumentDropped(workspace: String)
  /// A merge step whose tasks' counts are not all there.
  case missingTaskCounts(tasks: [Int], of: Int)
  /// A tokenizer.json, .tiktoken, piece-count or token-id file that cannot be read as one;
  /// `line` where the format has lines.
  case badFile(path: String, line: Int?, reason: String)
  /// A task's piece-count file, damaged or cut short.
  case damagedCounts(path: String, reason: String)
  /// Token tables that are not a byte-level BPE tokenizer.
  case notByteLevel(String)
  case idOutsideVocabulary(id: UInt32, vocabularySize: Int)

  public var line: String {
    switch self {
    case .invalidOption(let text): return text
    case .noDocuments(let workspace): return "\(workspace): no documents to train on; run `hatchery ingest` first"
    case .everyDocumentDropped(let workspace): return "\(workspace): every document was dropped; nothing to train on"
    case .missingTaskCounts(let tasks, let count):
      return
        "tokenizer merge: no counts of task(s) \(tasks.prefix(20).map(String.init).joined(separator: ", ")) for this configuration; "
        + "run `hatchery tokenizer train --step task --tasks \(count)` for them first"
    case .badFile(let path, let line, let reason): return "\(path)\(line.map { ":\($0)" } ?? ""): \(reason)"
    case .damagedCounts(let path, let reason):
      return "\(path): damaged piece-count file (\(reason)); run its task again"
    case .notByteLevel(let reason): return reason
    case .idOutsideVocabulary(let id, let size): return "token id \(id) is outside the vocabulary (\(size))"
    }
  }
}
