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
      // A nested group (the energy options of train and finetune) adds its own.
      if let group = child.value as? any NestedPipelineArguments {
        options.merge(type(of: group).nested.pipelineOptions) { $1 }
        continue
      }
      let name = snakeCase(String(label.dropFirst()))
      options[name] = kind(of: child.value, name: name)
    }
    return options
  }

  /// From the wrapper's type: `Flag<Bool>`, `Option<Int>`, `Option<Optional<Float>>`, …
  private static func kind(of wrapper: Any, name: String) -> PipelineOptionKind {
    if wrapper is Flag<Bool> { return .boolean }
    var value = String(describing: type(of: wrapper))
    for prefix in ["Option<", "Optional<"] where value.hasPrefix(prefix) {
      value = String(value.dropFirst(prefix.count).dropLast())
    }
    switch value {
    case "Int", "Int32", "UInt64": return .integer
    case "Float", "Double": return .number
    case "Array<String>": return .files
    default: return fileOptions.contains(name) ? .file : .string
    }
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

/// An `OptionGroup` of pipeline options inside another group.
protocol NestedPipelineArguments {
  static var nested: any PipelineArguments.Type { get }
}

extension OptionGroup: NestedPipelineArguments where Value: PipelineArguments {
  static var nested: any PipelineArguments.Type { Value.self }
}
