import Accounting
import HatcheryCore
import Shards
import Training

/// The headline numbers of a workspace, read from its store: documents through the stages,
/// tokens in shards, training runs and energy. The report's data card and `hatchery run`'s
/// summary both print them.
public struct WorkspaceFigures {
  public var ingested = 0
  public var rejected = 0
  public var droppedByStage: [(stage: String, documents: Int)] = []
  public var kept = 0
  public var duplicateClusters = 0
  public var shardDocuments = 0
  public var shardTokens = 0
  public var trainingRuns: [TrainingRunSummary] = []
  /// Energy of every metered stage and training run, before PUE.
  public var kWh = 0.0

  public init(store: ProvenanceStore) throws {
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
