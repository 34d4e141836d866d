import Filters
import Foundation
import HatcheryCore
import Tokenizer
import Training

/// `hatchery ablate FILE`: for each variant, its pipeline (steps already up to date are reused),
/// the contamination check of the shared evaluation sets against its kept documents, then one
/// training run per seed with the base pipeline's model and token budget, each scored on the
/// evaluation sets in bits per byte. A run's result is kept in `FOLDER/results/VARIANT/` under a
/// fingerprint of its data, options and seed, so running the ablation again trains only what
/// changed. The comparison goes to `FOLDER/ablation.{md,json,html}`.
public enum AblationRunner {
  public struct Options: Sendable {
    public var executable: String
    /// Threads of the evaluation after training (training takes the train stage's).
    public var threads = ProcessInfo.processInfo.activeProcessorCount

    public init(executable: String) { self.executable = executable }
  }

  /// One trained and scored run.
  public struct Run: Codable, Sendable {
    public var variant: String
    public var seed: UInt64
    public var fingerprint: String
    public var runDirectory: String
    /// Bits per byte of each evaluation set, and over all of them (their bytes together).
    public var bitsPerByte: [String: Double]
    public var totalBitsPerByte: Double
    public var tokens: Int
    public var seconds: Double
    public var kWh: Double
    public var emissionsKg: Double
  }

  /// What the check of a variant's kept documents against the evaluation sets found.
  public struct Contamination: Codable, Sendable {
    public var variant: String
    public var trainingDocuments: Int
    public var evaluationDocuments: Int
    /// Evaluation documents whose whole word sequence is a kept document's.
    public var copies: [String]
    /// Evaluation documents sharing an n-gram with a kept document.
    public var dirty: Int
    /// The evaluation sets' distinct n-grams, and those found in kept documents.
    public var evaluationNGrams: Int
    public var sharedNGrams: Int
    public var sharedFraction: Double { evaluationNGrams > 0 ? Double(sharedNGrams) / Double(evaluationNGrams) : 0 }
    /// The evaluation documents with most n-grams in the training text: `set#N`, shared, all.
    public var mostShared: [String]
  }

  public struct Results: Sendable {
    public var file: AblationFile
    public var runs: [Run]
    public var contamination: [Contamination]
    public var seconds: Double
  }

  /// The steps of an ablation. `all` does everything in one process; on a cluster, `prepare`
  /// (task I: variant I's pipeline and contamination check) and `train` (task I: run I, variant
  /// I / seeds with its seed I % seeds) run as job arrays, and `compare` once every run is done.
  public enum Step: String, CaseIterable, Sendable {
    case all, prepare, train, compare
  }

  public static func run(
    _ file: AblationFile, options: Options, step: Step = .all, task: Int? = nil,
    print: (String) -> Void = { Swift.print($0) }
  ) throws -> Results? {
    let clock = ContinuousClock()
    let started = clock.now
    // Read once, before any variant runs, so a missing set fails at once.
    let sets = try evaluationSets(file)
    switch step {
    case .prepare:
      guard let task, file.variants.indices.contains(task) else {
        throw PipelineError.invalidOption(
          "--step prepare takes --task I, a variant's index: 0 to \(file.variants.count - 1)")
      }
      _ = try prepare(file, variant: file.variants[task], sets: sets, options: options, print: print)
    case .train:
      guard let task, task >= 0, task < file.variants.count * file.seeds else {
        throw PipelineError.invalidOption(
          "--step train takes --task I, a run's index: 0 to \(file.variants.count * file.seeds - 1) (variant I / \(file.seeds), its seed I % \(file.seeds))"
        )
      }
      _ = try train(
        file, variant: file.variants[task / file.seeds], seedIndex: task % file.seeds, sets: sets, options: options,
        print: print)
    case .all:
      for variant in file.variants {
        _ = try prepare(file, variant: variant, sets: sets, options: options, print: print)
        for seedIndex in 0..<file.seeds {
          _ = try train(file, variant: variant, seedIndex: seedIndex, sets: sets, options: options, print: print)
        }
      }
    case .compare:
      break
    }
    guard step == .all || step == .compare else { return nil }
    var results = try collect(file, sets: sets)
    results.seconds = (clock.now - started).seconds
    try AblationReport.write(results)
    return results
  }

