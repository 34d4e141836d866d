/// Embodied emissions: the hardware's manufacturing footprint amortised over the hours it is in
/// use, charged by the units a job holds (the Software Carbon Intensity specification's
/// M = TE × TR / EL × RR / ToR, as Cloud Carbon Footprint applies it). A unit is a vCPU or an
/// accelerator: one unit-hour carries (the host's footprint / its units + the unit's own) /
/// (lifetime hours × the share of its life the hardware is in use).
public struct EmbodiedModel: Sendable, Equatable {
  /// Kilograms CO2e to make one host, without the units counted apart.
  public var hostKilograms: Double
  /// Units per host (vCPUs, or accelerators).
  public var unitsPerHost: Double
  /// Kilograms CO2e per unit counted apart (an accelerator's own footprint); 0 for vCPUs.
  public var unitKilograms: Double
  public var lifetimeYears: Double
  /// The share of its lifetime the hardware runs jobs (1 charges the whole life to use).
  public var utilisation: Double
  /// Where the figures come from.
  public var source: String

  public init(
    hostKilograms: Double, unitsPerHost: Double, unitKilograms: Double = 0, lifetimeYears: Double,
    utilisation: Double = 1, source: String
  ) {
    self.hostKilograms = hostKilograms
    self.unitsPerHost = unitsPerHost
    self.unitKilograms = unitKilograms
    self.lifetimeYears = lifetimeYears
    self.utilisation = utilisation
    self.source = source
  }

  /// Kilograms CO2e per unit-hour.
  public var kilogramsPerUnitHour: Double {
    (hostKilograms / unitsPerHost + unitKilograms) / (lifetimeYears * 8760 * utilisation)
  }

  public func kilograms(unitHours: Double) -> Double { unitHours * kilogramsPerUnitHour }

  /// A cloud CPU host: Boavizta's component model as Tailpipe applies it to an AWS c6gd.metal
  /// host (763 kg CO2e, 64 vCPUs), over the 4-year lifespan Cloud Carbon Footprint uses (Dell
  /// R740 life-cycle assessment).
  public static let cloudVCPU = EmbodiedModel(
    hostKilograms: 763, unitsPerHost: 64, lifetimeYears: 4,
    source:
      "host 763 kg CO2e / 64 vCPUs (Boavizta's component model for a c6gd.metal host, as Tailpipe's worked example), 4-year life (CCF)"
  )

  /// An 8-GPU A100 server: Luccioni et al. 2022 (BLOOM), §4.1 — 2,500 kg CO2e for the HPE
  /// Apollo 6500 server, 150 kg per GPU, 6-year life, in use 85% of it.
  public static let bloomA100Server = EmbodiedModel(
    hostKilograms: 2500, unitsPerHost: 8, unitKilograms: 150, lifetimeYears: 6, utilisation: 0.85,
    source: "server 2,500 kg CO2e / 8 GPUs + 150 kg per GPU, 6-year life at 85% use (Luccioni et al. 2022, BLOOM)")
}
