import HatcheryCore

/// Why a classifier could not be trained from its examples.
public enum ClassifierError: HatcheryFailure, Equatable {
  case invalidOption(String)
  /// A line of a JSON Lines examples file that is not an example; `file` is path and line.
  case badExample(file: String, reason: String)
  /// Examples with nothing to learn from (no labels, no words).
  case nothingToLearn(String)

  public var line: String {
    switch self {
    case .invalidOption(let text): return text
    case .badExample(let file, let reason): return "\(file): \(reason)"
    case .nothingToLearn(let text): return text
    }
  }
}
