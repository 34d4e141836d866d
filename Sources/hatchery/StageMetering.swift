import Accounting
import Foundation
import HatcheryCore

/// A command that runs a data stage on a workspace: its process is metered, and the energy is
/// recorded on the stage runs it started (`stage_runs.cpu_seconds`, `energy_kwh`,
/// `emissions_kg` at the world-average grid, `energy_method`).
protocol MeteredStageCommand {
  /// The workspace, or nil when this use of the command is not a stage run.
  var meteredWorkspace: String? { get }
  /// A merge step records its energy as the store's one writer too (`openStoreForMerge`): an
  /// ordinary open would switch the store back to WAL only for this one row.
  var isMergeStep: Bool { get }
}

// A task step writes no store row, its energy neither (it would be a write of the store).
extension IngestCommand: MeteredStageCommand {
  var meteredWorkspace: String? { runner.step == .task ? nil : stage.workspace }
  var isMergeStep: Bool { runner.step == .merge }
}
extension DedupCommand: MeteredStageCommand {
  var meteredWorkspace: String? { runner.step == .signatures ? nil : stage.workspace }
  var isMergeStep: Bool { runner.step == .merge }
}
extension TagCommand: MeteredStageCommand {
  var meteredWorkspace: String? { runner.step == .task ? nil : stage.workspace }
  var isMergeStep: Bool { runner.step == .merge }
}
extension FilterCommand.Run: MeteredStageCommand {
  var meteredWorkspace: String? { runner.step == .task ? nil : stage.workspace }
  var isMergeStep: Bool { runner.step == .merge }
}
extension TokenizerCommand.Train: MeteredStageCommand {
  var meteredWorkspace: String? { runner.step == .task ? nil : workspace }
  var isMergeStep: Bool { runner.step == .merge }
}
extension ShardCommand.Run: MeteredStageCommand {
  var isMergeStep: Bool { runner.step == .merge }
  var meteredWorkspace: String? { runner.step == .task || runner.step == .write ? nil : stage.workspace }
}

/// Meters `body` when `command` is a stage command; recording never fails the command.
func meteringStage(_ command: Any, _ body: () throws -> Void) throws {
  guard let metered = command as? MeteredStageCommand, let path = metered.meteredWorkspace else { return try body() }
  let since = Timestamp.now()
  let model = CPUPowerModel(machine: .current)
  let monitor = EnergyMonitor(model: model, embodied: (EmbodiedModel.cloudVCPU, model.heldCPUs))
  monitor.start()
  defer {
    let report = monitor.stop()
    if let carbon = try? CarbonIntensity(country: nil, override: nil), let workspace = try? Workspace.open(at: path),
      let store = try? (metered.isMergeStep ? workspace.openStoreForMerge() : workspace.openStore())
    {
      try? store.recordStageEnergy(
        since: since, cpuSeconds: report.processCPUSeconds, kWh: report.kWh,
        emissionsKg: carbon.emissions(kWh: report.kWh, pue: 1),
        method: report.method, embodiedKg: report.embodiedKg,
        samples: report.samples.map { ($0.at, $0.elapsed, $0.cpuWatts, $0.gpuWatts, $0.ramWatts, $0.joules) })
    }
  }
  try body()
}
