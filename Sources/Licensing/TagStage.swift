import Foundation
import HatcheryCore
import Synchronization

/// The `tag` stage: licence findings for every document, one effective licence each, conflicts,
/// and — with a policy — `tag` decisions.
///
/// Effective licence: what the document itself says — its text and its metadata's licence fields
/// (SPDX tags if it has any, else every licence found, joined by AND); if it says nothing, what
/// its nearest covering licence file or package metadata says (LicenseScope, basis `scope`);
/// else the licence its source declared at ingestion; else unknown. Where a scope or a declared
/// licence exists, only decisive findings (the metadata's licence fields, and findings of
/// `LicenseDetector.decisiveConfidence` or more: tags, grants, licence texts) speak for the text: a licence named in
/// passing, a module macro, a pointer or a "public domain" mention stays evidence (a changelog's
/// "relicensed under the MIT License" is about code, not the changelog). A text that disagrees with
/// its covering file is a conflict too. A conflict is flagged when the text and the declared licence share no
/// licence, or when the text names licences that cannot be combined (GPL-2.0-only with Apache-2.0
/// or a version-3 GNU licence).
public enum TagStage {
  public static let name = "tag"
  /// Evidence excerpts stored with each finding are cut to this many bytes.
  public static let evidenceBytes = 300

  public static func run(workspace: Workspace, options: TagOptions) throws -> TagSummary {
    let started = Date()
    let policy = try options.policyPath.map(LicensePolicy.load)
    guard options.tasks >= 1, options.task >= 0, options.task < options.tasks else {
      throw LicensingError.invalidOption(
        "--task must be between 0 and --tasks - 1 (got task \(options.task) of \(options.tasks))")
    }
    // A task only reads the store (it may be read-only while an array of tasks runs).
    let store =
      try options.step == .task
      ? workspace.openStoreForReading() : options.step == .merge ? workspace.openStoreForMerge() : workspace.openStore()
    let parts = try store.allParts()
    guard !parts.isEmpty else {
      throw LicensingError.noDocuments(workspace: workspace.root)
    }
    let detector = LicenseDetector(referenceFolders: LicenseDetector.defaultReferenceFolders + options.referenceFolders)
    var configuration = JSONObject([
      ("policy", policy.map { .string("\($0)") } ?? .null),
      ("references", .array(detector.referenceIDs.map { .string($0) })),
      ("detector_version", .string(HatcheryVersion.current)),
      ("scope", options.scope ? .string("v1, depth \(options.scopeDepth.map(String.init) ?? "any")") : .null),
    ])
    configuration["parts"] = .array(
      parts.map { .string("\($0.source.name)/\($0.part.part):\($0.part.sha256):\($0.source.declaredLicense ?? "")") })
    let config = StageConfig(configuration)
    func scope() throws -> LicenseScope {
      options.scope
        ? try buildScope(
          workspace: workspace, store: store, parts: parts, detector: detector, depth: options.scopeDepth)
        : LicenseScope()
    }
    switch options.step {
    case .all: break
    case .task:
      return try runTask(
        workspace: workspace, options: options, parts: parts, config: config, detector: detector, scope: try scope(),
        policy: policy,
        started: started)
    case .merge:
      return try merge(
        workspace: workspace, store: store, options: options, parts: parts, config: config, started: started)
    }
    let lifecycle = StageLifecycle(stage: name, config: config)
    if !options.force, try lifecycle.isUpToDate(in: store) {
      var summary = TagSummary()
      summary.nothingToDo = true
      return summary
    }
    let scope = try scope()
    return try lifecycle.record(in: store) { runID in
      var summary = try tagParts(Array(parts.indices), threads: options.threads) { index in
        let result = try tag(parts[index], workspace: workspace, detector: detector, scope: scope, policy: policy)
        try result.write(into: store, stageRunID: runID)
        return result.summary
      }
      summary.seconds = Date().timeIntervalSince(started)
      return summary
    }
  }

  /// Runs `body` for every part index on `threads` workers (parts are independent); the first
  /// error stops the workers from taking new parts and is thrown.
  private static func tagParts(_ indices: [Int], threads: Int, _ body: @Sendable @escaping (Int) throws -> TagSummary)
    throws -> TagSummary
  {
    var summary = TagSummary()
    for part in try ParallelItems.map(indices, threads: threads, worker: {}, { _, index in try body(index) }) {
      summary.add(part)
    }
    return summary
  }

