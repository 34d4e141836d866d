import Foundation
import HatcheryCore

/// A tokenizer-training task's piece counts (`tasks/tokenizer/all/task-NNNNN.counts`): the
/// 16-byte magic `HATCHERY-COUNTS1`, the text's bytes and documents (u64 each), the number of
/// entries (u64), then
/// each distinct pre-token as length (u32), bytes and count (u64), in `ByteStringTable`'s hash
/// order so a task's file is the same on every run; little-endian throughout. Written atomically.
enum PieceCountFile {
  static let magic = Array("HATCHERY-COUNTS1".utf8)

  static func write(_ table: ByteStringTable, bytes: Int, documents: Int, to path: String) throws {
    let output = try AtomicFileOutput(path: path)
    let capacity = 1 << 20
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: capacity, alignment: 8)
    defer { buffer.deallocate() }
    var used = 0
    var failure: Error?
    func flush() {
      guard failure == nil, used > 0 else { return }
      do { try output.write(UnsafeRawBufferPointer(start: buffer, count: used)) } catch { failure = error }
      used = 0
    }
    func append<T: FixedWidthInteger>(_ value: T) {
      buffer.storeBytes(of: value.littleEndian, toByteOffset: used, as: T.self)
      used += MemoryLayout<T>.size
    }
    magic.withUnsafeBytes { buffer.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    used = magic.count
    append(UInt64(bytes))
    append(UInt64(documents))
    append(UInt64(table.count))
    table.forEachInHashOrder { piece, count in
      if capacity - used < piece.count + 12 {
        flush()
        // A piece longer than the buffer (a megabyte-long run of spaces) goes out in three writes.
        if capacity < piece.count + 12 {
          append(UInt32(piece.count))
          flush()
          if failure == nil {
            do { try output.write(UnsafeRawBufferPointer(piece)) } catch { failure = error }
          }
          append(count)
          return
        }
      }
      append(UInt32(piece.count))
      (buffer + used).copyMemory(from: piece.baseAddress!, byteCount: piece.count)
      used += piece.count
      append(count)
    }
    flush()
    if let failure { throw failure }
    _ = try output.commit()
  }

  /// Adds the file's counts into `table`; returns the text bytes and documents it counted.
  static func add(_ path: String, into table: ByteStringTable) throws -> (bytes: Int, documents: Int) {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw HatcheryError.system("read", path: path, code: ENOENT)
    }
    func damaged(_ why: String) -> TokenizerError { .damagedCounts(path: path, reason: why) }
    return try data.withUnsafeBytes { raw -> (bytes: Int, documents: Int) in
      guard raw.count >= 40, Array(raw.prefix(16)) == magic else { throw damaged("no header") }
      func word64(_ offset: Int) -> UInt64 {
        UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
      }
      let bytes = word64(16)
      let documents = word64(24)
      let entries = word64(32)
      var offset = 40
      var read: UInt64 = 0
      while read < entries {
        guard raw.count - offset >= 4 else { throw damaged("cut short") }
        let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        // No bound on a piece but the file: a run of spaces or punctuation may be megabytes long.
        guard length >= 1, raw.count - offset - 4 >= length + 8 else { throw damaged("entry \(read)") }
        let piece = raw.baseAddress!.advanced(by: offset + 4).assumingMemoryBound(to: UInt8.self)
        table.add(piece, length, amount: word64(offset + 4 + length))
        offset += 4 + length + 8
        read += 1
      }
      guard offset == raw.count, bytes <= UInt64(Int.max), documents <= UInt64(Int.max) else {
        throw damaged("trailing bytes")
      }
      return (Int(bytes), Int(documents))
    }
  }
}
