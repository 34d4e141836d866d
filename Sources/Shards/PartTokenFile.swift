import Foundation
import HatcheryCore

/// A shard task's output for one part: the part's kept documents tokenized, until the merge
/// orders every document and writes the shards. Task-private: written atomically by the one
/// task that owns the part, read and removed by the merge (docs/formats.md, task files).
///
/// Layout, little-endian: the tokens of every document, one after another, as uint32; then per
/// document its token count (uint32), id length (uint32) and id (UTF-8); then a 40-byte footer:
/// documents (uint64), tokens (uint64), bytes of text (uint64), version (uint32), 4 zero bytes,
/// and the magic `HTOKPART`. The tokens come first so a reader maps them in place, aligned.
public enum PartTokenFile {
  public static let magic = Array("HTOKPART".utf8)
  public static let version: UInt32 = 1
  static let footerSize = 40

  /// Collects one part's documents and writes the file when the part is complete.
  public final class Writer {
    public let path: String
    private let output: AtomicFileOutput
    private var index: [UInt8] = []
    public private(set) var documents = 0
    public private(set) var tokens = 0
    public private(set) var textBytes = 0

    public init(path: String) throws {
      self.path = path
      output = try AtomicFileOutput(path: path)
    }

    public func append(id: String, tokens ids: UnsafeBufferPointer<UInt32>, textBytes: Int) throws {
      guard ids.count <= Int(UInt32.max) else { throw HatcheryError("\(path): document \(id) has more than 2^32 tokens") }
      try UnsafeRawBufferPointer(ids).withMemoryRebound(to: UInt8.self) { try output.write(UnsafeRawBufferPointer($0)) }
      Self.appendUInt32(UInt32(ids.count), to: &index)
      let idBytes = Array(id.utf8)
      Self.appendUInt32(UInt32(idBytes.count), to: &index)
      index.append(contentsOf: idBytes)
      documents += 1
      tokens += ids.count
      self.textBytes += textBytes
    }

    /// Writes the index and footer and renames the file into place.
    public func finish() throws {
      var footer: [UInt8] = []
      for value in [UInt64(documents), UInt64(tokens), UInt64(textBytes)] {
        withUnsafeBytes(of: value.littleEndian) { footer.append(contentsOf: $0) }
      }
      Self.appendUInt32(PartTokenFile.version, to: &footer)
      footer.append(contentsOf: [0, 0, 0, 0])
      footer.append(contentsOf: PartTokenFile.magic)
      try index.withUnsafeBytes { try output.write($0) }
      try footer.withUnsafeBytes { try output.write($0) }
      _ = try output.commit()
    }

    private static func appendUInt32(_ value: UInt32, to bytes: inout [UInt8]) {
      withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
  }

  /// A part's file, mapped read-only: each document's id and where its tokens lie.
  public final class Reader: @unchecked Sendable {
    /// A document's place in the file: its id stays in the mapped index (read with `id(of:)`),
    /// so a reader of every task file — a shard write step, the merge — holds ~24 bytes per
    /// document, not a string each.
    public struct Document: Sendable {
      let idOffset: Int
      let idLength: UInt32
      public let tokenCount: Int
      public let tokenStart: Int
    }

    public let path: String
    public let documents: [Document]
    public let tokenCount: Int
    public let textBytes: Int
    private let file: MappedFile

    public init(path: String) throws {
      self.path = path
      func damaged(_ reason: String) -> HatcheryError {
        HatcheryError("\(path): not a complete shard task file (\(reason)); run the shard task of its part again")
      }
      file = try MappedFile(path: path)
      let mapping = file.bytes
      let size = mapping.count
      guard size >= PartTokenFile.footerSize else { throw damaged("\(size) bytes, shorter than its footer") }
      let footer = size - PartTokenFile.footerSize
      func uint64(_ offset: Int) -> UInt64 { UInt64(littleEndian: mapping.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
      func uint32(_ offset: Int) -> UInt32 { UInt32(littleEndian: mapping.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
      guard Array(mapping[(size - 8)...]) == PartTokenFile.magic else { throw damaged("no HTOKPART magic at its end") }
      guard uint32(footer + 24) == PartTokenFile.version else { throw damaged("version \(uint32(footer + 24)), not \(PartTokenFile.version)") }
      let documentCount = uint64(footer), tokens = uint64(footer + 8)
      // Every document takes at least 8 index bytes and every token 4: the counts are checked
      // against the size before anything is allocated by them.
      guard tokens <= UInt64(footer / 4), documentCount <= UInt64((footer - Int(tokens) * 4) / 8) else {
        throw damaged("its counts do not fit its size")
      }
      tokenCount = Int(tokens)
      textBytes = Int(clamping: uint64(footer + 16))
      var documents: [Document] = []
      documents.reserveCapacity(Int(documentCount))
      var offset = tokenCount * 4
      var tokenStart = 0
      for number in 0..<Int(documentCount) {
        guard offset + 8 <= footer else { throw damaged("document \(number): index cut short") }
        let count = Int(uint32(offset)), idLength = Int(uint32(offset + 4))
        offset += 8
        guard idLength <= footer - offset, count <= tokenCount - tokenStart else {
          throw damaged("document \(number): its id or tokens run past the file")
        }
        documents.append(Document(idOffset: offset, idLength: UInt32(idLength), tokenCount: count, tokenStart: tokenStart))
        offset += idLength
        tokenStart += count
      }
      guard offset == footer, tokenStart == tokenCount else { throw damaged("its index does not account for every byte") }
      self.documents = documents
    }

    /// The document's id.
    public func id(of document: Document) -> String {
      withIDBytes(of: document) { String(decoding: $0, as: UTF8.self) }
    }

    /// The UTF-8 bytes of the document's id, in the mapping.
    public func withIDBytes<T>(of document: Document, _ body: (UnsafeRawBufferPointer) throws -> T) rethrows -> T {
      try body(UnsafeRawBufferPointer(rebasing: file.bytes[document.idOffset..<document.idOffset + Int(document.idLength)]))
    }

    /// Lets go of the token pages read so far (they count in resident memory while mapped).
    public func releasePages() { file.releasePages() }

    public func withTokens<T>(of document: Document, _ body: (UnsafeBufferPointer<UInt32>) throws -> T) rethrows -> T {
      guard document.tokenCount > 0 else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
      let base = file.bytes.baseAddress!.assumingMemoryBound(to: UInt32.self) + document.tokenStart
      return try body(UnsafeBufferPointer(start: base, count: document.tokenCount))
    }
  }
}
