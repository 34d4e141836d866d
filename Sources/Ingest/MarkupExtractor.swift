import HatcheryCore

/// The markup formats whose text `hatchery extract` and the ingest stage take out.
public enum MarkupFormat: String, Sendable, CaseIterable {
  case html, mediawiki, jats, tei, xml

  /// The format a file's name and first bytes suggest: `.xml` files are told apart by their
  /// root element, anything else is HTML.
  public static func guess(fileName: String, bytes: [UInt8]) -> MarkupFormat {
    let (_, plain) = Compression.of(fileName: fileName.lowercased())
    if plain.hasSuffix(".nxml") { return .jats }
    guard plain.hasSuffix(".xml") || plain.hasSuffix(".tei") else { return .html }
    return bytes.withUnsafeBytes { XMLRootSniffer.format(of: $0) } ?? .xml
  }
}

/// One entry point for every markup reader, reused from file to file.
public final class MarkupExtractor {
  private let html = HTMLExtractor()

  public init() {}

  public func extract(_ bytes: UnsafeRawBufferPointer, format: MarkupFormat) throws -> ExtractedPage {
    switch format {
    case .html: return try html.extract(bytes)
    case .mediawiki, .jats, .tei, .xml:
      throw HatcheryError("\(format.rawValue) extraction is not available yet")
    }
  }
}
