import Foundation

/// The documents the stages after dedup, tagging and filtering take (the tokenizer and shard
/// stages): every part's latest version (the filter stage's `redacted` one when it exists, which
/// already holds only kept text), less the documents any stage dropped, with the byte ranges in
/// `removed_spans` cut from a document read from its original part.
public final class KeptDocuments {
  public struct Part: Sendable {
    public let source: SourceRecord
    public let part: PartRecord
    /// Relative to the workspace.
    public let path: String
    /// The version read (`redacted`), or nil for the part as ingested.
    public let version: String?
  }

  public let parts: [Part]
  private let workspace: Workspace
  private let dropped: DocumentIDSet
  /// Each document's removed spans, still encoded (a few bytes a span) until its text is read.
  private let spans: [String: [Data]]

  /// `includeReview`: keep the documents held back for licence review (ProvenanceStore's review
  /// queue) too; by default they are left out like dropped ones.
  public init(workspace: Workspace, store: ProvenanceStore, includeReview: Bool = false) throws {
    self.workspace = workspace
    parts = try store.allParts().map { entry in
      if let path = try store.partVersion(sourceID: entry.source.id, part: entry.part.part, version: "redacted") {
        return Part(source: entry.source, part: entry.part, path: path, version: "redacted")
      }
      return Part(source: entry.source, part: entry.part, path: entry.part.path, version: nil)
    }
    (dropped, spans) = try store.removals(includeHeldBack: includeReview)
  }

  /// What the kept documents depend on, for a stage's configuration hash: each part's version
  /// and checksum, and the identity of the drop decisions and removed spans (their count and row
  /// ids change whenever a stage replaces them).
  public static func fingerprint(store: ProvenanceStore) throws -> String {
    try store.keptDocumentsFingerprint()
  }

  /// A reader of every kept document, part after part, in the order of `parts`; with
  /// `including`, only of the parts whose index it accepts (a task's share).
  public func reader(including: @escaping (Int) -> Bool = { _ in true }) -> Reader {
    Reader(self, including: including)
  }

  /// Reads one document at a time (memory stays at one document and a part's read buffer).
  public final class Reader {
    private let kept: KeptDocuments
    private let including: (Int) -> Bool
    /// The index in `parts` of the part the last document came from.
    public private(set) var partIndex = -1
    private var partReader: DocumentPartReader?

    init(_ kept: KeptDocuments, including: @escaping (Int) -> Bool) {
      self.kept = kept
      self.including = including
    }

    /// The part the last document came from.
    public var part: Part? { partIndex >= 0 && partIndex < kept.parts.count ? kept.parts[partIndex] : nil }

    /// The next kept document and its kept text, or nil at the end.
    public func next() throws -> (document: Document, text: [UInt8])? {
      while true {
        if let partReader, let document = try partReader.next() {
          guard !kept.dropped.contains(document.id) else { continue }
          let text = Array(document.text.utf8)
          if kept.parts[partIndex].version == nil, let encoded = kept.spans[document.id] {
            let removed = try encoded.flatMap { try RemovedSpanSet.decode($0) }.filter { $0.end > $0.start }.map {
              $0.start..<$0.end
            }
            return (document, KeptDocuments.cut(text, removing: removed))
          }
          return (document, text)
        }
        partIndex += 1
        while partIndex < kept.parts.count && !including(partIndex) { partIndex += 1 }
        guard partIndex < kept.parts.count else {
          partReader = nil
          return nil
        }
        partReader = try DocumentPartReader(path: kept.workspace.absolute(kept.parts[partIndex].path))
      }
    }
  }

  /// `text` without the bytes in `ranges` (which may overlap or run past the end).
  public static func cut(_ text: [UInt8], removing ranges: [Range<Int>]) -> [UInt8] {
    var kept: [UInt8] = []
    kept.reserveCapacity(text.count)
    var position = 0
    for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
      let start = min(max(range.lowerBound, position), text.count)
      kept.append(contentsOf: text[position..<start])
      position = max(position, min(range.upperBound, text.count))
    }
    kept.append(contentsOf: text[position...])
    return kept
  }
}