  /// `tasks/tag/<configuration>/part-NNNNN.json`: a tag task's results for part N (counted over every
  /// source, as the task split counts them), until the merge writes them into the store.
  public static func taskFile(part: Int, config: StageConfig) -> String {
    TaskFiles.path(stage: name, config: config, part: part)
  }

  /// A task step: the results of the task's parts (k mod N = I), each in its own file with the
  /// configuration it was made under; the store is only read.
  private static func runTask(
    workspace: Workspace, options: TagOptions, parts: [(source: SourceRecord, part: PartRecord)], config: StageConfig,
    detector: LicenseDetector, scope: LicenseScope, policy: LicensePolicy?, started: Date
  ) throws -> TagSummary {
    let pending = parts.indices.filter { index in
      index % options.tasks == options.task
        && (options.force
          || !FileManager.default.fileExists(atPath: workspace.absolute(taskFile(part: index, config: config))))
    }
    var summary = try tagParts(pending, threads: options.threads) { index in
      let result = try tag(parts[index], workspace: workspace, detector: detector, scope: scope, policy: policy)
      try TaskFiles.write(result, to: workspace.absolute(taskFile(part: index, config: config)))
      return result.summary
    }
    summary.nothingToDo = pending.isEmpty
    summary.seconds = Date().timeIntervalSince(started)
    return summary
  }

  /// The merge: every part has a task file of this configuration (else it refuses, writing
  /// nothing, naming the tasks missing); they are written into the store in part order, then
  /// removed. Run again, it finds the stage up to date.
  private static func merge(
    workspace: Workspace, store: ProvenanceStore, options: TagOptions,
    parts: [(source: SourceRecord, part: PartRecord)],
    config: StageConfig, started: Date
  ) throws -> TagSummary {
    let lifecycle = StageLifecycle(stage: name, task: 0, tasks: options.tasks, config: config)
    if !options.force, try lifecycle.isUpToDate(in: store) {
      var summary = TagSummary()
      summary.nothingToDo = true
      return summary
    }
    let missing = TaskFiles.missing(in: workspace, stage: name, config: config, parts: parts.count)
    guard missing.isEmpty else {
      throw TaskFiles.refusal(missing, of: parts.count, tasks: options.tasks, stage: name, command: "hatchery tag")
    }
    return try lifecycle.record(in: store) { runID in
      var summary = TagSummary()
      // Every part's results replace every tag row, all in one transaction.
      try store.inOneTransaction { batch in
        try batch.clearLicenses()
        try TaskFiles.fold(
          TagPartResult.self, in: workspace, stage: name, config: config, parts: parts.count, threads: options.threads
        ) {
          results in
          for result in results {
            try batch.insertLicenses(
              part: (result.sourceID, result.part), findings: result.findings, licenses: result.licenses,
              decisions: result.decisions,
              stageRunID: runID)
            summary.add(result.summary)
          }
        }
      }
      TaskFiles.removeAll(in: workspace, stage: name)
      summary.seconds = Date().timeIntervalSince(started)
      return summary
    }
  }

