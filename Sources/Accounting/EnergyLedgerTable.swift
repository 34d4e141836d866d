import Foundation
import HatcheryCore

/// The workspace's energy ledger as `hatchery energy` prints it: a Markdown table of every
/// metered run (kWh times the PUE, grams of CO2e at `carbon`'s intensity, optionally the embodied
/// grams), a total row, the notes on the metering methods used and the grid's source.
public enum EnergyLedgerTable {
  public static func render(
    _ ledger: [EnergyLedgerEntry], carbon: CarbonIntensity, pue: Double, embodied: Bool
  ) -> String {
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
          + "\(entry.cpuSeconds.map { String(format: "%.1f", $0) } ?? "—") | "
          + "\(kWh.map { String(format: "%.6f", $0) } ?? "not metered") | "
          + "\(entry.kWh.map { String(format: "%.3f", carbon.emissions(kWh: $0, pue: pue) * 1000) } ?? "—") | "
          + (embodied ? "\(entry.embodiedKg.map { String(format: "%.3f", $0 * 1000) } ?? "—") | " : "")
          + "\(methods.mark(entry.method)) |")
    }
    lines.append(
      "| total | | | | | \(String(format: "%.6f", totalKWh)) | \(String(format: "%.3f", totalKWh * carbon.gramsPerKWh)) | "
        + (embodied ? "\(String(format: "%.3f", totalEmbodied * 1000)) | " : "") + " |")
    var text = lines.joined(separator: "\n")
    if !methods.notes.isEmpty { text += "\n\n" + methods.notes.joined(separator: "\n") }
    return text + "\n\ngrid: \(carbon.source); PUE \(pue)"
  }
}
