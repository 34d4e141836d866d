import GRDB
import HatcheryCore

/// The headline numbers of a workspace, read from its store: documents through the stages,
/// tokens in shards, training runs and energy. The report's data card and `hatchery run`'s
/// summary both print them.
struct WorkspaceFigures {
  struct TrainingRun {
    var id: String
    var kind: String
    var directory: String
    var status: String
    var steps: Int
    var tokens: Int
    var finalLoss: Double?
    var finalValidationLoss: Double?
    /// The training loop's wall time, and what `hatchery plan` forecast for it at its start.
    var seconds: Double?
    var forecastSeconds: Double?
  }

  var ingested = 0
  var rejected = 0
  var droppedByStage: [(stage: String, documents: Int)] = []
  var kept = 0
  var duplicateClusters = 0
  var shardDocuments = 0
  var shardTokens = 0
  var trainingRuns: [TrainingRun] = []
  /// Energy of every metered stage and training run, before PUE.
  var kWh = 0.0

  init(store: ProvenanceStore) throws {
    let audit = try store.auditCounts()
    kept = audit.bySourceAndLicense.reduce(0) { $0 + $1.keptDocuments }
    let shards = try store.shards()
    shardDocuments = shards.reduce(0) { $0 + $1.documents }
    shardTokens = shards.reduce(0) { $0 + $1.tokens }
    kWh = try store.energyLedger().reduce(0.0) { $0 + ($1.kWh ?? 0) }
    try store.read { db in
      ingested = try Int.fetchOne(db, sql: "SELECT count(*) FROM documents") ?? 0
      rejected = try Int.fetchOne(db, sql: "SELECT count(*) FROM rejects WHERE stage = 'ingest'") ?? 0
      droppedByStage = try Row.fetchAll(
        db,
        sql:
          "SELECT stage, count(DISTINCT document_id) AS n FROM decisions WHERE action = 'drop' GROUP BY stage ORDER BY min(id)"
      ).map { ($0["stage"], $0["n"]) }
      duplicateClusters =
        try Int.fetchOne(
          db,
          sql: "SELECT count(DISTINCT duplicate_of) FROM decisions WHERE stage = 'dedup' AND duplicate_of IS NOT NULL")
        ?? 0
      trainingRuns = try Row.fetchAll(
        db,
        sql: """
          SELECT id, kind, run_dir, status, steps, tokens, final_loss, final_val_loss, seconds, forecast_seconds FROM training_runs
          ORDER BY started_at
          """
      ).map {
        TrainingRun(
          id: $0["id"], kind: $0["kind"], directory: $0["run_dir"], status: $0["status"], steps: $0["steps"],
          tokens: $0["tokens"],
          finalLoss: $0["final_loss"], finalValidationLoss: $0["final_val_loss"], seconds: $0["seconds"],
          forecastSeconds: $0["forecast_seconds"])
      }
    }
  }
}