  static func evaluationSets(_ file: AblationFile) throws -> [EvaluationSet] {
    try file.evalSets.map { set -> EvaluationSet in
      let loaded = try EvaluationSet.load(name: set.name, path: set.path)
      return file.evalBytes.map { loaded.prefix(bytes: $0) } ?? loaded
    }
  }

  static func resultFolder(_ file: AblationFile, variant: String) -> String {
    Workspace.absolutePath(file.folder) + "/results/\(variant)"
  }

  /// A variant's pipeline (its up-to-date steps skipped), then the check of the evaluation sets
  /// against its kept documents, kept beside its results.
  static func prepare(
    _ file: AblationFile, variant: AblationFile.Variant, sets: [EvaluationSet], options: Options,
    print: (String) -> Void
  ) throws -> Contamination {
    let pipeline = try file.pipeline(for: variant)
    print("==> ablation \(file.name): variant \(variant.name) (\(pipeline.workspace))")
    let outcome = try PipelineRunner.run(
      pipeline, options: PipelineRunner.Options(executable: options.executable), print: print)
    guard outcome == .completed else {
      throw PipelineError.cannotRun(
        "ablation \(file.name): the pipeline of variant \(variant.name) did not complete (\(outcome)); its message is above"
      )
    }
    let workspace = try Workspace.open(at: pipeline.workspace)
    let store = try workspace.openStore()
    let index = ContaminationIndex(
      items: sets.flatMap { set in set.documents.enumerated().map { ("\(set.name)#\($0.offset + 1)", $0.element.text) }
      }, n: file.ngram)
    var copyKeys: [UInt64: String] = [:]
    for set in sets {
      for (number, document) in set.documents.enumerated() {
        copyKeys[document.text.withUnsafeBytes { ContaminationIndex.contentKey($0) }] = "\(set.name)#\(number + 1)"
      }
    }
    let check = try checkContamination(
      variant: variant.name, workspace: workspace, store: store, index: index, copyKeys: copyKeys,
      evaluationDocuments: sets.reduce(0) { $0 + $1.documents.count })
    print(
      "==> ablation \(file.name): variant \(variant.name): \(check.trainingDocuments) training documents; evaluation documents "
        + "copied \(check.copies.count), sharing a \(file.ngram)-gram \(check.dirty) of \(check.evaluationDocuments); "
        + "\(check.sharedNGrams) of the evaluation text's \(check.evaluationNGrams) \(file.ngram)-grams in the training text"
    )
    guard check.copies.isEmpty else {
      throw PipelineError.contaminated(
        ablation: file.name, variant: variant.name,
        reason:
          "variant \(variant.name) trains on evaluation document(s) \(check.copies.prefix(5).joined(separator: ", ")): "
          + "the evaluation sets must be held out from every variant")
    }
    guard check.sharedFraction <= file.maximumSharedFraction else {
      throw PipelineError.contaminated(
        ablation: file.name, variant: variant.name,
        reason:
          "\(String(format: "%.2f", 100 * check.sharedFraction))% of the evaluation text's \(file.ngram)-grams are in "
          + "variant \(variant.name)'s training documents (\(check.dirty) of \(check.evaluationDocuments) evaluation documents share one), "
          + "more than max_shared_ngrams \(file.maximumSharedFraction); most from \(check.mostShared.joined(separator: ", ")): "
          + "hold them out, or raise contamination.max_shared_ngrams")
    }
    try write(check, to: resultFolder(file, variant: variant.name) + "/contamination.json")
    return check
  }

  /// The variant's workspace and its data's fingerprint, once its pipeline has run.
  static func preparedVariant(_ file: AblationFile, variant: AblationFile.Variant) throws -> (
    Workspace, ProvenanceStore, String
  ) {
    let pipeline = try file.pipeline(for: variant)
    let notPrepared = PipelineError.cannotRun(
      "ablation \(file.name): variant \(variant.name) is not prepared: run `hatchery ablate --step prepare --task "
        + "\(file.variants.firstIndex { $0.name == variant.name } ?? 0)` first")
    guard FileManager.default.fileExists(atPath: Workspace.absolutePath(pipeline.workspace) + "/hatchery.db") else {
      throw notPrepared
    }
    let workspace = try Workspace.open(at: pipeline.workspace)
    let store = try workspace.openStore()
    guard let step = try store.pipelineStep(pipeline: pipeline.name, step: "shard"), step.status == .completed else {
      throw notPrepared
    }
    return (workspace, store, step.fingerprint)
  }

