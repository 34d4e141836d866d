import Foundation
import HatcheryCore

/// The dedup stage's intermediate files: fixed-size little-endian records between a header and
/// a trailer.
///
///     header  (24 bytes): "HTCHDDUP", format version (u32), kind (u32), record size (u32), 0 (u32)
///     records (count × record size)
///     trailer (32 bytes): record count (u64), XXH3-128 of the records (high u64, low u64), "HTCHEND1"
///
/// Every file is checked against its trailer when it is opened, so a truncated or corrupted file
/// is named in an error instead of silently changing decisions.
enum RecordFileKind: UInt32, Sendable {
  case documents = 1
  case signatures = 2
  case band = 3
  case exact = 4
  case drops = 5
  case paragraphs = 6
  case spans = 7
}

enum RecordFile {
  static let magic = Array("HTCHDDUP".utf8)
  static let endMagic = Array("HTCHEND1".utf8)
  static let version: UInt32 = 1
  static let headerSize = 24
  static let trailerSize = 32
}

/// Writes a record file atomically (temporary name, then rename).
final class RecordFileWriter {
  private let output: AtomicFileOutput
  private let recordSize: Int
  private let checksum = XXHashState()
  private let buffer = ByteBuffer(capacity: 1 << 20)
  private(set) var count = 0

  init(path: String, kind: RecordFileKind, recordSize: Int) throws {
    output = try AtomicFileOutput(path: path)
    self.recordSize = recordSize
    var header = [UInt8](repeating: 0, count: RecordFile.headerSize)
    header.replaceSubrange(0..<8, with: RecordFile.magic)
    header.withUnsafeMutableBytes { raw in
      raw.storeBytes(of: RecordFile.version.littleEndian, toByteOffset: 8, as: UInt32.self)
      raw.storeBytes(of: kind.rawValue.littleEndian, toByteOffset: 12, as: UInt32.self)
      raw.storeBytes(of: UInt32(recordSize).littleEndian, toByteOffset: 16, as: UInt32.self)
    }
    try header.withUnsafeBytes { try output.write($0) }
  }

  /// Appends one record, encoded by `encode` into `recordSize` bytes.
  func append(_ encode: (UnsafeMutableRawBufferPointer) -> Void) throws {
    buffer.reserve(buffer.count + recordSize)
    let slot = UnsafeMutableRawBufferPointer(rebasing: buffer.freeSpace[..<recordSize])
    slot.initializeMemory(as: UInt8.self, repeating: 0)
    encode(slot)
    buffer.didAppend(recordSize)
    count += 1
    if buffer.count >= 1 << 20 { try flush() }
  }

  private func flush() throws {
    checksum.update(UnsafeRawBufferPointer(buffer.bytes))
    try output.write(UnsafeRawBufferPointer(buffer.bytes))
    buffer.removeAll()
  }

  func commit() throws {
    try flush()
    var trailer = [UInt8](repeating: 0, count: RecordFile.trailerSize)
    let digest = checksum.digest128
    trailer.withUnsafeMutableBytes { raw in
      raw.storeBytes(of: UInt64(count).littleEndian, toByteOffset: 0, as: UInt64.self)
      raw.storeBytes(of: digest.high.littleEndian, toByteOffset: 8, as: UInt64.self)
      raw.storeBytes(of: digest.low.littleEndian, toByteOffset: 16, as: UInt64.self)
    }
    trailer.replaceSubrange(24..<32, with: RecordFile.endMagic)
    try trailer.withUnsafeBytes { try output.write($0) }
    _ = try output.commit()
  }
}

/// Reads a record file: checked whole on opening, then read in order or by index.
final class RecordFileReader {
  /// Bytes read at a time: enough for sequential reads at disk speed, and small, since a merge
  /// of sorted runs holds one reader per run.
  static let bufferBytes = 256 << 10

  let path: String
  let count: Int
  let recordSize: Int
  private let descriptor: Int32
  private let buffer: UnsafeMutableRawBufferPointer
  private var bufferedStart = 0  // index of the first record in the buffer
  private var bufferedCount = 0
  private var nextIndex = 0

