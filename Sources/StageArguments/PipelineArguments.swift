import ArgumentParser

/// How a stage option's value is written in a pipeline file and passed on the command line.
public enum PipelineOptionKind: String, Sendable {
  case string, integer, number, boolean
  /// A file the stage reads: its contents are part of the step's fingerprint.
  case file
  /// Several files, the option repeated.
  case files
}

/// The options of a data stage that a pipeline file may set, declared once: the stage's command
/// takes them as an option group, `hatchery run` and `hatchery slurm` read their names and kinds
/// from the declaration (`pipelineOptions`), and `apply(to:)` hands them to the stage. Options
/// the runner sets itself (workspace, sources, task split, `--force`) are not here.
public protocol PipelineArguments: ParsableArguments {
  /// Options whose value names a file the stage reads (their kind is `file` or `files`).
  static var fileOptions: Set<String> { get }
  /// Options a pipeline must give (they have no default).
  static var requiredOptions: Set<String> { get }
}

extension PipelineArguments {
  public static var fileOptions: Set<String> { [] }
  public static var requiredOptions: Set<String> { [] }

  /// Each option's pipeline name (its property's name in snake case, the command's `--kebab-case`
  /// flag) and kind, read from the declaration itself.
  public static var pipelineOptions: [String: PipelineOptionKind] {
    var options: [String: PipelineOptionKind] = [:]
    for child in Mirror(reflecting: Self()).children {
      guard let label = child.label, label.hasPrefix("_") else { continue }
      let name = snakeCase(String(label.dropFirst()))
      let kind: PipelineOptionKind
      switch child.value {
      case is Flag<Bool>: kind = .boolean
      case is Option<Int>, is Option<Int32>, is Option<UInt64>: kind = .integer
      case is Option<Double>: kind = .number
      case is Option<[String]>: kind = .files
      default: kind = fileOptions.contains(name) ? .file : .string
      }
      options[name] = kind
    }
    return options
  }

  static func snakeCase(_ name: String) -> String {
    var result = ""
    for character in name {
      if character.isUppercase {
        result += "_" + character.lowercased()
      } else {
        result.append(character)
      }
    }
    return result
  }
}
