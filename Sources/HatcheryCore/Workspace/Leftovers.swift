import Foundation

/// What killed processes leave behind: files being written (`NAME.tmp-PID`, AtomicFileOutput),
/// staging folders (`.staging-RUN-PID`) and staging databases (`ingest-SOURCE-PART-PID.db`).
/// Each name carries its writer's process id, so a later run removes those whose process is
/// gone and leaves a live writer's alone.
public enum Leftovers {
  /// Removes the leftovers of dead processes directly in `folder` (not below it); with
  /// `including`, only those whose name it accepts (a task's own parts).
  public static func remove(in folder: String, including: (String) -> Bool = { _ in true }) {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
    for name in names where including(name) {
      // `.staging-RUN`, from versions that did not name the process: never a live writer's.
      if name.hasPrefix(".staging-"), name.dropFirst(9).allSatisfy(\.isNumber) {
        try? FileManager.default.removeItem(atPath: folder + "/" + name)
        continue
      }
      guard let pid = owner(name), pid > 0, kill(pid, 0) != 0, errno == ESRCH else { continue }
      try? FileManager.default.removeItem(atPath: folder + "/" + name)
    }
  }

  /// The process id a leftover's name carries; nil for any other name.
  static func owner(_ name: String) -> pid_t? {
    if let range = name.range(of: ".tmp-") { return pid_t(name[range.upperBound...]) }
    if name.hasPrefix(".staging-"), let pid = name.split(separator: "-").last, name.split(separator: "-").count >= 3 {
      return pid_t(pid)
    }
    if name.hasPrefix("ingest-"), name.hasSuffix(".db"), let pid = name.dropLast(3).split(separator: "-").last {
      return pid_t(pid)
    }
    return nil
  }
}