  init(path: String, kind: RecordFileKind, recordSize: Int) throws {
    self.path = path
    self.recordSize = recordSize
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw HatcheryError.system("open", path: path) }
    self.descriptor = descriptor
    var info = stat()
    fstat(descriptor, &info)
    let size = Int(info.st_size)
    let recordsPerBuffer = max(1, Self.bufferBytes / recordSize)
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: recordsPerBuffer * recordSize, alignment: 16)
    self.buffer = buffer
    func corrupt(_ why: String) -> DedupError { .corruptFile(path: path, reason: why) }
    guard size >= RecordFile.headerSize + RecordFile.trailerSize else {
      close(descriptor)
      buffer.deallocate()
      throw corrupt("too short")
    }
    var header = [UInt8](repeating: 0, count: RecordFile.headerSize)
    var trailer = [UInt8](repeating: 0, count: RecordFile.trailerSize)
    _ = header.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, 0) }
    _ = trailer.withUnsafeMutableBytes {
      pread(descriptor, $0.baseAddress, $0.count, off_t(size - RecordFile.trailerSize))
    }
    let (version, fileKind, fileRecordSize) = header.withUnsafeBytes { raw in
      (
        UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)),
        UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self)),
        Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt32.self)))
      )
    }
    let (recordCount, expected) = trailer.withUnsafeBytes { raw in
      (
        // A damaged count past Int.max must not trap: clamped, it fails the size check.
        Int(clamping: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt64.self))),
        XXHash128(
          high: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)),
          low: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 16, as: UInt64.self)))
      )
    }
    count = recordCount
    // Every property is set from here on, so a throw runs deinit, which closes and frees.
    guard Array(header[0..<8]) == RecordFile.magic, Array(trailer[24..<32]) == RecordFile.endMagic else {
      throw corrupt("bad magic number")
    }
    guard version == RecordFile.version, fileKind == kind.rawValue, fileRecordSize == recordSize else {
      throw corrupt("version \(version), kind \(fileKind), record size \(fileRecordSize) where \(kind) was expected")
    }
    guard recordCount <= (size - RecordFile.headerSize - RecordFile.trailerSize) / recordSize,
      size == RecordFile.headerSize + recordCount * recordSize + RecordFile.trailerSize
    else {
      throw corrupt("size does not match its record count")
    }
    let checksum = XXHashState()
    var offset = RecordFile.headerSize
    let end = size - RecordFile.trailerSize
    while offset < end {
      let length = min(buffer.count, end - offset)
      guard pread(descriptor, buffer.baseAddress, length, off_t(offset)) == length else { throw corrupt("short read") }
      checksum.update(UnsafeRawBufferPointer(rebasing: buffer[..<length]))
      offset += length
    }
    guard checksum.digest128 == expected else { throw corrupt("checksum mismatch") }
  }

  deinit {
    close(descriptor)
    buffer.deallocate()
  }

  /// The next record in order, or nil at the end; valid until the next call.
  func next() throws -> UnsafeRawBufferPointer? {
    guard nextIndex < count else { return nil }
    if nextIndex >= bufferedStart + bufferedCount {
      let records = min(buffer.count / recordSize, count - nextIndex)
      try load(from: nextIndex, records: records)
    }
    defer { nextIndex += 1 }
    let start = (nextIndex - bufferedStart) * recordSize
    return UnsafeRawBufferPointer(rebasing: buffer[start..<start + recordSize])
  }

  /// Record `index`, read directly; valid until the next call.
  func record(at index: Int) throws -> UnsafeRawBufferPointer {
    precondition(index < count)
    if index < bufferedStart || index >= bufferedStart + bufferedCount { try load(from: index, records: 1) }
    let start = (index - bufferedStart) * recordSize
    return UnsafeRawBufferPointer(rebasing: buffer[start..<start + recordSize])
  }

  private func load(from index: Int, records: Int) throws {
    let length = records * recordSize
    let offset = RecordFile.headerSize + index * recordSize
    guard pread(descriptor, buffer.baseAddress, length, off_t(offset)) == length else {
      throw HatcheryError.system("read", path: path)
    }
    bufferedStart = index
    bufferedCount = records
  }
}
