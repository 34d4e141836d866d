import Foundation

/// The estimate used when no meter can be read (as on these VMs): CPU power = TDP × the process's
/// share of the machine's CPU time, `u = Δ(process CPU seconds) / (Δwall seconds × logical
/// CPUs)`. The TDP comes from `--cpu-watts`, else from the table below by the processor's model
/// name, else the stated default of 85 W (CodeCarbon's constant for an unknown CPU). In a VM that
/// sees a few cores of a large processor the socket's TDP overstates the share: give
/// `--cpu-watts` for the cores the VM has.
public struct CPUPowerModel: Sendable {
  public static let defaultWatts = 85.0

  /// Thermal design power in watts by model-name fragment: the vendors' specifications (AMD EPYC
  /// and Ryzen default TDP, Intel "processor base power"); the cloud-only Xeon SKUs (…CL, …C,
  /// …M) have no public specification and carry the figures of CodeCarbon 3.3's cpu_power.csv.
  static let table: [(model: String, watts: Double)] = [
    ("EPYC 9654", 360), ("EPYC 9554", 360), ("EPYC 9454", 290), ("EPYC 9354", 280), ("EPYC 9124", 200),
    ("EPYC 7763", 280), ("EPYC 7713", 225), ("EPYC 7R13", 225), ("EPYC 7543", 225), ("EPYC 7443", 200),
    ("EPYC 7313", 155), ("EPYC 7742", 225), ("EPYC 7702", 200), ("EPYC 7502", 180), ("EPYC 7402", 180),
    ("EPYC 7302", 155), ("Ryzen 9 7950X", 170), ("Ryzen 7 5800X", 105),
    ("Xeon Platinum 8480+", 350), ("Xeon Platinum 8380", 270), ("Xeon Platinum 8358", 250), ("Xeon Platinum 8168", 205),
    ("Xeon Platinum 8375C", 300), ("Xeon Platinum 8370C", 205), ("Xeon Platinum 8259CL", 210), ("Xeon Platinum 8272CL", 195),
    ("Xeon Platinum 8175M", 240), ("Xeon Gold 6430", 270), ("Xeon Gold 6338", 205), ("Xeon Gold 6248R", 205),
    ("Xeon Gold 6154", 200), ("Xeon Gold 5318Y", 165), ("Xeon E5-2686 v4", 145), ("Core i9-13900K", 125),
    ("Core i7-12700K", 125),
  ]

  public let watts: Double
  /// Where `watts` came from, for the report.
  public let source: String
  public let logicalCPUs: Int

  public init(cpuModel: String, override: Double? = nil, logicalCPUs: Int = ProcessInfo.processInfo.activeProcessorCount) {
    self.logicalCPUs = max(1, logicalCPUs)
    if let override {
      watts = override
      source = "--cpu-watts \(override) W"
    } else if let match = Self.table.filter({ cpuModel.contains($0.model) }).max(by: { $0.model.count < $1.model.count }) {
      watts = match.watts
      source = "TDP \(Int(match.watts)) W of \(match.model)"
    } else {
      watts = Self.defaultWatts
      source = "default \(Int(Self.defaultWatts)) W (CPU model \"\(cpuModel)\" not in the table)"
    }
  }

  /// Watts for `cpuSeconds` of process CPU time over `wallSeconds`.
  public func power(cpuSeconds: Double, wallSeconds: Double) -> Double {
    guard wallSeconds > 0 else { return 0 }
    return watts * min(1, cpuSeconds / (wallSeconds * Double(logicalCPUs)))
  }

  /// The processor's model name from /proc/cpuinfo.
  public static func cpuModelName() -> String {
    let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let line = text.split(separator: "\n").first { $0.hasPrefix("model name") }
    return line.map { String($0.split(separator: ":", maxSplits: 1).last ?? "").trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
  }
}

/// Memory power by the rule CodeCarbon used before 3.0: 3 W per 8 GB (0.375 W/GB), applied to
/// the process's resident memory.
public enum MemoryPowerModel {
  public static let wattsPerGB = 0.375
  public static func power(residentBytes: Int) -> Double { Double(residentBytes) / 1e9 * wattsPerGB }
}