  /// The covering licence files and package metadata of every source (LicenseScope): the
  /// documents read from such files, found by their input files' paths (a query for candidate
  /// names, not a list of every file), and the `package.json` files ingest refused to read as
  /// JSON records, read from the input tree.
  /// Every task builds the same scope from the same store, so N tasks agree with one process.
  static func buildScope(
    workspace: Workspace, store: ProvenanceStore, parts: [(source: SourceRecord, part: PartRecord)],
    detector: LicenseDetector,
    depth: Int?
  ) throws -> LicenseScope {
    var scope = LicenseScope(maximumDepth: depth)
    var wanted: [Int64: [Int: [Int: String]]] = [:]  // source → part → part line → path
    let candidates = try store.inputFiles(
      containing: [
        "licen", "copying", "copyright", "PKG-INFO", "METADATA", "package.json", "Cargo.toml", "pyproject.toml",
      ])
    for file in candidates {
      guard LicenseScope.isLicenseFile(file.path) || LicenseScope.isPackageMetadata(file.path) else { continue }
      for line in try store.partLines(sourceID: file.sourceID, part: file.part, file: file.file) {
        wanted[file.sourceID, default: [:]][file.part, default: [:]][line] = file.path
      }
    }
    for entry in parts {
      guard let lines = wanted[entry.source.id]?[entry.part.part], let last = lines.keys.max() else { continue }
      let reader = try DocumentPartReader(path: workspace.absolute(entry.part.path))
      for line in 0...last {
        if let path = lines[line] {
          guard let document = try reader.next() else { break }
          scope.add(source: entry.source.id, path: path, text: document.text, detector: detector)
        } else if try !reader.skip() {
          break
        }
      }
    }
    // package.json is JSON, which ingest reads as records and refuses: read it from the input tree.
    var sources: [Int64: SourceRecord] = [:]
    for entry in parts { sources[entry.source.id] = entry.source }
    for refused in try store.rejectedPaths(stage: "ingest", endingWith: "/package.json") {
      guard let source = sources[refused.sourceID] else { continue }
      // Input roots by their last component: paths start with it.
      var roots: [String] = []
      if case .array(let items)? = try? JSONParser.parse(source.uri) { roots = items.compactMap(\.stringValue) }
      let first = refused.path.split(separator: "/").first.map(String.init) ?? ""
      guard let root = roots.first(where: { ($0 as NSString).lastPathComponent == first }) else { continue }
      let absolute = (root as NSString).deletingLastPathComponent + "/" + refused.path
      guard let data = FileManager.default.contents(atPath: absolute), data.count < 1 << 20 else { continue }
      scope.add(source: source.id, path: refused.path, text: String(decoding: data, as: UTF8.self), detector: detector)
    }
    scope.finish()
    return scope
  }

  /// Tags the documents of one part and writes their results in one transaction.
  private static func tag(
    _ entry: (source: SourceRecord, part: PartRecord), workspace: Workspace, detector: LicenseDetector,
    scope: LicenseScope,
    policy: LicensePolicy?
  ) throws -> TagPartResult {
    let declared = entry.source.declaredLicense.flatMap { try? SPDXExpression.parse($0) }
    let reader = try DocumentPartReader(path: workspace.absolute(entry.part.path))
    var summary = TagSummary()
    var ids: [String] = []
    var findings: [LicenseFindingRecord] = []
    var licenses: [DocumentLicenseRecord] = []
    var decisions: [DecisionRecord] = []
    while let document = try reader.next() {
      var text = document.text
      let found = text.withUTF8 { bytes in
        let raw = UnsafeRawBufferPointer(bytes)
        return detector.detect(raw).map { finding in
          let end = min(finding.end, finding.start + evidenceBytes, raw.count)
          let excerpt = String(
            decoding: UnsafeRawBufferPointer(rebasing: raw[finding.start..<max(end, finding.start)]), as: UTF8.self)
          return (finding, excerpt)
        }
      }
      let hints = detector.detect(metadata: document.metadata).map { finding in
        (finding, "metadata: \(finding.spdx)")
      }
      let evidence = found + hints
      let cover = document.metadata["path"]?.stringValue.flatMap { scope.cover(source: entry.source.id, path: $0) }
      ids.append(document.id)
      summary.documents += 1
      summary.bytes += document.text.utf8.count
      for (finding, excerpt) in evidence {
        findings.append(
          LicenseFindingRecord(
            documentID: document.id, spdx: finding.spdx, method: finding.method.rawValue,
            confidence: finding.confidence, evidence: excerpt, start: finding.start, end: finding.end))
      }
      if let cover {
        findings.append(
          LicenseFindingRecord(
            documentID: document.id, spdx: cover.expression.description, method: "scope", confidence: 1,
            evidence: cover.evidence,
            start: 0, end: 0))
      }
      let license = effectiveLicense(
        findings: evidence.map(\.0), declared: declared, scope: cover, documentID: document.id)
      // Unknown without conflict is what a tagged document without a row means: no row.
      if license.basis != "unknown" || license.conflict != nil { licenses.append(license) }
      summary.byBasis[license.basis, default: 0] += 1
      summary.byCategory[license.category, default: 0] += 1
      if license.conflict != nil { summary.conflicts += 1 }
      if let policy, let decision = decide(license, policy: policy) {
        decisions.append(decision)
        if decision.action == .drop { summary.dropped += 1 } else { summary.review += 1 }
      }
    }
    return TagPartResult(
      sourceID: entry.source.id, part: entry.part.part, ids: ids, findings: findings, licenses: licenses,
      decisions: decisions,
      summary: summary)
  }

