import Foundation

/// The per-part task files of stages that split by parts (tag, filter): JSON written atomically
/// at `tasks/<stage>/all/part-NNNNN.json` by a task, read and removed by the merge.
public enum TaskFiles {
  /// Relative to the workspace; parts are counted over every source, as the task split counts them.
  public static func path(stage: String, part: Int) -> String {
    "tasks/\(stage)/all/part-" + String(format: "%05d", part) + ".json"
  }

  public static func write<T: Encodable>(_ value: T, to path: String) throws {
    try AtomicFileOutput.write(Array(try JSONEncoder().encode(value)), to: path)
  }

  public static func read<T: Decodable>(_ type: T.Type, from path: String, stage: String) throws -> T {
    guard let data = FileManager.default.contents(atPath: path) else { throw HatcheryError.system("read", path: path, code: ENOENT) }
    do {
      return try JSONDecoder().decode(type, from: data)
    } catch {
      throw HatcheryError("\(path): not a \(stage) task file (\(HatcheryError.reason(error)))")
    }
  }

  /// The merge's refusal: how many parts lack a current output, and which tasks to run.
  public static func missing(_ parts: [Int], of total: Int, tasks: Int, stage: String, command: String) -> HatcheryError {
    let waiting = Set(parts.map { $0 % tasks }).sorted()
    return HatcheryError(
      "\(stage) merge: \(parts.count) of \(total) parts have no task output of this configuration: run "
        + "`\(command) --step task --tasks \(tasks)` for task(s) \(waiting.prefix(20).map(String.init).joined(separator: ", ")) first")
  }
}
