import HatcheryCore

/// What a dedup run did.
public struct DedupSummary: StageSummary {
  public var step: DedupOptions.Step
  public var nothingToDo = false
  public var documents = 0
  public var bytes = 0
  public var withoutWords = 0
  public var candidatePairs = 0
  public var rejectedPairs = 0
  public var clusters = 0
  public var exactDrops = 0
  public var nearDrops = 0
  public var paragraphSpans = 0
  public var decisions = 0
  public var seconds = 0.0

  public var text: String {
    if nothingToDo {
      return "dedup: nothing to do, the decisions are up to date (use --force to redo them)"
    }
    var parts: [String] = ["dedup \(step.rawValue):"]
    if documents > 0 {
      parts.append(
        "\(documents) documents, \(ByteCount.format(bytes))"
          + (withoutWords > 0 ? " (\(withoutWords) without words)" : "")
          + ",")
    }
    if step == .all || step == .cluster {
      parts.append(
        "\(candidatePairs) candidate pairs" + (rejectedPairs > 0 ? " (\(rejectedPairs) below --verify-threshold)" : "")
          + ", \(clusters) clusters, \(exactDrops) exact and \(nearDrops) near duplicates dropped,"
          + (paragraphSpans > 0 ? " \(paragraphSpans) paragraphs seen before," : ""))
    }
    if step == .all || step == .decide || step == .merge { parts.append("\(decisions) decisions written,") }
    let rate = seconds > 0 ? Double(documents) / seconds : 0
    parts.append(
      String(format: "%.2f s", seconds)
        + (documents > 0 ? String(format: ", %.0f docs/s, %.1f MB/s", rate, Double(bytes) / seconds / 1e6) : ""))
    return parts.joined(separator: " ")
  }

}
