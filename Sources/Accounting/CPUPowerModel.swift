import Foundation

/// The estimate used when no meter can be read (as on cloud VMs), by where the process runs:
/// - in a virtual machine or a container (MachineProfile), the Cloud Carbon Footprint model:
///   vCPUs × (idle + u × (max − idle)) with the family's watts per vCPU (CPUMicroarchitecture),
///   u = Δ(process CPU seconds) / (Δwall seconds × vCPUs); vCPUs are the VM's, or the cgroup's
///   quota. The VM's idle power is charged whole: its vCPUs are held for the work.
/// - on bare metal, TDP × the process's share of the logical CPUs (TDP / cores × cores used),
///   the TDP from the table below by model name, else CodeCarbon's 85 W for an unknown CPU.
/// - `--cpu-watts W` overrides both: W × the process's share, as CodeCarbon's process mode
///   computes with `force_cpu_power`.
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
    ("Xeon Platinum 8375C", 300), ("Xeon Platinum 8370C", 205), ("Xeon Platinum 8259CL", 210),
    ("Xeon Platinum 8272CL", 195),
    ("Xeon Platinum 8175M", 240), ("Xeon Gold 6430", 270), ("Xeon Gold 6338", 205), ("Xeon Gold 6248R", 205),
    ("Xeon Gold 6154", 200), ("Xeon Gold 5318Y", 165), ("Xeon E5-2686 v4", 145), ("Core i9-13900K", 125),
    ("Core i7-12700K", 125),
  ]

  public enum Estimate: Sendable, Equatable {
    /// `--cpu-watts`: these watts × the process's share of the logical CPUs.
    case givenWatts(Double)
    /// A VM or container: the family's coefficients over `vCPUs`.
    case perVCPU(CPUMicroarchitecture, vCPUs: Double)
    /// Bare metal: the TDP × the process's share of the logical CPUs.
    case tdpShare(watts: Double)
  }

  public let estimate: Estimate
  public let logicalCPUs: Int
  /// A few words for a table column.
  public let label: String
  /// The model, its figures and their source, once per report.
  public let source: String
  /// Memory watts per GB of resident memory: CCF's 0.392 with its CPU model (the mean of
  /// Crucial's 3 W per 8 GB and Micron's DDR4 0.408 W/GB), 0.375 (Crucial's rule, CodeCarbon
  /// before 3.0) with the TDP model.
  public let memoryWattsPerGB: Double

  /// The model for `machine`; `override` is `--cpu-watts`.
  public init(machine: MachineProfile = .current, override: Double? = nil) {
    logicalCPUs = machine.logicalCPUs
    if let override {
      estimate = .givenWatts(override)
      label = "--cpu-watts \(Self.format(override)) W"
      source = "CPU: --cpu-watts \(Self.format(override)) W × the process's share of \(logicalCPUs) logical CPUs"
      memoryWattsPerGB = 0.375
      return
    }
    switch machine.kind {
    case .virtualMachine, .container:
      let family = CPUMicroarchitecture.of(machine)
      let vCPUs = machine.availableCPUs
      estimate = .perVCPU(family, vCPUs: vCPUs)
      label = "CCF per-vCPU, \(family.name)"
      source =
        "CPU: estimated for a \(machine.kind.rawValue) (\(machine.evidence.joined(separator: ", "))), \(Self.format(vCPUs)) vCPUs × "
        + "(\(Self.format(family.minimumWatts)) W + utilisation × (\(Self.format(family.maximumWatts)) − \(Self.format(family.minimumWatts))) W), "
        + "per-vCPU watts of \(family.name) from Cloud Carbon Footprint's SPECpower-derived coefficients (ccf-coefficients, AWS, SPECpower 2026-03-09)"
      memoryWattsPerGB = 0.392
    case .bareMetal:
      let match = Self.table.filter { machine.cpuModel.contains($0.model) }.max { $0.model.count < $1.model.count }
      let watts = match?.watts ?? Self.defaultWatts
      estimate = .tdpShare(watts: watts)
      let origin =
        match.map { "TDP \(Int($0.watts)) W of \($0.model)" }
        ?? "default \(Int(Self.defaultWatts)) W (CPU model \"\(machine.cpuModel)\" not in the TDP table; CodeCarbon's constant)"
      label = match.map { "TDP share, \($0.model)" } ?? "TDP share, default 85 W"
      source = "CPU: estimated on bare metal, \(origin) × the process's share of \(logicalCPUs) logical CPUs"
      memoryWattsPerGB = 0.375
    }
  }

  /// Bare metal by model name (tests, and the TDP arithmetic alone).
  public init(
    cpuModel: String, override: Double? = nil, logicalCPUs: Int = ProcessInfo.processInfo.activeProcessorCount
  ) {
    self.init(
      machine: MachineProfile(kind: .bareMetal, cpuModel: cpuModel, logicalCPUs: logicalCPUs), override: override)
  }

  /// The watts the model starts from: the TDP or `--cpu-watts`, or the VM's full-load watts.
  public var watts: Double {
    switch estimate {
    case .givenWatts(let watts), .tdpShare(let watts): return watts
    case .perVCPU(let family, let vCPUs): return vCPUs * family.maximumWatts
    }
  }

  /// The CPUs a run holds, for its embodied share: the VM's vCPUs, else the logical CPUs.
  public var heldCPUs: Double {
    if case .perVCPU(_, let vCPUs) = estimate { return vCPUs }
    return Double(logicalCPUs)
  }

  /// Watts for `cpuSeconds` of process CPU time over `wallSeconds`.
  public func power(cpuSeconds: Double, wallSeconds: Double) -> Double {
    guard wallSeconds > 0 else { return 0 }
    switch estimate {
    case .givenWatts(let watts), .tdpShare(let watts):
      return watts * min(1, cpuSeconds / (wallSeconds * Double(logicalCPUs)))
    case .perVCPU(let family, let vCPUs):
      let utilisation = min(1, cpuSeconds / (wallSeconds * vCPUs))
      return vCPUs * (family.minimumWatts + utilisation * (family.maximumWatts - family.minimumWatts))
    }
  }

  /// Watts while `busyCPUs` CPUs are fully used (a forecast's power).
  public func power(busyCPUs: Double) -> Double { power(cpuSeconds: busyCPUs, wallSeconds: 1) }

  static func format(_ value: Double) -> String {
    value == value.rounded() ? String(Int(value)) : String(format: "%.3g", value)
  }
}

/// Memory power from the process's resident memory: `wattsPerGB` (Crucial's 3 W per 8 GB, the
/// rule CodeCarbon used before 3.0) unless the CPU model gives its own.
public enum MemoryPowerModel {
  public static let wattsPerGB = 0.375
  public static func power(residentBytes: Int, wattsPerGB: Double = wattsPerGB) -> Double {
    Double(residentBytes) / 1e9 * wattsPerGB
  }
}
