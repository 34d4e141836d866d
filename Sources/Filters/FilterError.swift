import HatcheryCore

/// Why a filter configuration, a model, a block-list or a message catalogue could not be read,
/// or the filter stage run.
public enum FilterError: HatcheryFailure, Equatable {
  /// A filter configuration's value; `place` is the file with line and column.
  case badConfiguration(place: String, reason: String)
  /// A model, block-list, evaluation set or message catalogue that cannot be read as one.
  case badFile(path: String, reason: String)
  case invalidOption(String)
  case noDocuments(workspace: String)
  /// Training data that is not there (no catalogue for a language).
  case missingData(String)

  public var line: String {
    switch self {
    case .badConfiguration(let place, let reason): return "\(place): \(reason)"
    case .badFile(let path, let reason): return "\(path): \(reason)"
    case .invalidOption(let text): return text
    case .noDocuments(let workspace): return "\(workspace): no documents to filter; run `hatchery ingest` first"
    case .missingData(let text): return text
    }
  }
}
