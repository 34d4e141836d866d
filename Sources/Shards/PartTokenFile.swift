import CXXHash
import Foundation
import HatcheryCore

/// A shard task's output for one part: the part's kept documents tokenized, and a table of them
/// already in the shards' order (by XXH64(seed, id), ties by the id's bytes), until the merge.
/// The write steps and the merge read every part's table together, one row at a time, merging
/// them into the one order of all documents (`ShardPlan`) — so no step ever holds a list of every
/// document. Task-private: written atomically by the one task that owns the part, read and
/// removed by the merge (docs/formats.md, task files).
///
/// Layout, little-endian: the tokens of every document, one after another, as uint32; the ids of
/// every document (UTF-8), one after another; the table, one 32-byte row per document in the
/// shards' order — the hash (uint64), where its tokens start (uint64, in tokens), its token count
/// (uint32), its id's length (uint32) and offset in the file (uint64); then a 48-byte footer:
/// documents (uint64), tokens (uint64), bytes of text (uint64), the seed (uint64), version
/// (uint32), 4 zero bytes, and the magic `HTOKPART`. The tokens come first so a reader maps them
/// in place, aligned.
public enum PartTokenFile {
  public static let magic = Array("HTOKPART".utf8)
  public static let version: UInt32 = 2
  static let footerSize = 48
  static let rowSize = 32

  /// The order of the shards: the seeded hash of a document's id.
  static func hash(_ id: UnsafeRawBufferPointer, seed: UInt64) -> UInt64 { XXH64(id.baseAddress, id.count, seed) }

  /// Collects one part's documents and writes the file when the part is complete. Holds the
  /// part's ids and rows (~60 bytes a document) until then.
  public final class Writer {
    public let path: String
    private let seed: UInt64
    private let output: AtomicFileOutput
    private var ids: [UInt8] = []
    private var rows: [(hash: UInt64, tokenStart: Int, tokenCount: Int, idStart: Int, idLength: Int)] = []
    public private(set) var tokens = 0
    public private(set) var textBytes = 0
    public var documents: Int { rows.count }

    public init(path: String, seed: UInt64) throws {
      self.path = path
      self.seed = seed
      output = try AtomicFileOutput(path: path)
    }

    public func append(id: String, tokens encoded: UnsafeBufferPointer<UInt32>, textBytes: Int) throws {
      guard encoded.count <= Int(UInt32.max) else { throw HatcheryError("\(path): document \(id) has more than 2^32 tokens") }
      try UnsafeRawBufferPointer(encoded).withMemoryRebound(to: UInt8.self) { try output.write(UnsafeRawBufferPointer($0)) }
      let idStart = ids.count
      var id = id
      let hash = id.withUTF8 { bytes in
        ids.append(contentsOf: bytes)
        return PartTokenFile.hash(UnsafeRawBufferPointer(bytes), seed: seed)
      }
      rows.append((hash, tokens, encoded.count, idStart, ids.count - idStart))
      tokens += encoded.count
      self.textBytes += textBytes
    }

    /// Writes the ids, the table in the shards' order and the footer, and renames the file into
    /// place.
    public func finish() throws {
      let ids = self.ids
      rows.sort { a, b in
        if a.hash != b.hash { return a.hash < b.hash }
        return ids.withUnsafeBytes { bytes in
          UnsafeRawBufferPointer(rebasing: bytes[a.idStart..<a.idStart + a.idLength]).lexicographicallyPrecedes(
            UnsafeRawBufferPointer(rebasing: bytes[b.idStart..<b.idStart + b.idLength]))
        }
      }
      try ids.withUnsafeBytes { try output.write($0) }
      let idsOffset = tokens * 4
      var buffer: [UInt8] = []
      buffer.reserveCapacity(min(rows.count, 1 << 15) * PartTokenFile.rowSize)
      for row in rows {
        Self.append(row.hash, to: &buffer)
        Self.append(UInt64(row.tokenStart), to: &buffer)
        Self.append(UInt32(row.tokenCount), to: &buffer)
        Self.append(UInt32(row.idLength), to: &buffer)
        Self.append(UInt64(idsOffset + row.idStart), to: &buffer)
        if buffer.count >= 1 << 20 {
          try buffer.withUnsafeBytes { try output.write($0) }
          buffer.removeAll(keepingCapacity: true)
        }
      }
      for value in [UInt64(rows.count), UInt64(tokens), UInt64(textBytes), seed] { Self.append(value, to: &buffer) }
      Self.append(PartTokenFile.version, to: &buffer)
      Self.append(UInt32(0), to: &buffer)
      buffer.append(contentsOf: PartTokenFile.magic)
      try buffer.withUnsafeBytes { try output.write($0) }
      _ = try output.commit()
    }

    private static func append<T: FixedWidthInteger>(_ value: T, to bytes: inout [UInt8]) {
      withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }
  }

  /// A part's file: its table mapped read-only and read one row at a time; each document's
  /// tokens and id read into a buffer of the reader's. The tokens and ids are read all over the
  /// file (the table is in the shards' order, they are in the part's): mapped, every read would
  /// map up to 64 KB (Linux's fault-around) and the resident pages grow with the files until given
  /// back. Nothing per document is held. One thread at a time.
  public final class Reader: @unchecked Sendable {
    /// One row of the table: a document in the shards' order.
    public struct Row: Sendable {
      public let hash: UInt64
      public let tokenStart: Int
      public let tokenCount: Int
      let idOffset: Int
      let idLength: Int
    }

