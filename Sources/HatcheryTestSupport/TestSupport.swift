import Foundation

/// Helpers the test targets share (argument-parser's ArgumentParserTestHelpers in spirit): no
/// XCTest here, only what the tests do to the machine.
public enum TestSupport {
  /// Mounts `path` (a file or a folder) read-only at `mountPoint` (itself by default) with a
  /// bind mount — root may write anywhere else, so permissions cannot prove a step never writes.
  /// Returns the undo, or nil where no mount can be made (not root, no mount here).
  public static func mountReadOnly(_ path: String, at mountPoint: String? = nil) -> (() -> Void)? {
    let target = mountPoint ?? path
    guard getuid() == 0, run("/bin/mount", ["--bind", path, target]) == 0 else { return nil }
    let undo = { _ = run("/bin/umount", [target]) }
    guard run("/bin/mount", ["-o", "remount,bind,ro", target]) == 0 else {
      undo()
      return nil
    }
    return undo
  }

  /// Runs `executable` with `arguments` and extra environment variables, output discarded;
  /// returns its exit status (-1 when it could not start).
  @discardableResult
  public static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) -> Int32 {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    guard (try? process.run()) != nil else { return -1 }
    process.waitUntilExit()
    return process.terminationStatus
  }
}
