import HatcheryCore

/// Why a pipeline or ablation file could not be read, or a pipeline, an ablation or its Slurm
/// scripts could not run.
public enum PipelineError: HatcheryFailure, Equatable {
  /// A pipeline or ablation file that is not what its format allows; `place` is the file, with
  /// line and column where the value is.
  case badFile(place: String, reason: String)
  /// Options (`--from`, `--until`, Slurm settings) that cannot be used.
  case invalidOption(String)
  /// A source's input paths that do not exist.
  case missingInputs(source: String, paths: [String], optionalHint: Bool)
  /// An ablation variant that trains on evaluation text.
  case contaminated(ablation: String, variant: String, reason: String)
  /// A step or ablation run that cannot go on; the reason names what to do.
  case cannotRun(String)

  public var line: String {
    switch self {
    case .badFile(let place, let reason): return "\(place): \(reason)"
    case .invalidOption(let text): return text
    case .missingInputs(let source, let paths, let hint):
      return "source \(source): \(paths.joined(separator: ", ")) does not exist"
        + (hint ? " (mark the source optional: true to skip it)" : "")
    case .contaminated(let ablation, _, let reason): return "ablation \(ablation): \(reason)"
    case .cannotRun(let text): return text
    }
  }
}
