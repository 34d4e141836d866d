import HatcheryCore

/// The seek table of zstd's seekable format (contrib/seekable_format in the zstd repository,
/// version 0.1.0): a skippable frame after the data frames holding, per frame, its compressed
/// size, its decompressed size and the low 32 bits of the XXH64 of its decompressed bytes,
/// then a 9-byte footer (frame count, descriptor with the checksum flag, magic 0x8F92EAB1).
/// Plain `zstd -d` skips the table and decodes the frames one after another.
struct SeekTable: Equatable, Sendable {
  static let skippableMagic: UInt32 = 0x184D_2A5E
  static let seekableMagic: UInt32 = 0x8F92_EAB1
  static let footerSize = 9
  static let checksumFlag: UInt8 = 0x80

  struct Entry: Equatable, Sendable {
    var compressedSize: UInt32
    var decompressedSize: UInt32
    var checksum: UInt32
  }

  var entries: [Entry] = []

  /// The table as its skippable frame.
  func encoded() -> [UInt8] {
    var bytes: [UInt8] = []
    let contentSize = entries.count * 12 + Self.footerSize
    bytes.reserveCapacity(8 + contentSize)
    append(Self.skippableMagic, to: &bytes)
    append(UInt32(contentSize), to: &bytes)
    for entry in entries {
      append(entry.compressedSize, to: &bytes)
      append(entry.decompressedSize, to: &bytes)
      append(entry.checksum, to: &bytes)
    }
    append(UInt32(entries.count), to: &bytes)
    bytes.append(Self.checksumFlag)
    append(Self.seekableMagic, to: &bytes)
    return bytes
  }

  private func append(_ value: UInt32, to bytes: inout [UInt8]) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }

  /// Reads the table at the end of `file`; checks that the frames it lists fill the file up to
  /// the table exactly. `name` goes into the error.
  static func read(from file: UnsafeRawBufferPointer, name: String) throws -> SeekTable {
    func fail(_ reason: String) -> ShardError { .damaged(file: name, reason: reason) }
    guard file.count >= 8 + footerSize else { throw fail("too short for a seekable zstd file (\(file.count) bytes)") }
    func word(_ offset: Int) -> UInt32 {
      UInt32(littleEndian: file.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }
    guard word(file.count - 4) == seekableMagic else {
      throw fail("no seek table (the seekable magic number is missing: truncated?)")
    }
    let frames = Int(word(file.count - footerSize))
    let descriptor = file[file.count - 5]
    guard descriptor & 0x7C == 0 else { throw fail("seek table descriptor has reserved bits set") }
    guard descriptor & checksumFlag != 0 else { throw fail("seek table has no checksums") }
    let tableSize = 8 + frames * 12 + footerSize
    guard frames >= 0, tableSize <= file.count else {
      throw fail("seek table lists \(frames) frames, more than the file holds")
    }
    let tableStart = file.count - tableSize
    guard word(tableStart) == skippableMagic, Int(word(tableStart + 4)) == tableSize - 8 else {
      throw fail("seek table frame header is damaged")
    }
    var table = SeekTable()
    table.entries.reserveCapacity(frames)
    var compressedTotal = 0
    for index in 0..<frames {
      let offset = tableStart + 8 + index * 12
      let entry = Entry(compressedSize: word(offset), decompressedSize: word(offset + 4), checksum: word(offset + 8))
      compressedTotal += Int(entry.compressedSize)
      table.entries.append(entry)
    }
    guard compressedTotal == tableStart else {
      throw fail(
        "the frames listed in the seek table hold \(compressedTotal) bytes, the file \(tableStart) before the table")
    }
    return table
  }
}
