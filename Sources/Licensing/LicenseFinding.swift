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
