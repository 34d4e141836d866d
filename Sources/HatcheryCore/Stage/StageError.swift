/// Why a stage's task files could not be merged.
public enum StageError: HatcheryFailure, Equatable {
  /// A merge whose parts' task outputs of this configuration are not all there.
  case missingTaskOutputs(stage: String, parts: [Int], of: Int, tasks: Int, command: String)
  /// A task file that cannot be decoded.
  case badTaskFile(path: String, stage: String, reason: String)

  /// The tasks to run again: those whose share holds a missing part.
  public var waitingTasks: [Int] {
    guard case .missingTaskOutputs(_, let parts, _, let tasks, _) = self else { return [] }
    return Set(parts.map { $0 % tasks }).sorted()
  }

  public var line: String {
    switch self {
    case .missingTaskOutputs(let stage, let parts, let total, let tasks, let command):
      return "\(stage) merge: \(parts.count) of \(total) parts have no task output of this configuration: run "
        + "`\(command) --step task --tasks \(tasks)` for task(s) \(waitingTasks.prefix(20).map(String.init).joined(separator: ", ")) first"
    case .badTaskFile(let path, let stage, let reason): return "\(path): not a \(stage) task file (\(reason))"
    }
  }
}
