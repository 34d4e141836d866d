import Accounting
import HatcheryCore
import Shards
import Training

/// The headline numbers of a workspace, read from its store: documents through the stages,
/// tokens in shards, training runs and energy. The report's data card and `hatchery run`'s
/// summary both print them.
struct WorkspaceFigures {
  var ingested = 0
  var rejected = 0
  var droppedByStage: [(stage: String, documents: Int)] = []
  var kept = 0
  var duplicateClusters = 0
  var shardDocuments = 0
  var shardTokens = 0
  var trainingRuns: [TrainingRunSummary] = []
  /// Energy of every metered stage and training run, before PUE.
  var kWh = 0.0

  init(store: ProvenanceStore) throws {
    let audit = try store.auditCounts()
    kept = audit.bySourceAndLicense.reduce(0) { $0 + $1.keptDocuments }
    let shards = try store.shards()
    shardDocuments = shards.reduce(0) { $0 + $1.documents }
    shardTokens = shards.reduce(0) { $0 + $1.tokens }
    kWh = try store.energyLedger().reduce(0.0) { $0 + ($1.kWh ?? 0) }
    let flow = try store.documentFlow()
    ingested = flow.ingested
    rejected = flow.rejectedAtIngest
    droppedByStage = flow.droppedByStage
    duplicateClusters = flow.duplicateClusters
    trainingRuns = try store.trainingRunSummaries()
  }
}
