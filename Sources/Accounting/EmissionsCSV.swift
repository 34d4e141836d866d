import Foundation
import HatcheryCore

/// `emissions.csv` with CodeCarbon's columns and meanings (its EmissionsData, version 3.3), so
/// dashboards made for CodeCarbon read it: duration in s, emissions in kg CO2e, emissions_rate in
/// kg/s, powers in W (averages over the run), energies in kWh, energy_consumed the components'
/// sum times the PUE. Fields CodeCarbon fills from Python or the cloud are left empty.
public enum EmissionsCSV {
  public static let columns = [
    "timestamp", "project_name", "run_id", "experiment_id", "duration", "emissions", "emissions_rate", "cpu_power",
    "gpu_power",
    "ram_power", "cpu_energy", "gpu_energy", "ram_energy", "energy_consumed", "water_consumed", "country_name",
    "country_iso_code",
    "region", "cloud_provider", "cloud_region", "os", "python_version", "codecarbon_version", "cpu_count", "cpu_model",
    "gpu_count",
    "gpu_model", "longitude", "latitude", "ram_total_size", "tracking_mode", "cpu_utilization_percent",
    "gpu_utilization_percent",
    "ram_utilization_percent", "ram_used_gb", "on_cloud", "pue", "wue",
  ]

  public static func text(
    report: EnergyMonitor.Report, runID: String, carbon: CarbonIntensity, pue: Double, cpuModel: String,
    logicalCPUs: Int
  ) -> String {
    let seconds = max(report.seconds, 1e-9)
    let kWh = report.kWh * pue
    let emissions = carbon.emissions(kWh: report.kWh, pue: pue)
    let memoryBytes = Double(ProcessInfo.processInfo.physicalMemory)
    let values: [String: String] = [
      "timestamp": Timestamp.now(), "project_name": "hatchery", "run_id": runID, "experiment_id": "",
      "duration": format(report.seconds), "emissions": format(emissions), "emissions_rate": format(emissions / seconds),
      "cpu_power": format(report.cpuJoules / seconds), "gpu_power": format(report.gpuJoules / seconds),
      "ram_power": format(report.ramJoules / seconds), "cpu_energy": format(report.cpuJoules / 3.6e6),
      "gpu_energy": format(report.gpuJoules / 3.6e6), "ram_energy": format(report.ramJoules / 3.6e6),
      "energy_consumed": format(kWh),
      "water_consumed": "0", "country_name": carbon.countryName, "country_iso_code": carbon.countryCode ?? "",
      "os": ProcessInfo.processInfo.operatingSystemVersionString, "cpu_count": String(logicalCPUs),
      "cpu_model": cpuModel,
      "gpu_count": "0", "ram_total_size": format(memoryBytes / 1e9), "tracking_mode": "process",
      "cpu_utilization_percent": format(100 * report.processCPUSeconds / (seconds * Double(max(1, logicalCPUs)))),
      "on_cloud": "N", "pue": format(pue), "wue": "0",
    ]
    return columns.joined(separator: ",") + "\n" + columns.map { quote(values[$0] ?? "") }.joined(separator: ",") + "\n"
  }

  static func format(_ value: Double) -> String { String(format: "%.9g", value) }

  static func quote(_ field: String) -> String {
    field.contains(",") || field.contains("\"") || field.contains("\n")
      ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
  }
}
