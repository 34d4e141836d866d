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
/// (uint32), 4 zero bytes, and the magic `HTOKPART`. The tokens come first, so they are aligned
/// in the file.
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
      guard encoded.count <= Int(UInt32.max) else {
        throw ShardError.documentTooLong(path: path, documentID: id)
      }
      try UnsafeRawBufferPointer(encoded).withMemoryRebound(to: UInt8.self) {
        try output.write(UnsafeRawBufferPointer($0))
      }
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

    /// Writes the ids and the table in the shards' order and the footer, and renames the file
    /// into place. The ids in the table's order: the merge reads every id row by row, so it reads
    /// them front to back.
    public func finish() throws {
      let ids = self.ids
      rows.sort { a, b in
        if a.hash != b.hash { return a.hash < b.hash }
        return ids.withUnsafeBytes { bytes in
          UnsafeRawBufferPointer(rebasing: bytes[a.idStart..<a.idStart + a.idLength]).lexicographicallyPrecedes(
            UnsafeRawBufferPointer(rebasing: bytes[b.idStart..<b.idStart + b.idLength]))
        }
      }
      var buffer: [UInt8] = []
      buffer.reserveCapacity(1 << 20 + PartTokenFile.rowSize)
      func flushIfFull() throws {
        guard buffer.count >= 1 << 20 else { return }
        try buffer.withUnsafeBytes { try output.write($0) }
        buffer.removeAll(keepingCapacity: true)
      }
      var idOffsets: [Int] = []
      idOffsets.reserveCapacity(rows.count)
      var offset = tokens * 4
      for row in rows {
        idOffsets.append(offset)
        ids.withUnsafeBytes { buffer.append(contentsOf: $0[row.idStart..<row.idStart + row.idLength]) }
        offset += row.idLength
        try flushIfFull()
      }
      for (index, row) in rows.enumerated() {
        Self.append(row.hash, to: &buffer)
        Self.append(UInt64(row.tokenStart), to: &buffer)
        Self.append(UInt32(row.tokenCount), to: &buffer)
        Self.append(UInt32(row.idLength), to: &buffer)
        Self.append(UInt64(idOffsets[index]), to: &buffer)
        try flushIfFull()
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

  /// A growable buffer that reads go into: one for all of a step's readers, so the memory for
  /// tokens is the longest document's, not that times the parts. One thread at a time.
  public final class ReadBuffer {
    fileprivate var bytes: UnsafeMutableRawBufferPointer

    public init(bytes: Int = 1 << 16) { self.bytes = .allocate(byteCount: max(16, bytes), alignment: 8) }

    deinit { bytes.deallocate() }

    fileprivate func reserve(_ count: Int) -> UnsafeMutableRawBufferPointer {
      if count > bytes.count {
        bytes.deallocate()
        bytes = .allocate(byteCount: max(count, bytes.count * 2), alignment: 8)
      }
      return UnsafeMutableRawBufferPointer(rebasing: bytes[..<count])
    }
  }

  /// A part's file, read with `pread`: its table in order, a chunk of rows at a time with their
  /// ids (written in the table's order); each document's tokens on their own. Mapped, the tokens
  /// — read all over the file, since the table is in the shards' order and they are in the
  /// part's — would bring in up to 64 KB a read (Linux's fault-around) until given back, and
  /// every part's table and ids 64 KB each, so a merge of many parts would hold memory in
  /// proportion to the parts. A reader holds a chunk of rows and their ids (~13 KB); tokens go
  /// into a `ReadBuffer` the caller shares between readers. Nothing per document. One thread at
  /// a time.
  public final class Reader: @unchecked Sendable {
    /// One row of the table: a document in the shards' order.
    public struct Row: Sendable {
      public let hash: UInt64
      public let tokenStart: Int
      public let tokenCount: Int
      let idOffset: Int
      let idLength: Int
    }

    /// Rows read at a time (4 KB of table).
    static let rowsPerChunk = 128

    public let path: String
    public let documents: Int
    public let tokenCount: Int
    public let textBytes: Int
    /// The seed the table was ordered with.
    public let seed: UInt64
    private let descriptor: Int32
    private let idsStart: Int
    private let tableStart: Int
    /// The rows `chunkStart ..< chunkStart + chunkRows` of the table, decoded and checked.
    private var chunk: [Row] = []
    private var chunkStart = 0
    /// The ids of the chunk's rows, from file offset `idsOffset`, when they lie together (they
    /// do in files written in the table's order); else each id is read on its own.
    private var ids: UnsafeMutableRawBufferPointer
    private var idsOffset = 0
    private var idsCount = 0
    /// What a chunk of rows, and an id outside `ids` (files whose ids are not in the table's
    /// order), are read into.
    private let scratch = ReadBuffer(bytes: rowsPerChunk * PartTokenFile.rowSize)

    public init(path: String) throws {
      self.path = path
      let descriptor = open(path, O_RDONLY | O_CLOEXEC)
      guard descriptor >= 0 else { throw HatcheryError.system("open", path: path) }
      self.descriptor = descriptor
      ids = .allocate(byteCount: 1 << 12, alignment: 8)
      var info = stat()
      let size = fstat(descriptor, &info) == 0 ? Int(info.st_size) : -1
      var footerBytes = [UInt8](repeating: 0, count: PartTokenFile.footerSize)
      let read =
        size >= PartTokenFile.footerSize
        ? footerBytes.withUnsafeMutableBytes {
          pread(descriptor, $0.baseAddress, $0.count, off_t(size - PartTokenFile.footerSize))
        } : -1
      guard size >= PartTokenFile.footerSize, read == PartTokenFile.footerSize else {
        close(descriptor)
        ids.deallocate()
        throw size < 0
          ? HatcheryError.system("stat", path: path)
          : Self.damaged(path, "\(max(0, size)) bytes, shorter than its footer")
      }
      // From here on every property is set before a throw, so deinit closes and frees.
      func uint64(_ offset: Int) -> UInt64 {
        footerBytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
      }
      let footer = size - PartTokenFile.footerSize
      let version = footerBytes.withUnsafeBytes {
        UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: 32, as: UInt32.self))
      }
      let documentCount = uint64(0)
      let tokens = uint64(8)
      // The counts are checked against the size before anything is computed from them.
      // (`&&` checks the token count before it is used in the second comparison.)
      let fits =
        tokens <= UInt64(footer / 4) && documentCount <= UInt64((footer - Int(tokens) * 4) / PartTokenFile.rowSize)
      documents = fits ? Int(documentCount) : 0
      tokenCount = fits ? Int(tokens) : 0
      textBytes = Int(clamping: uint64(16))
      seed = uint64(24)
      idsStart = tokenCount * 4
      tableStart = footer - documents * PartTokenFile.rowSize
      guard Array(footerBytes[(PartTokenFile.footerSize - 8)...]) == PartTokenFile.magic else {
        throw Self.damaged(path, "no HTOKPART magic at its end")
      }
      guard version == PartTokenFile.version else {
        throw Self.damaged(path, "version \(version), not \(PartTokenFile.version)")
      }
      guard fits else { throw Self.damaged(path, "its counts do not fit its size") }
    }

    deinit {
      close(descriptor)
      ids.deallocate()
    }

    /// Row `index` of the table (0 ..< `documents`), its offsets checked against the file. Rows
    /// are read a chunk at a time: reading them in order reads the table once.
    public func row(_ index: Int) throws -> Row {
      if index < chunkStart || index >= chunkStart + chunk.count { try loadChunk(at: index) }
      return chunk[index - chunkStart]
    }

    private func loadChunk(at index: Int) throws {
      guard index >= 0, index < documents else { throw Self.damaged(path, "no row \(index)") }
      let rows = min(Self.rowsPerChunk, documents - index)
      let bytes = try read(rows * PartTokenFile.rowSize, at: tableStart + index * PartTokenFile.rowSize, into: scratch)
      chunk.removeAll(keepingCapacity: true)
      for number in 0..<rows {
        let offset = number * PartTokenFile.rowSize
        func uint64(_ at: Int) -> UInt64 {
          UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + at, as: UInt64.self))
        }
        func uint32(_ at: Int) -> UInt32 {
          UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset + at, as: UInt32.self))
        }
        let tokenStart = uint64(8)
        let count = UInt64(uint32(16))
        let idLength = Int(uint32(20))
        let idOffset = uint64(24)
        guard tokenStart <= UInt64(tokenCount), count <= UInt64(tokenCount) - tokenStart,
          idOffset >= UInt64(idsStart), idOffset <= UInt64(tableStart), idLength <= tableStart - Int(idOffset)
        else { throw Self.damaged(path, "row \(index + number) points past its tokens or ids") }
        chunk.append(
          Row(
            hash: uint64(0), tokenStart: Int(tokenStart), tokenCount: Int(count), idOffset: Int(idOffset),
            idLength: idLength))
      }
      chunkStart = index
      // The chunk's ids in one read when they lie one after another.
      idsCount = 0
      let first = chunk[0]
      let last = chunk[chunk.count - 1]
      let span = last.idOffset + last.idLength - first.idOffset
      if first.idOffset <= last.idOffset, span <= 1 << 20 {
        if span > ids.count {
          ids.deallocate()
          ids = .allocate(byteCount: span, alignment: 8)
        }
        try readFully(into: UnsafeMutableRawBufferPointer(rebasing: ids[..<span]), at: first.idOffset)
        idsOffset = first.idOffset
        idsCount = span
      }
    }

    /// The UTF-8 bytes of the document's id (valid until the reader reads again).
    public func withIDBytes<T>(of row: Row, _ body: (UnsafeRawBufferPointer) throws -> T) throws -> T {
      if row.idOffset >= idsOffset, row.idOffset + row.idLength <= idsOffset + idsCount {
        let start = row.idOffset - idsOffset
        return try body(UnsafeRawBufferPointer(rebasing: ids[start..<start + row.idLength]))
      }
      return try body(UnsafeRawBufferPointer(try read(row.idLength, at: row.idOffset, into: scratch)))
    }

    /// The document's tokens, read into `buffer` (valid until it is read into again).
    public func withTokens<T>(of row: Row, using buffer: ReadBuffer, _ body: (UnsafeBufferPointer<UInt32>) throws -> T)
      throws -> T
    {
      guard row.tokenCount > 0 else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
      let bytes = try read(row.tokenCount * 4, at: row.tokenStart * 4, into: buffer)
      return try body(
        UnsafeBufferPointer(start: bytes.baseAddress!.assumingMemoryBound(to: UInt32.self), count: row.tokenCount))
    }

    /// `count` bytes at `offset`, in `buffer`.
    private func read(_ count: Int, at offset: Int, into buffer: ReadBuffer) throws -> UnsafeMutableRawBufferPointer {
      let bytes = buffer.reserve(count)
      try readFully(into: bytes, at: offset)
      return bytes
    }

    private func readFully(into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws {
      var done = 0
      while done < buffer.count {
        let got = pread(descriptor, buffer.baseAddress! + done, buffer.count - done, off_t(offset + done))
        if got < 0 && errno == EINTR { continue }
        guard got > 0 else {
          throw got < 0 ? HatcheryError.system("read", path: path) : Self.damaged(path, "cut short")
        }
        done += got
      }
    }

    static func damaged(_ path: String, _ reason: String) -> ShardError {
      .incompleteTaskFile(path: path, reason: reason)
    }
  }
}