  /// One seed of a prepared variant.
  static func train(
    _ file: AblationFile, variant: AblationFile.Variant, seedIndex: Int, sets: [EvaluationSet], options: Options,
    print: (String) -> Void
  ) throws -> Run {
    let (workspace, _, dataFingerprint) = try preparedVariant(file, variant: variant)
    guard FileManager.default.fileExists(atPath: resultFolder(file, variant: variant.name) + "/contamination.json")
    else {
      throw PipelineError.cannotRun(
        "ablation \(file.name): variant \(variant.name) has no contamination check: run its prepare step first")
    }
    return try trainAndScore(
      file: file, variant: variant.name, seedIndex: seedIndex, prepared: workspace, dataFingerprint: dataFingerprint,
      sets: sets,
      options: options, print: print)
  }

  /// A run's own workspace, `FOLDER/runs/VARIANT/seed-S`: its store records the run, its
  /// `shards` and `tokenizer` are links to the variant's. Runs of one variant so write no file
  /// in common and can run side by side (as Slurm jobs do), and the variant's store is only read.
  static func runWorkspace(_ file: AblationFile, variant: String, seed: UInt64, prepared: Workspace) throws -> Workspace
  {
    let path = Workspace.absolutePath(file.folder) + "/runs/\(variant)/seed-\(seed)"
    let workspace =
      FileManager.default.fileExists(atPath: path + "/" + Workspace.storeName)
      ? try Workspace.open(at: path) : try Workspace.create(at: path)
    for folder in ["shards", "tokenizer"] {
      let link = path + "/" + folder
      let target = prepared.absolute(folder)
      if (try? FileManager.default.destinationOfSymbolicLink(atPath: link)) == target { continue }
      unlink(link)
      guard symlink(target, link) == 0 else { throw HatcheryError.system("link", path: link) }
    }
    return workspace
  }

  /// Every variant's contamination check and runs, each run's result checked against its
  /// fingerprint (a missing or stale one is named).
  static func collect(_ file: AblationFile, sets: [EvaluationSet]) throws -> Results {
    var runs: [Run] = []
    var contamination: [Contamination] = []
    var missing: [String] = []
    for (index, variant) in file.variants.enumerated() {
      let folder = resultFolder(file, variant: variant.name)
      guard let data = FileManager.default.contents(atPath: folder + "/contamination.json"),
        let check = try? JSONDecoder().decode(Contamination.self, from: data)
      else {
        missing.append("variant \(variant.name) (--step prepare --task \(index))")
        continue
      }
      contamination.append(check)
      let (_, _, dataFingerprint) = try preparedVariant(file, variant: variant)
      for seedIndex in 0..<file.seeds {
        let seed = self.seed(file, index: seedIndex)
        let fingerprint = runFingerprint(file, seed: seed, dataFingerprint: dataFingerprint, sets: sets)
        guard let data = FileManager.default.contents(atPath: folder + "/seed-\(seed).json"),
          let run = try? JSONDecoder().decode(Run.self, from: data), run.fingerprint == fingerprint
        else {
          missing.append("\(variant.name) seed \(seed) (--step train --task \(index * file.seeds + seedIndex))")
          continue
        }
        runs.append(run)
      }
    }
    guard missing.isEmpty else {
      throw PipelineError.cannotRun(
        "ablation \(file.name): no up-to-date result for \(missing.prefix(10).joined(separator: ", "))"
          + (missing.count > 10 ? " and \(missing.count - 10) more" : ""))
    }
    return Results(file: file, runs: runs, contamination: contamination, seconds: 0)
  }

