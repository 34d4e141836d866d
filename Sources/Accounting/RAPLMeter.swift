import Foundation

/// Energy counters of Linux powercap RAPL zones (`/sys/class/powercap/intel-rapl:*`, which AMD
/// processors expose under the same driver): every package zone counts towards the CPU, every
/// `dram` sub-zone towards memory. Counters are microjoules that wrap at `max_energy_range_uj`.
/// Since Linux 5.10 `energy_uj` is readable by root only; a zone that cannot be read makes the
/// meter unavailable, and `unavailableReason` says why.
public final class RAPLMeter: @unchecked Sendable {
  struct Zone {
    let path: String
    let isMemory: Bool
    let maximum: UInt64
    var last: UInt64
  }

  private var zones: [Zone]
  public let unavailableReason: String?
  public var isAvailable: Bool { unavailableReason == nil }

  public init(root: String = "/sys/class/powercap") {
    var zones: [Zone] = []
    var reason: String?
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []).filter {
      $0.hasPrefix("intel-rapl:")
    }.sorted()
    for name in names {
      let path = root + "/" + name
      guard let kind = Self.readText(path + "/name") else { continue }
      // Top-level zones are packages (intel-rapl:N, named package-N); of the sub-zones
      // (intel-rapl:N:M) only dram is separate from its package's count.
      let isPackage = name.split(separator: ":").count == 2 && kind.hasPrefix("package")
      let isMemory = kind == "dram"
      guard isPackage || isMemory else { continue }
      guard let energy = Self.readNumber(path + "/energy_uj") else {
        reason =
          "\(path)/energy_uj: "
          + (access(path + "/energy_uj", R_OK) == 0
            ? "unreadable" : "permission denied (readable by root only since Linux 5.10)")
        break
      }
      let maximum = Self.readNumber(path + "/max_energy_range_uj") ?? UInt64.max
      zones.append(Zone(path: path, isMemory: isMemory, maximum: maximum, last: energy))
    }
    if reason == nil && zones.isEmpty { reason = "no RAPL package zone under \(root)" }
    self.zones = reason == nil ? zones : []
    unavailableReason = reason
  }

  /// Joules used by the CPU packages and by DRAM since the last call (or since the meter was
  /// made), with wrap-around of each counter.
  public func read() -> (cpu: Double, memory: Double) {
    var cpu: UInt64 = 0
    var memory: UInt64 = 0
    for index in zones.indices {
      guard let now = Self.readNumber(zones[index].path + "/energy_uj") else { continue }
      let before = zones[index].last
      let delta = now >= before ? now - before : now &+ (zones[index].maximum &- before)
      zones[index].last = now
      if zones[index].isMemory { memory &+= delta } else { cpu &+= delta }
    }
    return (Double(cpu) / 1e6, Double(memory) / 1e6)
  }

  static func readText(_ path: String) -> String? {
    guard let data = FileManager.default.contents(atPath: path) else { return nil }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
  }

  static func readNumber(_ path: String) -> UInt64? { readText(path).flatMap { UInt64($0) } }
}
