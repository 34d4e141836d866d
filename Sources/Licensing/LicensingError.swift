import HatcheryCore

/// Why licences could not be tagged or traced, or a licence policy read.
public enum LicensingError: HatcheryFailure, Equatable {
  case invalidOption(String)
  case noDocuments(workspace: String)
  case unreadablePolicy(path: String)
  /// A policy file that is not what the policy format allows; `place` is file, line and column.
  case badPolicy(place: String, reason: String)
  case noSuchDocument(id: String, workspace: String)

  public var line: String {
    switch self {
    case .invalidOption(let text): return text
    case .noDocuments(let workspace): return "\(workspace): no documents to tag; run `hatchery ingest` first"
    case .unreadablePolicy(let path): return "\(path): cannot read the licence policy"
    case .badPolicy(let place, let reason): return "\(place): \(reason)"
    case .noSuchDocument(let id, let workspace): return "no document with id \(id) in \(workspace)"
    }
  }
}
