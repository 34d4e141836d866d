import Foundation
import HatcheryCore

/// `hatchery trace DOC_ID`: everything the store knows of one document — where it came from,
/// its checksums, its licence and the evidence for it, and every decision about it.
public enum DocumentTrace {
  public static func lines(workspace: Workspace, documentID: String) throws -> [String] {
    let store = try workspace.openStoreForReading()
    guard let document = try store.document(id: documentID) else {
      throw LicensingError.noSuchDocument(id: documentID, workspace: workspace.root)
    }
    let source = try store.source(id: document.sourceID)
    let part = Workspace.partPath(source: source?.name ?? "?", part: document.part)
    var lines = [
      "document  \(document.id)",
      "source    \(source?.name ?? "?") (declared licence: \(source?.declaredLicense ?? "none"); inputs \(source?.uri ?? "?"); "
        + "retrieved \(source?.retrievedAt ?? "?"))",
      "locator   \(document.path)" + (document.line.map { " line \($0)" } ?? "") + ", byte \(document.byteOffset) ("
        + "\(document.format))",
      "stored    \(part) line \(document.partLine + 1), \(document.bytes) bytes, \(document.chars) characters"
        + (document.repaired > 0 ? ", \(document.repaired) invalid UTF-8 sequences repaired" : ""),
      "sha256    \(document.sha256) (stored text); \(document.originalSHA256) (input)",
    ]
    if let license = try store.documentLicense(documentID: documentID) {
      lines.append(
        "licence   \(license.expression ?? "unknown") (\(license.basis), \(license.category))"
          + (license.conflict.map { "; conflict: \($0)" } ?? ""))
    } else {
      lines.append("licence   not tagged yet (run `hatchery tag`)")
    }
    for finding in try store.licenseFindings(documentID: documentID) {
      let evidence = finding.evidence.split(whereSeparator: \.isNewline).joined(separator: " ")
      if finding.method == "scope" {
        // The chain: the covering file, its paragraph or field and line, the licence it gives.
        lines.append("  covered \(evidence.dropFirst("scope: ".count).prefix(200)) (licence scope)")
        continue
      }
      lines.append(
        "  finding \(finding.spdx) by \(finding.method), confidence \(finding.confidence), bytes \(finding.start)–\(finding.end): "
          + "\"\(evidence.prefix(120))\"")
    }
    let decisions = try store.decisions(stage: nil, documentID: documentID)
    if decisions.isEmpty { lines.append("decisions none: kept by every stage so far") }
    for decision in decisions {
      var line = "decision  \(decision.stage): \(decision.action.rawValue), \(decision.reason)"
      if let duplicate = decision.duplicateOf { line += ", duplicate of \(duplicate)" }
      if let similarity = decision.similarity { line += ", similarity \(similarity)" }
      lines.append(line)
    }
    for entry in try store.classifierScores(sourceID: document.sourceID, part: document.part)
    where document.partLine < entry.scores.count {
      lines.append(
        "score     \(entry.classifier): \(String(format: "%.4f", entry.scores[document.partLine])) (probability of \(entry.label); filter classifier)"
      )
    }
    for span in try store.removedSpans(stage: nil, documentID: documentID) {
      lines.append(
        "removed   bytes \(span.start)–\(span.end) by \(span.stage) (\(span.reason)"
          + (span.duplicateOf.map { ", first seen in \($0)" } ?? "") + ")")
    }
    return lines
  }
}
