import Foundation
import GRDB
import HatcheryCore

/// Training runs: their status, steps, losses and compute account.
extension ProvenanceStore {
  /// Records a training run as `running` (or as running again, when resumed).
  public func beginTrainingRun(
    id: String, kind: String, runDirectory: String, parent: String?, config: String, configHash: String
  ) throws {
    try pool.write { db in
      try db.execute(
        sql: """
          INSERT INTO training_runs (id, kind, run_dir, parent_run_id, config, config_hash, started_at, status)
          VALUES (?, ?, ?, ?, ?, ?, ?, 'running')
          ON CONFLICT(id) DO UPDATE SET status = 'running', finished_at = NULL
          """,
        arguments: [id, kind, runDirectory, parent, config, configHash, Timestamp.now()])
    }
  }

  public func finishTrainingRun(
    id: String, status: TrainingRunStatus, steps: Int, tokens: Int, finalLoss: Double?, finalValidationLoss: Double?,
    flops: Double,
    energy: (cpuSeconds: Double, kWh: Double, emissionsKg: Double, method: String)? = nil, utilisation: Double? = nil,
    embodiedKg: Double? = nil, seconds: Double? = nil, forecastSeconds: Double? = nil
  ) throws {
    try pool.write { db in
      try db.execute(
        sql: """
          UPDATE training_runs SET status = ?, finished_at = ?, steps = ?, tokens = ?, final_loss = ?, final_val_loss = ?, flops = ?,
            cpu_seconds = ?, energy_kwh = ?, emissions_kg = ?, energy_method = ?, utilisation = ?, embodied_kg = ?, seconds = ?,
            forecast_seconds = ?
          WHERE id = ?
          """,
        arguments: [
          status.rawValue, Timestamp.now(), steps, tokens, finalLoss, finalValidationLoss, flops, energy?.cpuSeconds,
          energy?.kWh,
          energy?.emissionsKg, energy?.method, utilisation, embodiedKg, seconds, forecastSeconds, id,
        ])
    }
  }

  /// The model-FLOPs utilisation (achieved FLOP/s over the sgemm peak) of the newest completed
  /// training runs, newest first: what `hatchery plan` expects of the next run.
  /// Every training run, oldest first, as the report and `hatchery run` list them.
  public func trainingRunSummaries() throws -> [TrainingRunSummary] {
    try pool.read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT id, kind, run_dir, status, steps, tokens, final_loss, final_val_loss, seconds, forecast_seconds FROM training_runs
          ORDER BY started_at
          """
      ).map {
        TrainingRunSummary(
          id: $0["id"], kind: $0["kind"], directory: $0["run_dir"],
          status: TrainingRunStatus(rawValue: $0["status"]) ?? .failed, steps: $0["steps"], tokens: $0["tokens"],
          finalLoss: $0["final_loss"], finalValidationLoss: $0["final_val_loss"], seconds: $0["seconds"],
          forecastSeconds: $0["forecast_seconds"])
      }
    }
  }

  public func recentTrainingUtilisations(limit: Int) throws -> [Double] {
    try pool.read { db in
      try Double.fetchAll(
        db,
        sql:
          "SELECT utilisation FROM training_runs WHERE status = 'completed' AND utilisation > 0 ORDER BY finished_at DESC, rowid DESC LIMIT ?",
        arguments: [limit])
    }
  }

  public func trainingRunStatus(id: String) throws -> (status: TrainingRunStatus, steps: Int, finalLoss: Double?)? {
    try pool.read { db in
      try Row.fetchOne(db, sql: "SELECT status, steps, final_loss FROM training_runs WHERE id = ?", arguments: [id]).map
      {
        (TrainingRunStatus(rawValue: $0["status"] as String) ?? .failed, $0["steps"], $0["final_loss"])
      }
    }
  }

  /// What a training run cost: tokens, wall seconds, energy (kWh) and emissions (kg CO2e), as its
  /// end recorded them.
  public func trainingRunAccount(id: String) throws -> (
    tokens: Int, seconds: Double?, kWh: Double?, emissionsKg: Double?
  )? {
    try pool.read { db in
      try Row.fetchOne(
        db, sql: "SELECT tokens, seconds, energy_kwh, emissions_kg FROM training_runs WHERE id = ?", arguments: [id]
      ).map {
        ($0["tokens"], $0["seconds"], $0["energy_kwh"], $0["emissions_kg"])
      }
    }
  }
}

/// Where a training or fine-tuning run stands (`training_runs.status`).
public enum TrainingRunStatus: String, Sendable, Equatable {
  case running, completed, failed
}

/// A training run as listed: what it trained, how far, its losses and its time.
public struct TrainingRunSummary: Sendable, Equatable {
  public var id: String
  /// `pretrain` or `finetune`.
  public var kind: String
  public var directory: String
  public var status: TrainingRunStatus
  public var steps: Int
  public var tokens: Int
  public var finalLoss: Double?
  public var finalValidationLoss: Double?
  /// The training loop's wall time, and what `hatchery plan` forecast for it at its start.
  public var seconds: Double?
  public var forecastSeconds: Double?
}
