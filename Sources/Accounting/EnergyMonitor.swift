import Foundation
import HatcheryCore
import Synchronization

/// Meters a stretch of work (a training run) in the background: every `interval` seconds it
/// reads the RAPL and NVML counters when they can be read, and otherwise estimates CPU power
/// from the process's CPU time (CPUPowerModel) and memory power from its resident memory
/// (MemoryPowerModel). Each figure carries its method. A sample costs a few system calls per
/// second.
public final class EnergyMonitor: @unchecked Sendable {
  public struct Sample: Sendable {
    public var at: String
    public var elapsed: Double
    public var cpuWatts: Double
    public var gpuWatts: Double?
    public var ramWatts: Double
    public var joules: Double
  }

  public struct Report: Sendable {
    public var seconds = 0.0
    public var cpuJoules = 0.0
    public var gpuJoules = 0.0
    public var ramJoules = 0.0
    public var processCPUSeconds = 0.0
    /// Time the sampler itself spent taking samples: its cost to the work it meters.
    public var samplingSeconds = 0.0
    public var cpuMethod = ""
    /// A few words for a table column; `method` is the whole explanation.
    public var label = ""
    public var ramMethod = ""
    /// The hardware's manufacturing footprint charged to this run (EmbodiedModel), apart from
    /// the operational emissions; 0 with no model.
    public var embodiedKg = 0.0
    public var embodiedMethod: String?
    public var gpuMethod: String?
    /// Why a meter was not used.
    public var notes: [String] = []
    public var samples: [Sample] = []
    public var kWh: Double { (cpuJoules + gpuJoules + ramJoules) / 3.6e6 }
    public var method: String { [cpuMethod, ramMethod, gpuMethod].compactMap { $0 }.joined(separator: "; ") }
  }

  private let interval: Double
  private let model: CPUPowerModel
  private let ramWatts: Double?
  private let embodied: (model: EmbodiedModel, units: Double)?
  private let rapl: RAPLMeter
  private let nvml: NVMLMeter
  private let state = Mutex(Report())
  private let running = Atomic<Bool>(false)
  /// Signalled by `stop`, so the sampler wakes at once instead of at its next interval.
  private let stopped = DispatchSemaphore(value: 0)
  /// One sample at a time: the sampler thread's and `stop`'s last one may meet.
  private let sampling = Mutex(())
  private var thread: Thread?
  private var started = Date()
  private var lastWall = Date()
  private var lastCPU = 0.0

  public init(
    interval: Double = 1, model: CPUPowerModel, ramWatts: Double? = nil,
    embodied: (model: EmbodiedModel, units: Double)? = nil,
    rapl: RAPLMeter = RAPLMeter(), nvml: NVMLMeter = NVMLMeter()
  ) {
    self.interval = max(0.05, interval)
    self.model = model
    self.ramWatts = ramWatts
    self.embodied = embodied
    self.rapl = rapl
    self.nvml = nvml
    var report = Report()
    report.cpuMethod = rapl.isAvailable ? "CPU: measured by RAPL (whole package)" : model.source
    report.label = rapl.isAvailable ? "measured (RAPL)" : "estimated: \(model.label)"
    report.ramMethod =
      ramWatts.map { "RAM: --ram-watts \($0) W" }
      ?? (rapl.isAvailable
        ? "RAM: measured by RAPL dram zones" : "RAM: estimated, \(model.memoryWattsPerGB) W/GB of resident memory")
    if let embodied {
      report.embodiedMethod =
        String(
          format: "embodied: %g units × hours × %.3g g CO2e per unit-hour; ", embodied.units,
          embodied.model.kilogramsPerUnitHour * 1000)
        + embodied.model.source
    }
    report.gpuMethod = nvml.isAvailable ? "GPU: measured by NVML (\(nvml.deviceCount) devices)" : nil
    if let reason = rapl.unavailableReason { report.notes.append("RAPL not used: \(reason)") }
    if let reason = nvml.unavailableReason { report.notes.append("NVML not used: \(reason)") }
    state.withLock { $0 = report }
  }

  public func start() {
    started = Date()
    lastWall = started
    lastCPU = Self.processCPUSeconds()
    _ = rapl.read()
    _ = nvml.read()
    running.store(true, ordering: .relaxed)
    let thread = Thread { [self] in
      while stopped.wait(timeout: .now() + interval) == .timedOut, running.load(ordering: .relaxed) { sample() }
    }
    self.thread = thread
    thread.start()
  }

  /// Stops the sampling, takes a last sample, and returns the totals.
  public func stop() -> Report {
    running.store(false, ordering: .relaxed)
    stopped.signal()
    sample()
    return state.withLock { report in
      report.seconds = Date().timeIntervalSince(started)
      return report
    }
  }

  private func sample() {
    sampling.withLock { _ in takeSample() }
  }

  private func takeSample() {
    let clock = ContinuousClock()
    let begin = clock.now
    defer {
      let spent = (clock.now - begin).seconds
      state.withLock { $0.samplingSeconds += spent }
    }
    let now = Date()
    let wall = now.timeIntervalSince(lastWall)
    guard wall > 0 else { return }
    let cpuSeconds = Self.processCPUSeconds()
    let processCPU = cpuSeconds - lastCPU
    lastWall = now
    lastCPU = cpuSeconds
    let measured = rapl.isAvailable ? rapl.read() : nil
    let cpuJoules = measured?.cpu ?? model.power(cpuSeconds: processCPU, wallSeconds: wall) * wall
    let ramJoules =
      ramWatts.map { $0 * wall } ?? measured?.memory
      ?? MemoryPowerModel.power(residentBytes: Self.residentBytes(), wattsPerGB: model.memoryWattsPerGB) * wall
    let gpuJoules = nvml.isAvailable ? nvml.read() : nil
    let entry = Sample(
      at: Timestamp.now(), elapsed: now.timeIntervalSince(started), cpuWatts: cpuJoules / wall,
      gpuWatts: gpuJoules.map { $0 / wall },
      ramWatts: ramJoules / wall, joules: cpuJoules + ramJoules + (gpuJoules ?? 0))
    state.withLock { report in
      report.cpuJoules += cpuJoules
      report.ramJoules += ramJoules
      report.gpuJoules += gpuJoules ?? 0
      if let embodied { report.embodiedKg += embodied.model.kilograms(unitHours: embodied.units * wall / 3600) }
      report.processCPUSeconds += processCPU
      report.samples.append(entry)
    }
  }

  static func processCPUSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6 + Double(usage.ru_stime.tv_sec)
      + Double(usage.ru_stime.tv_usec) / 1e6
  }

  /// Resident memory from /proc/self/statm (pages).
  static func residentBytes() -> Int {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
  }
}
