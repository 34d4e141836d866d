import Foundation
import HatcheryCore
import XCTest

@testable import Accounting

final class AccountingTests: XCTestCase {
  private var folder = ""

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "hatchery-energy-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  override func tearDown() {
    try? FileManager.default.removeItem(atPath: folder)
  }

  private func zone(_ name: String, kind: String, energy: UInt64, maximum: UInt64 = 262_143_328_850) throws {
    let path = folder + "/" + name
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    try kind.write(toFile: path + "/name", atomically: false, encoding: .utf8)
    try "\(energy)\n".write(toFile: path + "/energy_uj", atomically: false, encoding: .utf8)
    try "\(maximum)\n".write(toFile: path + "/max_energy_range_uj", atomically: false, encoding: .utf8)
  }

  func testRAPLSumsPackagesAndDRAMAcrossAWrap() throws {
    try zone("intel-rapl:0", kind: "package-0", energy: 1_000_000)
    try zone("intel-rapl:1", kind: "package-1", energy: 999_000_000, maximum: 1_000_000_000)
    try zone("intel-rapl:0:0", kind: "core", energy: 5)  // inside package 0's count: ignored
    try zone("intel-rapl:0:1", kind: "dram", energy: 200_000)
    let meter = RAPLMeter(root: folder)
    XCTAssertTrue(meter.isAvailable)
    try "3000000\n".write(toFile: folder + "/intel-rapl:0/energy_uj", atomically: false, encoding: .utf8)
    // Package 1 wraps: from 999 J to 1 J on a 1000 J counter is 2 J.
    try "1000000\n".write(toFile: folder + "/intel-rapl:1/energy_uj", atomically: false, encoding: .utf8)
    try "700000\n".write(toFile: folder + "/intel-rapl:0:1/energy_uj", atomically: false, encoding: .utf8)
    try "999\n".write(toFile: folder + "/intel-rapl:0:0/energy_uj", atomically: false, encoding: .utf8)
    let joules = meter.read()
    XCTAssertEqual(joules.cpu, 2 + 2, accuracy: 1e-9)
    XCTAssertEqual(joules.memory, 0.5, accuracy: 1e-9)
  }

  func testAnUnreadableOrMissingTreeIsNotUsedAndSaysWhy() throws {
    XCTAssertEqual(RAPLMeter(root: folder + "/none").unavailableReason, "no RAPL package zone under \(folder)/none")
    try zone("intel-rapl:0", kind: "package-0", energy: 1)
    // An energy counter that cannot be read (as for a user without permission).
    try FileManager.default.removeItem(atPath: folder + "/intel-rapl:0/energy_uj")
    try FileManager.default.createDirectory(
      atPath: folder + "/intel-rapl:0/energy_uj", withIntermediateDirectories: true)
    let meter = RAPLMeter(root: folder)
    XCTAssertFalse(meter.isAvailable)
    XCTAssertTrue(
      meter.unavailableReason?.hasPrefix("\(folder)/intel-rapl:0/energy_uj:") ?? false, meter.unavailableReason ?? "")
  }

  func testNVMLAbsentIsNotUsed() {
    let meter = NVMLMeter(library: "libnvidia-ml-absent.so.1")
    XCTAssertFalse(meter.isAvailable)
    XCTAssertEqual(meter.read(), 0)
  }

  func testTheEstimateIsTDPTimesTheProcessShare() {
    let epyc = CPUPowerModel(cpuModel: "AMD EPYC 7763 64-Core Processor", logicalCPUs: 4)
    XCTAssertEqual(epyc.watts, 280)
    XCTAssertEqual(epyc.power(cpuSeconds: 2, wallSeconds: 1), 140, accuracy: 1e-9, "half of four CPUs")
    XCTAssertEqual(epyc.power(cpuSeconds: 9, wallSeconds: 1), 280, accuracy: 1e-9, "never above the TDP")
    let unknown = CPUPowerModel(cpuModel: "AMD EPYC", logicalCPUs: 2)
    XCTAssertEqual(unknown.watts, CPUPowerModel.defaultWatts)
    XCTAssertTrue(unknown.source.contains("not in the TDP table"))
    XCTAssertEqual(
      CPUPowerModel(cpuModel: "AMD EPYC 7763", override: 20, logicalCPUs: 2).power(cpuSeconds: 1, wallSeconds: 1), 10)
    XCTAssertEqual(MemoryPowerModel.power(residentBytes: 8_000_000_000), 3, accuracy: 1e-9, "3 W per 8 GB")
  }

  func testCarbonAndPUEArithmetic() throws {
    let france = try CarbonIntensity(country: "fra", override: nil)
    XCTAssertEqual(france.gramsPerKWh, 56)
    XCTAssertEqual(france.emissions(kWh: 2, pue: 1.5), 0.168, accuracy: 1e-12)
    XCTAssertEqual(try CarbonIntensity(country: nil, override: nil).gramsPerKWh, 475)
    XCTAssertEqual(try CarbonIntensity(country: "DEU", override: 100).emissions(kWh: 1, pue: 1), 0.1, accuracy: 1e-12)
    XCTAssertThrowsError(try CarbonIntensity(country: "XXX", override: nil))
  }

  func testTheMonitorEstimatesAndTheCSVHasCodeCarbonsColumns() throws {
    let monitor = EnergyMonitor(
      interval: 0.05, model: CPUPowerModel(cpuModel: "test", override: 100, logicalCPUs: 1),
      rapl: RAPLMeter(root: folder + "/none"),
      nvml: NVMLMeter(library: "libnvidia-ml-absent.so.1"))
    monitor.start()
    let clock = ContinuousClock()
    let start = clock.now
    var x = 0.0
    while clock.now - start < .milliseconds(300) { x += sin(x) + 1 }
    XCTAssertGreaterThan(x, 0)
    let report = monitor.stop()
    XCTAssertGreaterThan(report.samples.count, 2)
    XCTAssertGreaterThan(report.cpuJoules, 5, "a busy core at 100 W for 0.3 s")
    XCTAssertLessThan(report.cpuJoules, 100 * report.seconds + 1e-6)
    XCTAssertTrue(report.method.contains("estimated"))
    XCTAssertEqual(report.notes.count, 2, "RAPL and NVML both say why they were not used")
    let csv = EmissionsCSV.text(
      report: report, runID: "r1", carbon: try CarbonIntensity(country: "SWE", override: nil), pue: 1.2,
      cpuModel: "test", logicalCPUs: 1)
    let lines = csv.split(separator: "\n")
    XCTAssertEqual(lines.count, 2)
    XCTAssertEqual(lines[0].split(separator: ",").map(String.init), EmissionsCSV.columns)
    XCTAssertEqual(lines[1].split(separator: ",", omittingEmptySubsequences: false).count, EmissionsCSV.columns.count)
    let row = Dictionary(
      uniqueKeysWithValues: zip(
        EmissionsCSV.columns, lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)))
    XCTAssertEqual(Double(row["energy_consumed"]!)!, report.kWh * 1.2, accuracy: 1e-12)
    XCTAssertEqual(Double(row["emissions"]!)!, report.kWh * 1.2 * 41 / 1000, accuracy: 1e-12)
    XCTAssertEqual(row["country_iso_code"], "SWE")
  }
}

