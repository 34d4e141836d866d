import Foundation
import HatcheryCore

/// A training plan as `hatchery plan` prints it: a few aligned lines (or one JSON object) with
/// the FLOPs, device-hours, wall time, energy and emissions, and the assumptions behind them.
public struct TrainingPlanReport: Sendable {
  public var plan: TrainingPlan
  /// `cpu`, or the accelerator's name as given.
  public var hardware: String
  /// What the plan runs on, in words.
  public var hardwareLine: String
  public var parameters: Double?
  public var tokens: Double?
  public var flopsPerToken: Double?
  public var assumptions: [String]

  public init(
    plan: TrainingPlan, hardware: String, hardwareLine: String, parameters: Double?, tokens: Double?,
    flopsPerToken: Double?, assumptions: [String]
  ) {
    self.plan = plan
    self.hardware = hardware
    self.hardwareLine = hardwareLine
    self.parameters = parameters
    self.tokens = tokens
    self.flopsPerToken = flopsPerToken
    self.assumptions = assumptions
  }

  public var json: String {
    let input = plan.input
    var object = JSONObject([
      ("hardware", .string(hardware)), ("devices", .int(input.devices)),
      ("peak_flops", .number(String(format: "%.6g", input.peakFLOPS))),
      ("mfu", .number(String(format: "%.4g", input.mfu))),
      ("device_hours", .number(String(format: "%.6g", plan.deviceHours))),
      (
        "device_hours_range",
        .array([
          .number(String(format: "%.6g", plan.deviceHoursRange.lowerBound)),
          .number(String(format: "%.6g", plan.deviceHoursRange.upperBound)),
        ])
      ),
      ("wall_seconds", .number(String(format: "%.6g", plan.wallSeconds))),
      ("kwh", .number(String(format: "%.6g", plan.kWh))),
      ("operational_kg_co2e", .number(String(format: "%.6g", plan.operationalKg))),
      ("grams_per_kwh", .number(String(format: "%.6g", input.gramsPerKWh))),
      ("pue", .number(String(format: "%g", input.pue))),
    ])
    if let parameters { object["parameters"] = .number(String(format: "%.6g", parameters)) }
    if let tokens { object["tokens"] = .number(String(format: "%.6g", tokens)) }
    if let flops = input.flops { object["flops"] = .number(String(format: "%.6g", flops)) }
    if let flopsPerToken { object["flops_per_token"] = .number(String(format: "%.6g", flopsPerToken)) }
    if let kg = plan.embodiedKg { object["embodied_kg_co2e"] = .number(String(format: "%.6g", kg)) }
    object["assumptions"] = .array(assumptions.map { .string($0) })
    return JSONWriter.encode(.object(object))
  }

  public var text: String {
    var lines: [String] = []
    if let parameters, let tokens {
      lines.append(
        String(
          format: "plan: %@ parameters × %@ tokens on %@", Self.short(parameters), Self.short(tokens), hardwareLine))
    } else {
      lines.append("plan: \(hardwareLine)")
    }
    if let flops = plan.input.flops {
      lines.append(String(format: "  training FLOPs  %.3g (%.3g per token)", flops, flopsPerToken ?? 0))
    }
    let range = plan.deviceHoursRange
    lines.append(
      String(format: "  device-hours    %@", Self.short(plan.deviceHours))
        + (range.lowerBound < range.upperBound
          ? " (\(Self.short(range.lowerBound))–\(Self.short(range.upperBound)) over the MFU range)" : ""))
    let devices = plan.input.devices
    lines.append("  wall time       " + Self.duration(plan.wallSeconds) + (devices > 1 ? " on \(devices) devices" : ""))
    lines.append(String(format: "  energy          %.4g kWh", plan.kWh))
    lines.append(String(format: "  operational     %@ CO2e", Self.mass(plan.operationalKg)))
    if let kg = plan.embodiedKg { lines.append(String(format: "  embodied        %@ CO2e (apart)", Self.mass(kg))) }
    lines.append("assumptions:")
    lines += assumptions.map { "  - " + $0 }
    return lines.joined(separator: "\n")
  }

  /// A count in three significant digits with k, M, B or T.
  static func short(_ value: Double) -> String {
    switch value {
    case 1e12...: return String(format: "%.3gT", value / 1e12)
    case 1e9...: return String(format: "%.3gB", value / 1e9)
    case 1e6...: return String(format: "%.3gM", value / 1e6)
    case 1e4...: return String(format: "%.3gk", value / 1e3)
    default: return String(format: "%.3g", value)
    }
  }

  static func duration(_ seconds: Double) -> String {
    switch seconds {
    case 86400...: return String(format: "%.1f days", seconds / 86400)
    case 3600...: return String(format: "%.1f h", seconds / 3600)
    case 60...: return String(format: "%.1f min", seconds / 60)
    default: return String(format: "%.1f s", seconds)
    }
  }

  static func mass(_ kg: Double) -> String {
    kg >= 1000
      ? String(format: "%.3g t", kg / 1000)
      : kg >= 1 ? String(format: "%.3g kg", kg) : String(format: "%.3g g", kg * 1000)
  }
}