  /// The stated rule (see the type's documentation).
  static func effectiveLicense(
    findings: [LicenseFinding], declared: SPDXExpression?, scope: LicenseScope.Cover? = nil, documentID: String
  )
    -> DocumentLicenseRecord
  {
    let deciding =
      scope == nil && declared == nil
      ? findings : findings.filter { $0.method == .metadata || $0.confidence >= LicenseDetector.decisiveConfidence }
    let detected = LicenseDetector.expression(of: deciding).flatMap { try? SPDXExpression.parse($0) }
    let expression = detected ?? scope?.expression ?? declared
    let basis = detected != nil ? "detected" : scope != nil ? "scope" : declared != nil ? "declared" : "unknown"
    var conflicts: [String] = []
    if let detected, let scope, Set(detected.licenseIDs).isDisjoint(with: scope.expression.licenseIDs) {
      conflicts.append("the text says \(detected) but \(scope.file) (\(scope.detail)) gives \(scope.expression)")
    }
    if let governing = detected ?? scope?.expression, let declared,
      Set(governing.licenseIDs).isDisjoint(with: declared.licenseIDs)
    {
      conflicts.append(
        "\(detected != nil ? "the text" : scope!.file) says \(governing) but the source declares \(declared)")
    }
    if let detected, let pair = incompatiblePair(detected.licenseIDs) {
      conflicts.append("\(pair.0) and \(pair.1) cannot be combined")
    }
    let conflict = conflicts.isEmpty ? nil : conflicts.joined(separator: "; ")
    return DocumentLicenseRecord(
      documentID: documentID, expression: expression?.description, basis: basis,
      category: (expression.map { LicenseCategory.of($0) } ?? .unknown).rawValue, conflict: conflict)
  }

  /// GPL-2.0-only is incompatible with Apache-2.0 and with the version-3 GNU licences (the FSF's
  /// compatibility notes); other combinations are not judged here.
  private static func incompatiblePair(_ ids: [String]) -> (String, String)? {
    guard ids.contains("GPL-2.0-only") else { return nil }
    let incompatible = [
      "Apache-2.0", "GPL-3.0-only", "GPL-3.0-or-later", "LGPL-3.0-only", "LGPL-3.0-or-later",
      "AGPL-3.0-only", "AGPL-3.0-or-later",
    ]
    return ids.first { incompatible.contains($0) }.map { ("GPL-2.0-only", $0) }
  }

  /// The policy's verdict: nil when the document is accepted without remark.
  static func decide(_ license: DocumentLicenseRecord, policy: LicensePolicy) -> DecisionRecord? {
    func decision(_ action: LicensePolicy.Action, _ reason: String) -> DecisionRecord? {
      switch action {
      case .keep: return nil
      case .drop:
        return DecisionRecord(
          documentID: license.documentID, stage: name, action: .drop, reason: reason, duplicateOf: nil,
          similarity: nil,
          score: nil)
      case .review:
        return DecisionRecord(
          documentID: license.documentID, stage: name, action: .keep, reason: "review: " + reason, duplicateOf: nil,
          similarity: nil, score: nil)
      }
    }
    guard let text = license.expression, let expression = try? SPDXExpression.parse(text) else {
      return decision(policy.unknown, "unknown licence")
    }
    if let refused = policy.refusal(of: expression) {
      return decision(.drop, "licence \(refused) (\(LicenseCategory.of(id: refused).rawValue)) is not allowed")
    }
    if let conflict = license.conflict { return decision(policy.conflict, "licence conflict: \(conflict)") }
    return nil
  }
}

/// What tagging one part found, as the store takes it; a task writes it to its task file.
struct TagPartResult: Codable {
  var sourceID: Int64
  var part: Int
  var ids: [String]
  var findings: [LicenseFindingRecord]
  var licenses: [DocumentLicenseRecord]
  var decisions: [DecisionRecord]
  var summary: TagSummary

  /// Replaces the part's documents' licence rows and `tag` decisions, in one transaction.
  func write(into store: ProvenanceStore, stageRunID: Int64) throws {
    try store.replaceLicenses(
      part: (sourceID, part), for: ids, findings: findings, licenses: licenses, decisions: decisions,
      stageRunID: stageRunID)
  }
}
