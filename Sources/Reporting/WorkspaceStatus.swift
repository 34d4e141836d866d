import Foundation
import HatcheryCore

/// `hatchery status`: where a workspace's stages stand, from the store (read-only) and the task
/// files beside it — which runs completed, failed or still run; which task outputs wait for a
/// merge; which of dedup's tasks have written their signatures and been clustered. What a user
/// of a Slurm array asks while it runs (datatrove keeps completion markers for the same reason).
public enum WorkspaceStatus {
  public static func lines(workspace: Workspace) throws -> [String] {
    let store = try workspace.openStoreForReading()
    var lines: [String] = []
    let runs = try store.latestStageRuns()
    lines.append("stage runs (the newest of each stage, scope and task):")
    if runs.isEmpty { lines.append("  none yet") }
    for run in runs {
      let task = run.tasks > 1 ? "task \(run.task) of \(run.tasks)" : "one process"
      let when = run.finishedAt.map { "ended \($0)" } ?? "started \(run.startedAt)"
      lines.append(
        "  \(pad(run.stage, 9)) \(pad(run.scope, 16)) \(pad(task, 14)) \(pad(run.status.rawValue, 9)) \(when)")
    }
    let parts = Dictionary(grouping: try store.allParts(), by: { $0.source.name })
    lines.append("ingested parts in the store:")
    if parts.isEmpty { lines.append("  none yet") }
    for name in parts.keys.sorted() { lines.append("  \(pad(name, 16)) \(parts[name]!.count)") }
    let waiting = taskFiles(workspace)
    lines.append("task outputs waiting for a merge:")
    if waiting.isEmpty { lines.append("  none") }
    for (folder, numbers) in waiting {
      lines.append("  \(folder): \(numbers.count) file(s), numbers \(ranges(numbers))")
    }
    for (folder, signatures, clustered) in dedupIntermediates(workspace) {
      lines.append(
        "dedup intermediates \(folder): signatures of task(s) \(ranges(signatures)); "
          + (clustered.isEmpty ? "not clustered yet" : "clustered for task(s) \(ranges(clustered))"))
    }
    return lines
  }

  /// `tasks/<stage>/<scope>` folders and the part numbers of their finished task files.
  static func taskFiles(_ workspace: Workspace) -> [(String, [Int])] {
    var result: [(String, [Int])] = []
    let root = workspace.absolute("tasks")
    for stage in sortedNames(root) {
      for scope in sortedNames(root + "/" + stage) {
        // part-NNNNN.<kind> (per part: ingest, tag, filter, shard) or task-NNNNN.<kind> (per
        // task: tokenizer counts); temporary files (`….tmp-PID`) are not finished ones.
        let numbers = sortedNames(root + "/\(stage)/\(scope)").compactMap { name -> Int? in
          guard name.hasPrefix("part-") || name.hasPrefix("task-"), !name.contains(".tmp-") else { return nil }
          return Int(name.dropFirst(5).prefix { $0 != "." })
        }
        if !numbers.isEmpty { result.append(("tasks/\(stage)/\(scope)", numbers.sorted())) }
      }
    }
    return result
  }

  /// Per dedup configuration folder: the tasks whose signatures and whose drops are written.
  static func dedupIntermediates(_ workspace: Workspace) -> [(String, [Int], [Int])] {
    let root = workspace.absolute("dedup")
    return sortedNames(root).map { folder in
      let names = sortedNames(root + "/" + folder)
      func tasks(_ kind: String) -> [Int] {
        names.compactMap { name in
          guard name.hasPrefix(kind + "-"), name.hasSuffix(".bin") else { return nil }
          return Int(name.dropFirst(kind.count + 1).dropLast(4))
        }.sorted()
      }
      return ("dedup/\(folder)", tasks("documents"), tasks("drops"))
    }
  }

  private static func sortedNames(_ folder: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
  }

  /// `0-3, 5, 7-9`.
  static func ranges(_ numbers: [Int]) -> String {
    guard !numbers.isEmpty else { return "none" }
    var parts: [String] = []
    var start = numbers[0]
    var end = start
    for number in numbers.dropFirst() {
      if number == end + 1 {
        end = number
        continue
      }
      parts.append(start == end ? "\(start)" : "\(start)-\(end)")
      start = number
      end = number
    }
    parts.append(start == end ? "\(start)" : "\(start)-\(end)")
    return parts.joined(separator: ", ")
  }

  private static func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
  }
}
