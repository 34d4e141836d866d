import Foundation
import HatcheryCore

/// `hatchery audit`: what the corpus contains by source and licence, what was dropped and why,
/// licence conflicts, and the provenance check (documents without a recorded source: must be 0).
public struct AuditReport: Sendable {
  public enum Format: String, Sendable, CaseIterable {
    case md, json, html
  }

  public let counts: ProvenanceStore.AuditCounts
  /// The filter's classifiers: label scored, documents, mean score and the 10th, 50th and 90th
  /// percentiles.
  public let classifiers: [(name: String, label: String, documents: Int, mean: Double, percentiles: [Float])]

  public init(workspace: Workspace) throws {
    let store = try workspace.openStoreForReading()
    counts = try store.auditCounts()
    classifiers = try store.classifierScoreSummaries(percentiles: [0.1, 0.5, 0.9]).map {
      ($0.classifier, $0.label, $0.documents, $0.mean, $0.percentiles)
    }
  }

  /// Kept documents and bytes per effective licence over all sources, most bytes first.
  public var licenseSummary: [(expression: String, documents: Int, bytes: Int)] {
    var totals: [String: (Int, Int)] = [:]
    for row in counts.bySourceAndLicense where row.keptDocuments > 0 {
      let key = row.expression ?? (row.category == nil ? "(not tagged)" : "NOASSERTION")
      let current = totals[key] ?? (0, 0)
      totals[key] = (current.0 + row.keptDocuments, current.1 + row.keptBytes)
    }
    return totals.map { ($0.key, $0.value.0, $0.value.1) }.sorted {
      ($0.bytes, $0.expression) > ($1.bytes, $1.expression)
    }
  }

  public func render(_ format: Format) -> String {
    switch format {
    case .md: return markdown
    case .json: return JSONWriter.encode(json)
    case .html: return html
    }
  }

  private var json: JSONValue {
    .object(
      JSONObject([
        ("documents_without_provenance", .int(counts.withoutProvenance)),
        ("documents_not_tagged", .int(counts.untagged)),
        (
          "classifiers",
          .array(
            classifiers.map { entry in
              .object(
                JSONObject([
                  ("name", .string(entry.name)), ("label", .string(entry.label)), ("documents", .int(entry.documents)),
                  ("mean", .number(String(format: "%.6f", entry.mean))),
                  (
                    "percentiles",
                    .object(
                      JSONObject(
                        zip(["p10", "p50", "p90"], entry.percentiles).map {
                          ($0, $1.isNaN ? .null : .number(String(format: "%.6f", Double($1))))
                        }))
                  ),
                ]))
            })
        ),
        (
          "by_source_and_license",
          .array(
            counts.bySourceAndLicense.map { row in
              .object(
                JSONObject([
                  ("source", .string(row.source)), ("license", row.expression.map { .string($0) } ?? .null),
                  ("category", row.category.map { .string($0) } ?? .null), ("documents", .int(row.documents)),
                  ("bytes", .int(row.bytes)), ("kept_documents", .int(row.keptDocuments)),
                  ("kept_bytes", .int(row.keptBytes)),
                ]))
            })
        ),
        (
          "dropped",
          .array(
            counts.drops.map { row in
              .object(
                JSONObject([
                  ("stage", .string(row.stage)), ("reason", .string(row.reason)), ("documents", .int(row.documents)),
                  ("bytes", .int(row.bytes)),
                ]))
            })
        ),
        (
          "tokens_by_source_and_license",
          .array(
            counts.tokens.map { row in
              .object(
                JSONObject([
                  ("source", .string(row.source)), ("license", row.expression.map { .string($0) } ?? .null),
                  ("documents", .int(row.documents)), ("tokens", .int(row.tokens)),
                ]))
            })
        ),
        (
          "held_back_for_review",
          .array(
            counts.heldBack.map { row in
              .object(
                JSONObject([
                  ("reason", .string(row.reason)), ("documents", .int(row.documents)), ("bytes", .int(row.bytes)),
                  ("approximate_tokens", row.tokens.map { .int($0) } ?? .null),
                ]))
            })
        ),
        ("conflicts", .int(counts.conflicts)),
        (
          "conflict_examples",
          .array(
            counts.conflictExamples.map {
              .object(JSONObject([("document", .string($0.documentID)), ("conflict", .string($0.conflict))]))
            })
        ),
        (
          "license_summary",
          .array(
            licenseSummary.map {
              .object(
                JSONObject([
                  ("license", .string($0.expression)), ("documents", .int($0.documents)), ("bytes", .int($0.bytes)),
                ]))
            })
        ),
      ]))
  }