    public let path: String
    public let documents: Int
    public let tokenCount: Int
    public let textBytes: Int
    /// The seed the table was ordered with.
    public let seed: UInt64
    private let file: MappedFile
    private let descriptor: Int32
    private let idsStart: Int
    private let tableStart: Int
    /// What `withTokens` and `withIDBytes` read into; grown to the longest document read.
    private var scratch: UnsafeMutableRawBufferPointer

    public init(path: String) throws {
      self.path = path
      descriptor = open(path, O_RDONLY | O_CLOEXEC)
      guard descriptor >= 0 else { throw HatcheryError.system("open", path: path) }
      scratch = .allocate(byteCount: 1 << 16, alignment: 8)
      do {
        file = try MappedFile(path: path)
      } catch {
        close(descriptor)
        scratch.deallocate()
        throw error
      }
      let mapping = file.bytes
      let size = mapping.count
      guard size >= PartTokenFile.footerSize else { throw Self.damaged(path, "\(size) bytes, shorter than its footer") }
      let footer = size - PartTokenFile.footerSize
      func uint64(_ offset: Int) -> UInt64 { UInt64(littleEndian: mapping.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
      guard Array(mapping[(size - 8)...]) == PartTokenFile.magic else { throw Self.damaged(path, "no HTOKPART magic at its end") }
      let version = UInt32(littleEndian: mapping.loadUnaligned(fromByteOffset: footer + 32, as: UInt32.self))
      guard version == PartTokenFile.version else { throw Self.damaged(path, "version \(version), not \(PartTokenFile.version)") }
      let documentCount = uint64(footer), tokens = uint64(footer + 8)
      // The counts are checked against the size before anything is computed from them.
      guard tokens <= UInt64(footer / 4), documentCount <= UInt64((footer - Int(tokens) * 4) / PartTokenFile.rowSize) else {
        throw Self.damaged(path, "its counts do not fit its size")
      }
      documents = Int(documentCount)
      tokenCount = Int(tokens)
      textBytes = Int(clamping: uint64(footer + 16))
      seed = uint64(footer + 24)
      idsStart = tokenCount * 4
      tableStart = footer - documents * PartTokenFile.rowSize
    }

    /// Row `index` of the table (0 ..< `documents`), its offsets checked against the file.
    public func row(_ index: Int) throws -> Row {
      let offset = tableStart + index * PartTokenFile.rowSize
      let bytes = file.bytes
      func uint64(_ at: Int) -> UInt64 { UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + at, as: UInt64.self)) }
      func uint32(_ at: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + at, as: UInt32.self)) }
      let tokenStart = uint64(8), count = UInt64(uint32(16)), idLength = Int(uint32(20)), idOffset = uint64(24)
      guard tokenStart <= UInt64(tokenCount), count <= UInt64(tokenCount) - tokenStart,
        idOffset >= UInt64(idsStart), idOffset <= UInt64(tableStart), idLength <= tableStart - Int(idOffset)
      else { throw Self.damaged(path, "row \(index) points past its tokens or ids") }
      return Row(hash: uint64(0), tokenStart: Int(tokenStart), tokenCount: Int(count), idOffset: Int(idOffset), idLength: idLength)
    }

    /// The UTF-8 bytes of the document's id (valid until the reader reads again).
    public func withIDBytes<T>(of row: Row, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
      try body(UnsafeRawBufferPointer(try read(row.idLength, at: row.idOffset)))
    }

    /// The document's tokens (valid until the reader reads again).
    public func withTokens<T>(of row: Row, _ body: (UnsafeBufferPointer<UInt32>) throws -> T) throws -> T {
      guard row.tokenCount > 0 else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
      let bytes = try read(row.tokenCount * 4, at: row.tokenStart * 4)
      return try body(UnsafeBufferPointer(start: bytes.baseAddress!.assumingMemoryBound(to: UInt32.self), count: row.tokenCount))
    }

    private func read(_ count: Int, at offset: Int) throws -> UnsafeMutableRawBufferPointer {
      if count > scratch.count {
        scratch.deallocate()
        scratch = .allocate(byteCount: max(count, scratch.count * 2), alignment: 8)
      }
      var done = 0
      while done < count {
        let got = pread(descriptor, scratch.baseAddress! + done, count - done, off_t(offset + done))
        if got < 0 && errno == EINTR { continue }
        guard got > 0 else { throw got < 0 ? HatcheryError.system("read", path: path) : Self.damaged(path, "cut short") }
        done += got
      }
      return UnsafeMutableRawBufferPointer(rebasing: scratch[..<count])
    }

    /// Lets go of the pages of the table's `rows` (mapped, they count in resident memory until
    /// then). The rows are read in order, so a reader gives back those read since it last did.
    public func releasePages(rows: Range<Int>) {
      let rowBytes = PartTokenFile.rowSize
      file.releasePages(in: tableStart + rows.lowerBound * rowBytes..<tableStart + rows.upperBound * rowBytes)
    }

    deinit {
      close(descriptor)
      scratch.deallocate()
    }

    static func damaged(_ path: String, _ reason: String) -> HatcheryError {
      HatcheryError("\(path): not a complete shard task file (\(reason)); run the shard task of its part again")
    }
  }
}
