import Foundation
import HatcheryCore

/// How a run is metered and its carbon counted: the grid (`--country`, ISO alpha-3, or
/// `--carbon-intensity` g/kWh), the data centre's PUE, the CPU's watts when no meter can be read,
/// and the sampling interval.
public struct EnergyOptions: Sendable {
  public var country: String?
  public var carbonIntensity: Double?
  public var pue = 1.0
  public var cpuWatts: Double?
  /// Memory watts instead of the 0.375 W/GB estimate (CodeCarbon's `force_ram_power`).
  public var ramWatts: Double?
  public var interval = 1.0
  /// Report the embodied emissions too (they are recorded either way).
  public var embodied = false

  public init() {}

  public func validate() throws {
    _ = try CarbonIntensity(country: country, override: carbonIntensity)
    guard pue >= 1 else { throw AccountingError.invalidOption("--pue must be at least 1") }
    guard interval > 0 else { throw AccountingError.invalidOption("--energy-interval must be positive") }
    if let cpuWatts { guard cpuWatts > 0 else { throw AccountingError.invalidOption("--cpu-watts must be positive") } }
    if let ramWatts {
      guard ramWatts >= 0 else { throw AccountingError.invalidOption("--ram-watts must be at least 0") }
    }
  }
}
