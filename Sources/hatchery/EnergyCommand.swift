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
    var lines = [
      "| run | kind | started | seconds | CPU s | kWh | g CO2e | \(embodied ? "embodied g CO2e | " : "")method |",
      "| --- | --- | --- | --- | --- | --- | --- | \(embodied ? "--- | " : "")--- |",
    ]
    var totalKWh = 0.0
    var totalEmbodied = 0.0
    var methods = EnergyMethodNotes()
    for entry in ledger {
      let kWh = entry.kWh.map { $0 * pue }
      totalKWh += kWh ?? 0
      totalEmbodied += entry.embodiedKg ?? 0
      lines.append(
        "| \(entry.name) | \(entry.kind) | \(entry.started) | \(entry.seconds.map { String(format: "%.1f", $0) } ?? "—") | "
          + "\(entry.cpuSeconds.map { String(format: "%.1f", $0) } ?? "—") | \(kWh.map { String(format: "%.6f", $0) } ?? "not metered") | "
          + "\(entry.kWh.map { String(format: "%.3f", carbon.emissions(kWh: $0, pue: pue) * 1000) } ?? "—") | "
          + (embodied ? "\(entry.embodiedKg.map { String(format: "%.3f", $0 * 1000) } ?? "—") | " : "")
          + "\(methods.mark(entry.method)) |")
    }
    lines.append(
      "| total | | | | | \(String(format: "%.6f", totalKWh)) | \(String(format: "%.3f", totalKWh * carbon.gramsPerKWh)) | "
        + (embodied ? "\(String(format: "%.3f", totalEmbodied * 1000)) | " : "") + " |")
    print(lines.joined(separator: "\n"))
    if !methods.notes.isEmpty { print("\n" + methods.notes.joined(separator: "\n")) }
    print("\ngrid: \(carbon.source); PUE \(pue)")
  }
}
