/// One piece of evidence that a text is under a licence.
public struct LicenseFinding: Sendable, Equatable {
  public enum Method: String, Sendable {
    /// An `SPDX-License-Identifier:` tag.
    case tag
    /// A licence notice or grant ("Licensed under the Apache License, Version 2.0", ...).
    case notice
    /// A full licence text, matched against reference texts by word-bigram similarity.
    case text
    /// A licence field of the document's metadata: a dataset's `license` column, licence links
    /// and rights statements that ingestion records (`license_hints`).
    case metadata
  }

  /// SPDX id or expression.
  public var spdx: String
  public var method: Method
  /// 0...1: 1 for a valid tag, the phrase rule's stated confidence, the text match ratio.
  public var confidence: Double
  /// Byte offsets of the evidence in the text.
  public var start: Int
  public var end: Int

  public init(spdx: String, method: Method, confidence: Double, start: Int, end: Int) {
    self.spdx = spdx
    self.method = method
    self.confidence = confidence
    self.start = start
    self.end = end
  }
}

/// The findings of one pass over a text, each licence kept at most `repeats` times (and again
/// only when more confident): the cap on a text's findings bounds what one text can report, and
/// a long file repeating one notice (a Debian copyright file's hundreds of "same terms as Perl
/// itself") must not use it up before the licences further on are read. A few repeats are kept
/// because a matched text's own notices are told from the document's by count
/// (`withoutSelfNotices`).
struct FindingList {
  static let repeats = 4
  private(set) var items: [LicenseFinding] = []
  /// Per licence: how many kept, the most confident. A text names few licences, so a list.
  private var kept: [(spdx: String, count: Int, confidence: Double)] = []

  var isFull: Bool { items.count >= LicenseDetector.maximumFindings }

  /// Appends `finding` unless its licence was kept `repeats` times already; whether it was.
  @discardableResult
  mutating func append(_ finding: LicenseFinding) -> Bool {
    if let index = kept.firstIndex(where: { $0.spdx == finding.spdx }) {
      guard kept[index].count < Self.repeats || finding.confidence > kept[index].confidence else { return false }
      kept[index].count += 1
      kept[index].confidence = max(kept[index].confidence, finding.confidence)
    } else {
      kept.append((finding.spdx, 1, finding.confidence))
    }
    items.append(finding)
    return true
  }

  /// Makes the last finding a choice between its licence and `finding`'s ("MIT OR Unlicense"),
  /// spanning both; a licence offered already ("BSD-2-Clause or the BSD 2-clause licence") is
  /// appended as it is.
  mutating func offerAsChoice(_ finding: LicenseFinding) {
    guard let last = items.last, !last.spdx.split(separator: " ").contains(Substring(finding.spdx)) else {
      append(finding)
      return
    }
    items.removeLast()
    let choice = LicenseFinding(
      spdx: last.spdx + " OR " + finding.spdx, method: last.method,
      confidence: min(last.confidence, finding.confidence), start: last.start, end: finding.end)
    if !append(choice) { items.append(last) }
  }
}
