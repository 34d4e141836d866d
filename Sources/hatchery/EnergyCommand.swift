import Accounting
import ArgumentParser
import Foundation
import HatcheryCore

struct EnergyCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "energy",
    abstract:
      "The workspace's footprint: every stage run and training run with its time, energy and emissions, as a table.",
    discussion: """
      Energy is as recorded (measured by RAPL/NVML where readable, else the stated estimate; docs/formats.md). Emissions are \
      computed here for the given grid: kWh × PUE × g CO2e/kWh.
      """)

  @OptionGroup var stage: StageOptions
  @Option(help: "Grid country, ISO 3166-1 alpha-3; default: the world average.") var country: String?
  @Option(help: "Grid carbon intensity in g CO2e/kWh, instead of the country's.") var carbonIntensity: Double?
  @Option(help: "Power usage effectiveness.") var pue = 1.0
  @Flag(
    help:
      "Add each run's embodied emissions (its hardware's manufacturing footprint, amortised; kept apart from the operational)."
  )
  var embodied = false

  func validate() throws {
    try asUsageError {
      _ = try CarbonIntensity(country: country, override: carbonIntensity)
      guard pue >= 1 else { throw HatcheryError("--pue must be at least 1") }
    }
  }

  func run() throws {
    let carbon = try CarbonIntensity(country: country, override: carbonIntensity)
    let ledger = try Workspace.open(at: stage.workspace).openStoreForReading().energyLedger()
    print(EnergyLedgerTable.render(ledger, carbon: carbon, pue: pue, embodied: embodied))
  }
}
