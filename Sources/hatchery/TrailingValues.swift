import ArgumentParser

/// A command whose last argument is a list of files (or other plain values), as a shell glob
/// over a crawl's files passes them. ArgumentParser merges the origins of a list's values into
/// one set per value, so n values cost O(n²) to parse; past `TrailingValues.threshold`, the tail
/// of such a list is held back from it and appended after parsing.
protocol TrailingValuesCommand: ParsableCommand {
  /// The command's list argument, where the held-back values go after those ArgumentParser parsed.
  static var trailingList: WritableKeyPath<Self, [String]> { get }
}

enum TrailingValues {
  /// A trailing run of plain values at least this long is split.
  static let threshold = 64

  /// How many values at the start of a trailing run stay with ArgumentParser: subcommand names
  /// (`license detect`), an option's value, a positional argument before the list (a model file)
  /// and the list's first values.
  static let kept = 8

  /// `arguments` split into what ArgumentParser parses and the tail held back: the values after
  /// the last argument that starts with "-", less their first `kept`, when there are
  /// `threshold` or more of them. A tail that held an option's value or another positional
  /// argument is impossible: those come first, and the first `kept` stay.
  static func split(_ arguments: [String]) -> (parsed: [String], held: [String]) {
    var start = arguments.endIndex
    while start > arguments.startIndex, !arguments[start - 1].hasPrefix("-") { start -= 1 }
    guard arguments.endIndex - start >= threshold else { return (arguments, []) }
    let cut = start + kept
    return (Array(arguments[..<cut]), Array(arguments[cut...]))
  }

  /// Parses `arguments` as `root` does, holding a long trailing list back from ArgumentParser
  /// when the parsed command takes one; any other command is parsed from every argument.
  static func parse<Root: ParsableCommand>(_ root: Root.Type, _ arguments: [String]) throws -> any ParsableCommand {
    let (parsed, held) = split(arguments)
    if !held.isEmpty, var command = (try? root.parseAsRoot(parsed)) as? any TrailingValuesCommand {
      command.appendTrailing(held)
      try command.validate()
      return command
    }
    return try root.parseAsRoot(arguments)
  }
}

extension TrailingValuesCommand {
  mutating func appendTrailing(_ values: [String]) { self[keyPath: Self.trailingList] += values }
}

// The commands whose last argument is a list of files. None of them has an option that takes
// several values (`.upToNextOption`), whose values a trailing run could hold.
extension IngestCommand: TrailingValuesCommand {
  static var trailingList: WritableKeyPath<Self, [String]> { \.paths }
}
extension LicenseCommand.Detect: TrailingValuesCommand {
  static var trailingList: WritableKeyPath<Self, [String]> { \.files }
}
extension ExtractCommand: TrailingValuesCommand {
  static var trailingList: WritableKeyPath<Self, [String]> { \.files }
}
extension ClassifierCommand.Predict: TrailingValuesCommand {
  static var trailingList: WritableKeyPath<Self, [String]> { \.files }
}
extension FilterCommand.Langid: TrailingValuesCommand {
  static var trailingList: WritableKeyPath<Self, [String]> { \.files }
}
extension TokenizerCommand.Encode: TrailingValuesCommand {
  static var trailingList: WritableKeyPath<Self, [String]> { \.inputs }
}
extension ParquetCommand.Scan: TrailingValuesCommand {
  static var trailingList: WritableKeyPath<Self, [String]> { \.files }
}