  private var tables: [(title: String, header: [String], rows: [[String]])] {
    [
      (
        "Documents by source and effective licence",
        ["source", "licence", "category", "documents", "bytes", "kept documents", "kept bytes"],
        counts.bySourceAndLicense.map {
          [
            $0.source, $0.expression ?? "—", $0.category ?? "not tagged", "\($0.documents)", ByteCount.format($0.bytes),
            "\($0.keptDocuments)", ByteCount.format($0.keptBytes),
          ]
        }
      ),
      (
        "Dropped, by stage and reason", ["stage", "reason", "documents", "bytes"],
        counts.drops.map { [$0.stage, $0.reason, "\($0.documents)", ByteCount.format($0.bytes)] }
      ),
      (
        "Held back from the shards for licence review (`hatchery review`)",
        ["reason", "documents", "bytes", "≈ tokens"],
        counts.heldBack.map {
          [$0.reason, "\($0.documents)", ByteCount.format($0.bytes), $0.tokens.map(String.init) ?? "—"]
        }
      ),
      (
        "Classifier scores (filter; documents below a `drop` classifier's threshold are in the dropped table)",
        ["classifier", "label", "documents", "mean", "p10", "p50", "p90"],
        classifiers.map { entry in
          [entry.name, entry.label, "\(entry.documents)", String(format: "%.4f", entry.mean)]
            + entry.percentiles.map { String(format: "%.4f", $0) }
        }
      ),
      (
        "Licence conflicts (first 20)", ["document", "conflict"],
        counts.conflictExamples.map { [$0.documentID, $0.conflict] }
      ),
      (
        "What the kept corpus contains", ["licence", "documents", "bytes"],
        licenseSummary.map { [$0.expression, "\($0.documents)", ByteCount.format($0.bytes)] }
      ),
      (
        "Tokens in the shards, by source and licence", ["source", "licence", "documents", "tokens"],
        counts.tokens.map { [$0.source, $0.expression ?? "—", "\($0.documents)", "\($0.tokens)"] }
      ),
    ]
  }

  private var checks: [String] {
    [
      "Documents without provenance: \(counts.withoutProvenance)\(counts.withoutProvenance == 0 ? "" : " — every document must trace to a source and part")",
      "Documents not tagged: \(counts.untagged)\(counts.untagged == 0 ? "" : " (run `hatchery tag`)")",
      "Licence conflicts: \(counts.conflicts)",
    ]
  }

  private var markdown: String {
    var text = "# Corpus audit\n\n" + checks.map { "- \($0)" }.joined(separator: "\n") + "\n"
    for table in tables {
      text +=
        "\n## \(table.title)\n\n| " + table.header.joined(separator: " | ") + " |\n|"
        + String(repeating: " --- |", count: table.header.count) + "\n"
      for row in table.rows {
        text += "| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n"
      }
      if table.rows.isEmpty {
        text += "| " + Array(repeating: "—", count: table.header.count).joined(separator: " | ") + " |\n"
      }
    }
    return text
  }

  private var html: String {
    let escape = HTMLText.escape
    var text =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Corpus audit</title>"
      + "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;"
      + "padding:.3em .6em;text-align:left}</style></head><body>\n<h1>Corpus audit</h1>\n<ul>"
      + checks.map { "<li>\(escape($0))</li>" }.joined() + "</ul>\n"
    for table in tables {
      text +=
        "<h2>\(escape(table.title))</h2>\n<table><tr>" + table.header.map { "<th>\(escape($0))</th>" }.joined()
        + "</tr>\n"
      for row in table.rows { text += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>\n" }
      text += "</table>\n"
    }
    return text + "</body></html>\n"
  }
}
