import HatcheryCore

/// Why energy could not be metered or a plan made with the options given.
public enum AccountingError: HatcheryFailure, Equatable {
  case invalidOption(String)
  case unknownCountry(code: String, known: [String])

  public var line: String {
    switch self {
    case .invalidOption(let text): return text
    case .unknownCountry(let code, let known):
      return
        "no carbon intensity for country \(code); known: \(known.joined(separator: ", ")) (or give --carbon-intensity)"
    }
  }
}
