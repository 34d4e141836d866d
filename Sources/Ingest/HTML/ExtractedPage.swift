import Foundation

/// The main text of a web page and what the page says about itself.
public struct ExtractedPage: Sendable {
  /// Paragraphs, headings and list items as lines; table rows as tab-separated cells.
  public var text: String
  public var title: String?
  /// `<html lang>`.
  public var language: String?
  /// `<link rel="canonical">`.
  public var canonicalURL: String?
  /// Licence evidence for the licensing stage: `rel="license"` and Creative Commons links,
  /// `dc.rights`, `dcterms.license` and `copyright` meta values, in page order, without repeats.
  public var licenseHints: [String]
  /// The character set the page was decoded from.
  public var charset: String
  /// Invalid byte sequences replaced by U+FFFD while decoding.
  public var replacedSequences: Int
  /// The text was longer than the extractor's cap and was cut there.
  public var truncated: Bool
}
