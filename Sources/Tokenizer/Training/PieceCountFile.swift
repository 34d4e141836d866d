import Foundation
import HatcheryCore

/// A tokenizer-training task's piece counts (`tasks/tokenizer/all/task-NNNNN.counts`): the
/// 16-byte magic `HATCHERY-COUNTS1`, the text's bytes and documents (u64 each), the number of
/// entries (u64), then
/// each distinct pre-token as length (u32), bytes and count (u64), sorted by bytes so a task's
/// file is the same on every run; little-endian throughout. Written atomically.
enum PieceCountFile {
  static let magic = Array("HATCHERY-COUNTS1".utf8)
  /// The longest pre-token a file may hold: pieces are words and runs of punctuation or space,
  /// so a longer one means a damaged file.
  static let maximumPieceBytes = 1 << 20

  static func write(_ table: ByteStringTable, bytes: Int, documents: Int, to path: String) throws {
    var entries: [(bytes: [UInt8], count: UInt64)] = []
    entries.reserveCapacity(table.count)
    table.forEach { piece, count in entries.append((Array(piece), count)) }
    // Byte order by memcmp, then length: what lexicographicallyPrecedes gives, several times faster.
    entries.sort { first, second in
      first.bytes.withUnsafeBufferPointer { a in
        second.bytes.withUnsafeBufferPointer { b in
          let shorter = min(a.count, b.count)
          let order = shorter == 0 ? 0 : memcmp(a.baseAddress!, b.baseAddress!, shorter)
          return order != 0 ? order < 0 : a.count < b.count
        }
      }
    }
    let output = try AtomicFileOutput(path: path)
    var buffer: [UInt8] = magic
    func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { buffer.append(contentsOf: $0) } }
    append(UInt64(bytes))
    append(UInt64(documents))
    append(UInt64(entries.count))
    for entry in entries {
      append(UInt32(entry.bytes.count))
      buffer.append(contentsOf: entry.bytes)
      append(entry.count)
      if buffer.count >= 1 << 20 {
        try buffer.withUnsafeBytes { try output.write($0) }
        buffer.removeAll(keepingCapacity: true)
      }
    }
    try buffer.withUnsafeBytes { try output.write($0) }
    _ = try output.commit()
  }

  /// Adds the file's counts into `table`; returns the text bytes and documents it counted.
  static func add(_ path: String, into table: ByteStringTable) throws -> (bytes: Int, documents: Int) {
    guard let data = FileManager.default.contents(atPath: path) else { throw HatcheryError.system("read", path: path, code: ENOENT) }
    func damaged(_ why: String) -> HatcheryError { HatcheryError("\(path): damaged piece-count file (\(why)); run its task again") }
    return try data.withUnsafeBytes { raw -> (bytes: Int, documents: Int) in
      guard raw.count >= 40, Array(raw.prefix(16)) == magic else { throw damaged("no header") }
      func word64(_ offset: Int) -> UInt64 { UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
      let bytes = word64(16)
      let documents = word64(24)
      let entries = word64(32)
      var offset = 40
      var read: UInt64 = 0
      while read < entries {
        guard raw.count - offset >= 4 else { throw damaged("cut short") }
        let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
        guard length >= 1, length <= maximumPieceBytes, raw.count - offset - 4 >= length + 8 else { throw damaged("entry \(read)") }
        let piece = raw.baseAddress!.advanced(by: offset + 4).assumingMemoryBound(to: UInt8.self)
        table.add(piece, length, amount: word64(offset + 4 + length))
        offset += 4 + length + 8
        read += 1
      }
      guard offset == raw.count, bytes <= UInt64(Int.max), documents <= UInt64(Int.max) else { throw damaged("trailing bytes") }
      return (Int(bytes), Int(documents))
    }
  }
}
