import Foundation
import GRDB
import HatcheryCore

/// Energy: training runs' samples, stage runs' measured energy, and the ledger of both.
extension ProvenanceStore {
  /// Records the energy samples of a training run (or a stage run) in one transaction.
  public func insertEnergySamples(
    trainingRunID: String?, stageRunID: Int64?,
    samples: [(at: String, elapsed: Double, cpuWatts: Double, gpuWatts: Double?, ramWatts: Double, joules: Double)],
    method: String
  ) throws {
    try pool.write { db in
      let insert = try db.makeStatement(
        sql: """
          INSERT INTO energy_samples (stage_run_id, training_run_id, at, elapsed_s, cpu_watts, gpu_watts, ram_watts, energy_joules, method)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
          """)
      for sample in samples {
        try insert.execute(arguments: [
          stageRunID, trainingRunID, sample.at, sample.elapsed, sample.cpuWatts, sample.gpuWatts, sample.ramWatts,
          sample.joules, method,
        ])
      }
    }
  }

  public func energySampleCount(trainingRunID: String) throws -> Int {
    try pool.read { db in
      try Int.fetchOne(
        db, sql: "SELECT count(*) FROM energy_samples WHERE training_run_id = ?", arguments: [trainingRunID]) ?? 0
    }
  }

  /// Shares out the energy of this process among the stage runs it started since `since` that
  /// have none yet, in proportion to their durations.
  /// The process's samples are recorded with the last of those stage runs.
  public func recordStageEnergy(
    since: String, cpuSeconds: Double, kWh: Double, emissionsKg: Double, method: String, embodiedKg: Double? = nil,
    samples: [(at: String, elapsed: Double, cpuWatts: Double, gpuWatts: Double?, ramWatts: Double, joules: Double)]
  ) throws {
    var name = [CChar](repeating: 0, count: 256)
    gethostname(&name, name.count - 1)
    let host = String(decoding: name.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    try pool.write { db in
      let rows = try Row.fetchAll(
        db,
        sql: """
          SELECT id, max(1, strftime('%s', coalesce(finished_at, ?)) - strftime('%s', started_at)) AS seconds FROM stage_runs
          WHERE host = ? AND pid = ? AND started_at >= ? AND energy_kwh IS NULL
          """, arguments: [Timestamp.now(), host, getpid(), since])
      let total = rows.reduce(0.0) { $0 + ($1["seconds"] as Double? ?? 1) }
      for row in rows {
        let share = (row["seconds"] as Double? ?? 1) / max(total, 1)
        try db.execute(
          sql:
            "UPDATE stage_runs SET cpu_seconds = ?, energy_kwh = ?, emissions_kg = ?, energy_method = ?, embodied_kg = ? WHERE id = ?",
          arguments: [
            cpuSeconds * share, kWh * share, emissionsKg * share, method, embodiedKg.map { $0 * share },
            row["id"] as Int64,
          ])
      }
      guard let last: Int64 = rows.last?["id"] else { return }
      let insert = try db.makeStatement(
        sql: """
          INSERT INTO energy_samples (stage_run_id, training_run_id, at, elapsed_s, cpu_watts, gpu_watts, ram_watts, energy_joules, method)
          VALUES (?, NULL, ?, ?, ?, ?, ?, ?, ?)
          """)
      for sample in samples {
        try insert.execute(arguments: [
          last, sample.at, sample.elapsed, sample.cpuWatts, sample.gpuWatts, sample.ramWatts, sample.joules, method,
        ])
      }
    }
  }

  /// Every stage run and training run with its energy, oldest first: what `hatchery energy` lists.
  public func energyLedger() throws -> [EnergyLedgerEntry] {
    try pool.read { db in
      let stages = try Row.fetchAll(
        db,
        sql: """
          SELECT stage, started_at, strftime('%s', finished_at) - strftime('%s', started_at) AS seconds, cpu_seconds, energy_kwh,
            energy_method, embodied_kg FROM stage_runs WHERE status = 'completed' ORDER BY id
          """
      ).map { row in
        EnergyLedgerEntry(
          kind: "stage", name: row["stage"], started: row["started_at"], seconds: row["seconds"],
          cpuSeconds: row["cpu_seconds"],
          kWh: row["energy_kwh"], method: row["energy_method"], embodiedKg: row["embodied_kg"])
      }
      let training = try Row.fetchAll(
        db,
        sql: """
          SELECT id, kind, started_at, strftime('%s', finished_at) - strftime('%s', started_at) AS seconds, cpu_seconds, energy_kwh,
            energy_method, embodied_kg FROM training_runs ORDER BY started_at
          """
      ).map { row in
        EnergyLedgerEntry(
          kind: row["kind"], name: row["id"], started: row["started_at"], seconds: row["seconds"],
          cpuSeconds: row["cpu_seconds"],
          kWh: row["energy_kwh"], method: row["energy_method"], embodiedKg: row["embodied_kg"])
      }
      return (stages + training).sorted { $0.started < $1.started }
    }
  }
}

/// One stage run or training run with what it cost (`hatchery energy`, the report).
public struct EnergyLedgerEntry: Sendable, Equatable {
  /// `stage`, or the training run's kind (`pretrain`, `finetune`).
  public var kind: String
  /// The stage's name, or the training run's id.
  public var name: String
  public var started: String
  public var seconds: Double?
  public var cpuSeconds: Double?
  public var kWh: Double?
  public var method: String?
  public var embodiedKg: Double?

  public init(
    kind: String, name: String, started: String, seconds: Double?, cpuSeconds: Double?, kWh: Double?, method: String?,
    embodiedKg: Double?
  ) {
    self.kind = kind
    self.name = name
    self.started = started
    self.seconds = seconds
    self.cpuSeconds = cpuSeconds
    self.kWh = kWh
    self.method = method
    self.embodiedKg = embodiedKg
  }
}