  static func write<T: Encodable>(_ value: T, to path: String) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    try AtomicFileOutput.write(Array(try encoder.encode(value)), to: path)
  }

  /// The comparison as the markdown file has it.
  public static func summaryTable(_ results: Results) -> String { AblationReport.markdown(results) }

  /// Reads the variant's kept documents once: each one's whole-text key against the evaluation
  /// documents', and its n-grams against theirs.
  static func checkContamination(
    variant: String, workspace: Workspace, store: ProvenanceStore, index: ContaminationIndex,
    copyKeys: [UInt64: String],
    evaluationDocuments: Int
  ) throws -> Contamination {
    let reader = try KeptDocuments(workspace: workspace, store: store).reader()
    var documents = 0
    var copies: Set<String> = []
    var dirty: Set<String> = []
    var shared: Set<UInt64> = []
    while let (_, text) = try reader.next() {
      documents += 1
      text.withUnsafeBytes { bytes in
        if let copy = copyKeys[ContaminationIndex.contentKey(bytes)] { copies.insert(copy) }
        index.collectMatches(bytes, items: &dirty, shared: &shared)
      }
    }
    let worst = index.itemsHolding(shared).sorted { ($0.shared, $1.item) > ($1.shared, $0.item) }.prefix(5)
    return Contamination(
      variant: variant, trainingDocuments: documents, evaluationDocuments: evaluationDocuments, copies: copies.sorted(),
      dirty: dirty.count,
      evaluationNGrams: index.count, sharedNGrams: shared.count,
      mostShared: worst.map { "\($0.item) (\($0.shared) of \($0.of))" })
  }

  private static func trainAndScore(
    file: AblationFile, variant: String, seedIndex: Int, prepared: Workspace, dataFingerprint: String,
    sets: [EvaluationSet],
    options: Options, print: (String) -> Void
  ) throws -> Run {
    let seed = self.seed(file, index: seedIndex)
    let arguments = runArguments(file, seed: seed)
    let fingerprint = runFingerprint(file, seed: seed, dataFingerprint: dataFingerprint, sets: sets)
    let resultPath = resultFolder(file, variant: variant) + "/seed-\(seed).json"
    if let data = FileManager.default.contents(atPath: resultPath),
      let cached = try? JSONDecoder().decode(Run.self, from: data),
      cached.fingerprint == fingerprint
    {
      print(
        "==> ablation \(file.name): \(variant), seed \(seed): up to date (\(String(format: "%.4f", cached.totalBitsPerByte)) bits per byte)"
      )
      return cached
    }
    let workspace = try runWorkspace(file, variant: variant, seed: seed, prepared: prepared)
    let store = try workspace.openStore()
    let runName = "ablation-seed\(seed)-\(fingerprint.prefix(10))"
    let runDirectory = workspace.absolute("runs/" + runName)
    // A run of this name that did not finish is trained again from the start: same seed, same run.
    if FileManager.default.fileExists(atPath: runDirectory),
      try store.trainingRunStatus(id: runName)?.status != .completed
    {
      try FileManager.default.removeItem(atPath: runDirectory)
    }
    if !FileManager.default.fileExists(atPath: runDirectory) {
      let command = ["train", "-w", workspace.root, "--run-name", runName] + arguments
      print("==> ablation \(file.name): \(variant), seed \(seed): hatchery \(command.joined(separator: " "))")
      let result = try PipelineRunner.runProcess(options.executable, command)
      guard result == .exited(0) else {
        throw PipelineError.cannotRun(
          "ablation \(file.name): training variant \(variant) with seed \(seed) failed (\(result)); its message is above"
        )
      }
    }
    guard let checkpoint = Checkpoint.latest(in: runDirectory) else {
      throw PipelineError.badFile(place: runDirectory, reason: "the run left no complete checkpoint")
    }
    let config = try Checkpoint.config(of: checkpoint.folder)
    let tokenizer = try TokenizerFile.load(path: checkpoint.folder + "/tokenizer.json")
    let model = try GPT(config: config, batch: 8, sequence: config.context, threads: options.threads)
    try model.load(checkpoint: checkpoint.folder)
    let evaluator = try TextEvaluator(model: model, tokenizer: tokenizer)
    var total = EvaluationTally()
    var bits: [String: Double] = [:]
    for set in sets {
      let result = evaluator.evaluate(set)
      bits[set.name] = result.total.bitsPerByte
      total.bytes += result.total.bytes
      total.nats += result.total.nats
    }
    let account = try store.trainingRunAccount(id: runName)
    let run = Run(
      variant: variant, seed: seed, fingerprint: fingerprint, runDirectory: runDirectory, bitsPerByte: bits,
      totalBitsPerByte: total.bitsPerByte,
      tokens: account?.tokens ?? 0, seconds: account?.seconds ?? 0, kWh: account?.kWh ?? 0,
      emissionsKg: account?.emissionsKg ?? 0)
    try write(run, to: resultPath)
    print(
      "==> ablation \(file.name): \(variant), seed \(seed): \(String(format: "%.4f", run.totalBitsPerByte)) bits per byte"
    )
    return run
  }
}
