import Foundation
import Synchronization

/// The per-part task files of stages that split by parts (tag, filter): JSON written atomically
/// at `tasks/<stage>/<configuration>/part-NNNNN.json` by a task, read and removed by the merge.
/// The folder is named by the configuration's hash, so whether a part's output is current is
/// whether its file exists: neither a task nor the merge decodes a file to find out.
public enum TaskFiles {
  /// The folder of one configuration's task files, relative to the workspace.
  public static func folder(stage: String, config: StageConfig) -> String {
    "tasks/\(stage)/\(config.hash.prefix(16))"
  }

  /// Relative to the workspace; parts are counted over every source, as the task split counts them.
  public static func path(stage: String, config: StageConfig, part: Int) -> String {
    folder(stage: stage, config: config) + "/part-" + String(format: "%05d", part) + ".json"
  }

  /// The parts among `0..<parts` without a task file of this configuration.
  public static func missing(in workspace: Workspace, stage: String, config: StageConfig, parts: Int) -> [Int] {
    (0..<parts).filter {
      !FileManager.default.fileExists(atPath: workspace.absolute(path(stage: stage, config: config, part: $0)))
    }
  }

  /// After a merge: its task files, and those of other configurations (older inputs or
  /// options, never to be merged), are removed.
  public static func removeAll(in workspace: Workspace, stage: String) {
    try? FileManager.default.removeItem(atPath: workspace.absolute("tasks/\(stage)"))
  }

  public static func write<T: Encodable>(_ value: T, to path: String) throws {
    try AtomicFileOutput.write(Array(try JSONEncoder().encode(value)), to: path)
  }

  public static func read<T: Decodable>(_ type: T.Type, from path: String, stage: String) throws -> T {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw HatcheryError.system("read", path: path, code: ENOENT)
    }
    do {
      return try JSONDecoder().decode(type, from: data)
    } catch {
      throw StageError.badTaskFile(path: path, stage: stage, reason: HatcheryError.reason(error))
    }
  }

  /// The merge's reading: every part's task file of this configuration, decoded on `threads`
  /// threads and handed to `write` in part order, `group` parts at a time (memory holds one
  /// group's results; the caller writes them all in one store transaction).
  public static func fold<Result: Decodable & Sendable>(
    _ type: Result.Type, in workspace: Workspace, stage: String, config: StageConfig, parts: Int, threads: Int,
    group: Int = 16,
    _ write: ([Result]) throws -> Void
  ) throws {
    for start in stride(from: 0, to: parts, by: group) {
      let indices = Array(start..<min(parts, start + group))
      let decoded = Mutex((results: [Result?](repeating: nil, count: indices.count), error: Error?.none))
      let next = Atomic(0)
      DispatchQueue.concurrentPerform(iterations: max(1, min(threads, indices.count))) { _ in
        while true {
          let position = next.add(1, ordering: .relaxed).oldValue
          guard position < indices.count else { return }
          do {
            let result = try read(
              type, from: workspace.absolute(path(stage: stage, config: config, part: indices[position])), stage: stage)
            decoded.withLock { $0.results[position] = result }
          } catch {
            decoded.withLock { if $0.error == nil { $0.error = error } }
          }
        }
      }
      let (results, error) = decoded.withLock { ($0.results, $0.error) }
      if let error { throw error }
      try write(results.map { $0! })
    }
  }

  /// The merge's refusal: how many parts lack a current output, and which tasks to run.
  public static func refusal(_ parts: [Int], of total: Int, tasks: Int, stage: String, command: String) -> StageError {
    .missingTaskOutputs(stage: stage, parts: parts, of: total, tasks: tasks, command: command)
  }
}