/// `hatchery energy`'s table, rendered by the Accounting module.
final class EnergyLedgerTableTests: XCTestCase {
  func testRunsTotalsUnmeteredRunsAndTheGridAreShown() throws {
    let ledger = [
      EnergyLedgerEntry(
        kind: "stage", name: "ingest", started: "2026-01-01T00:00:00Z", seconds: 2, cpuSeconds: 3, kWh: 0.001,
        method: "rapl", embodiedKg: 0.0005),
      EnergyLedgerEntry(
        kind: "pretrain", name: "run-1", started: "2026-01-01T00:01:00Z", seconds: nil, cpuSeconds: nil, kWh: nil,
        method: nil, embodiedKg: nil),
    ]
    let carbon = try CarbonIntensity(country: nil, override: 400)
    let table = EnergyLedgerTable.render(ledger, carbon: carbon, pue: 1.5, embodied: true)
    let lines = table.split(separator: "\n", omittingEmptySubsequences: false)
    XCTAssertEqual(lines[0], "| run | kind | started | seconds | CPU s | kWh | g CO2e | embodied g CO2e | method |")
    XCTAssertTrue(
      lines[2].hasPrefix("| ingest | stage | 2026-01-01T00:00:00Z | 2.0 | 3.0 | 0.001500 | 0.600 | 0.500 |"),
      "\(lines[2])")
    XCTAssertTrue(lines[3].contains("| not metered |"), "\(lines[3])")
    XCTAssertTrue(lines[4].hasPrefix("| total | | | | | 0.001500 | 0.600 | 0.500 |"), "\(lines[4])")
    XCTAssertTrue(table.hasSuffix("PUE 1.5"), table)
  }
}
