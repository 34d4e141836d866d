import Accounting
import Foundation
import HatcheryCore

/// The `README.md` beside an export: a Hugging Face dataset card. Its YAML header gives the
/// licence (the one SPDX expression of every document, in Hugging Face's lower case, else
/// `other` with the expressions listed), the languages, the size category, `text-generation`,
/// a pretty name and `configs` pointing at the data files; its body, generated from the
/// workspace, gives the sources with their declared and found licences, the documents through
/// the stages, the dedup, filter and tag settings applied, the tokens and the energy of the
/// preparation.
public enum DatasetCard {
  public static func render(
    workspace: Workspace, store: ProvenanceStore, files: [String], exported: DatasetExport.Summary
  ) throws -> String {
    let audit = try store.auditCounts()
    let name = (workspace.root as NSString).lastPathComponent
    // Licences of what was exported; languages of the workspace.
    let licences = exported.licences
    let languages = try store.commonLanguages(limit: 20)
    let known = licences.keys.filter { $0 != "unknown" }.sorted()
    var header = ["---"]
    if known.count == 1, licences["unknown"] == nil, !known[0].contains(" ") {
      header.append("license: \(known[0].lowercased())")
    } else {
      header.append("license: other")
      header.append("license_name: several")
      header.append(
        "license_details: " + "[" + licences.keys.sorted().map { "\"\($0)\"" }.joined(separator: ", ") + "]")
    }
    if !languages.isEmpty { header.append("language:\n" + languages.map { "- \($0)" }.joined(separator: "\n")) }
    header.append("size_categories:\n- \(sizeCategory(exported.documents))")
    header.append("task_categories:\n- text-generation")
    header.append("pretty_name: \(name)")
    header.append("configs:\n- config_name: default\n  data_files:\n  - split: train\n    path: \"data/*\"")
    header.append("---")

    var body = [
      "", "# \(name)", "",
      "Prepared with Hatchery \(HatcheryVersion.current) from the workspace `\(name)`: \(exported.documents) documents, "
        + "\(ByteCount.format(exported.textBytes)) of text in \(files.count) file(s) under `data/`. Every document keeps its id, source and "
        + "licence; `hatchery trace` in the workspace gives its origin.", "", "## Sources", "",
      "| source | declared licence | licences found (kept documents) |", "| --- | --- | --- |",
    ]
    var bySource: [String: [(String, Int)]] = [:]
    for row in audit.bySourceAndLicense where row.keptDocuments > 0 {
      bySource[row.source, default: []].append((row.expression ?? "unknown", row.keptDocuments))
    }
    for source in try store.sourceSummaries() {
      let found = (bySource[source.name] ?? []).sorted { $0.1 > $1.1 }.prefix(8).map { "\($0.0) (\($0.1))" }.joined(
        separator: ", ")
      body.append("| \(source.name) | \(source.declaredLicense ?? "none") | \(found.isEmpty ? "—" : found) |")
    }
    let ingested = audit.bySourceAndLicense.reduce(0) { $0 + $1.documents }
    body += ["", "## Documents through the stages", "", "- ingested: \(ingested)"]
    for drop in audit.drops { body.append("- dropped by \(drop.stage): \(drop.documents) (\(drop.reason))") }
    for held in audit.heldBack { body.append("- held back for licence review: \(held.documents) (\(held.reason))") }
    body.append("- exported: \(exported.documents)")
    body += ["", "## Processing", ""]
    let settings = try store.latestCompletedConfigs(stages: ["dedup", "filter", "tag", "tokenizer", "shard"])
    if settings.isEmpty { body.append("No dedup, filter or licence stage was run.") }
    for (stage, config) in settings { body.append("- `\(stage)`: `\(config.prefix(300))`") }
    let shards = try store.shards()
    if !shards.isEmpty {
      body += [
        "", "## Tokens", "",
        "\(shards.reduce(0) { $0 + $1.tokens }) tokens in \(shards.count) shard(s) of the workspace (tokenizer \(shards[0].tokenizerSHA256.prefix(12))).",
      ]
    }
    let kWh = try store.energyLedger().reduce(0.0) { $0 + ($1.kWh ?? 0) }
    body += [
      "", "## Energy", "",
      String(
        format:
          "The preparation used %.4f kWh as metered by Hatchery (`hatchery energy` in the workspace gives each run and its method).",
        kWh), "",
    ]
    return (header + body).joined(separator: "\n")
  }

  /// Hugging Face's size categories.
  static func sizeCategory(_ count: Int) -> String {
    switch count {
    case ..<1_000: "n<1K"
    case ..<10_000: "1K<n<10K"
    case ..<100_000: "10K<n<100K"
    case ..<1_000_000: "100K<n<1M"
    case ..<10_000_000: "1M<n<10M"
    case ..<100_000_000: "10M<n<100M"
    case ..<1_000_000_000: "100M<n<1B"
    default: "n>1B"
    }
  }
}
