import Foundation
import HatcheryCore

/// What a fuzz run of one reader saw. A crash or a hang ends the process instead: the driver
/// (Benchmarks/fuzz.sh) reads the progress file to name the input.
public struct FuzzReport: Sendable {
  public var target: String
  public var inputs = 0
  /// Inputs refused with a clear error or recorded rejects: what hostile input should get.
  public var refused = 0
  /// Broken contracts: index and what broke.
  public var violations: [(index: Int, description: String)] = []
  public var slowestSeconds = 0.0
  public var slowestIndex = 0
  /// Resident memory after the first tenth of the inputs and at the end, and the peak.
  public var residentAfterWarmUp = 0
  public var residentAtEnd = 0
  public var peakResident = 0
  public var seconds = 0.0

  public var json: String {
    JSONWriter.encode(
      .object(
        JSONObject([
          ("target", .string(target)), ("inputs", .int(inputs)), ("refused", .int(refused)),
          ("violations", .int(violations.count)),
          ("first_violation", violations.first.map { .string("#\($0.index): \($0.description)") } ?? .null),
          ("slowest_ms", .number(String(format: "%.1f", slowestSeconds * 1000))), ("slowest_input", .int(slowestIndex)),
          ("rss_after_warmup_mb", .number(String(format: "%.1f", Double(residentAfterWarmUp) / 1e6))),
          ("rss_end_mb", .number(String(format: "%.1f", Double(residentAtEnd) / 1e6))),
          ("peak_rss_mb", .number(String(format: "%.1f", Double(peakResident) / 1e6))),
          ("seconds", .number(String(format: "%.2f", seconds))),
        ])))
  }
}

public enum FuzzRunner {
  /// Reads `count` inputs (the seeds, then mutations of them) made from `seed`; with `only`, that
  /// one input alone. Before each input its index is written to `progressPath`, so a crash or a
  /// hang can be named and replayed.
  public static func run(
    _ target: FuzzTarget, count: Int, seed: UInt64, scratch: String, progressPath: String? = nil, only: Int? = nil
  ) throws -> FuzzReport {
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    let seeds = try target.seeds(scratch)
    let mutator = Mutator(seed: seed)
    let progress = progressPath.map { open($0, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644) } ?? -1
    defer { if progress >= 0 { close(progress) } }
    var report = FuzzReport(target: target.name)
    let clock = ContinuousClock()
    let started = clock.now
    let indices = only.map { [$0] } ?? Array(0..<count)
    for index in indices {
      if progress >= 0 {
        let text = Array("\(index)\n".utf8)
        _ = text.withUnsafeBytes { pwrite(progress, $0.baseAddress, $0.count, 0) }
        _ = ftruncate(progress, off_t(text.count))
      }
      let input = mutator.input(index, seeds: seeds)
      let inputStarted = clock.now
      do {
        if try target.run(input, scratch) != nil { report.refused += 1 }
      } catch let violation as FuzzViolation {
        report.violations.append((index, violation.description))
      } catch {
        report.violations.append((index, "the harness failed: \(error)"))
      }
      let seconds = (clock.now - inputStarted).seconds
      if seconds > report.slowestSeconds {
        report.slowestSeconds = seconds
        report.slowestIndex = index
      }
      report.inputs += 1
      if report.inputs == max(1, indices.count / 10) { report.residentAfterWarmUp = residentBytes() }
    }
    report.residentAtEnd = residentBytes()
    report.peakResident = peakResidentBytes()
    report.seconds = (clock.now - started).seconds
    return report
  }

  /// The input `index` of a run, to write out and replay by hand.
  public static func input(_ target: FuzzTarget, index: Int, seed: UInt64, scratch: String) throws -> [UInt8] {
    try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
    return Mutator(seed: seed).input(index, seeds: try target.seeds(scratch))
  }

  static func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = statm.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
  }

  static func peakResidentBytes() -> Int {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return usage.ru_maxrss * 1024
  }
}
