import Accounting
import Foundation
import HatcheryCore

/// `hatchery plan` for the embedded trainer on this machine: the model's FLOPs per token
/// (GPTConfig), the measured sgemm peak for the thread count (GEMMPeak), the utilisation of the
/// workspace's newest completed runs, and the CPU power model at full use of the threads.
/// The trainer records this forecast at the start of every run beside what it then measures.
public enum TrainerForecast {
  /// How many of the newest runs' utilisations are averaged.
  public static let recentRuns = 3

  public struct Forecast: Sendable {
    public var plan: TrainingPlan
    public var flopsPerToken: Double
    public var parameters: Int
    /// Where the utilisation came from.
    public var utilisationSource: String
    public var powerSource: String
  }

  /// The plan for `tokens` tokens of `config` on `threads` threads; `utilisation` overrides the
  /// workspace's runs; without either, TrainingPlan.typicalMFU, said so.
  public static func forecast(
    config: GPTConfig, tokens: Int, threads: Int, recentUtilisations: [Double], utilisation: Double? = nil,
    cpuWatts: Double? = nil, pue: Double = 1, gramsPerKWh: Double, embodied: Bool = false
  ) throws -> Forecast {
    let peak = try GEMMPeak.flopsPerSecond(threads: threads)
    let mfu: Double
    let source: String
    if let utilisation {
      mfu = utilisation
      source = "--mfu"
    } else if !recentUtilisations.isEmpty {
      mfu = expectedUtilisation(recentUtilisations)
      source =
        "mean of the workspace's \(recentUtilisations.count) newest training run(s): "
        + recentUtilisations.map { String(format: "%.3f", $0) }.joined(separator: ", ")
    } else {
      mfu = TrainingPlan.typicalMFU
      source = "no earlier run in the workspace: the typical \(TrainingPlan.typicalMFU), a guess"
    }
    let power = CPUPowerModel(machine: .current, override: cpuWatts)
    let flopsPerToken = config.flopsPerToken
    let plan = try TrainingPlan(
      .init(
        flops: Double(tokens) * flopsPerToken, devices: 1, peakFLOPS: peak,
        deviceWatts: power.power(busyCPUs: Double(threads)),
        mfu: mfu, mfuRange: utilisationRange(mfu), pue: pue, gramsPerKWh: gramsPerKWh,
        embodied: embodied ? .cloudVCPU : nil, embodiedUnitsPerDevice: power.heldCPUs))
    return Forecast(
      plan: plan, flopsPerToken: flopsPerToken, parameters: config.parameterCount, utilisationSource: source,
      powerSource: power.source
        + String(format: " — %.2f W at %d busy threads", power.power(busyCPUs: Double(threads)), threads))
  }

  /// The mean of the newest runs' utilisations, at most 1: a run measured above the peak (a peak
  /// cached under slower kernels) ran at the peak at most.
  static func expectedUtilisation(_ recent: [Double]) -> Double {
    min(1, recent.reduce(0, +) / Double(max(recent.count, 1)))
  }

  /// ±20% around the expected utilisation, within (0, 1]; a utilisation above 1 is left for
  /// TrainingPlan to refuse by name, not trapped here as an empty range.
  static func utilisationRange(_ mfu: Double) -> ClosedRange<Double> {
    mfu * 0.8...max(mfu * 0.8, min(1, mfu * 1.2))
  }
}
