import CSnappy
import CZstd

/// Writes Thrift's compact protocol: the counterpart of ThriftCompactReader, for footers and
/// page headers.
struct ThriftCompactWriter {
  var bytes: [UInt8] = []
  private var lastIDs: [Int16] = [0]

  mutating func varint(_ value: UInt64) {
    var value = value
    while value >= 0x80 {
      bytes.append(UInt8(value & 0x7F) | 0x80)
      value >>= 7
    }
    bytes.append(UInt8(value))
  }

  mutating func zigzag(_ value: Int64) { varint(UInt64(bitPattern: (value << 1) ^ (value >> 63))) }

  mutating func fieldHeader(_ id: Int16, _ type: ThriftCompactReader.FieldType) {
    let delta = id - lastIDs[lastIDs.count - 1]
    if delta > 0 && delta <= 15 {
      bytes.append(UInt8(delta) << 4 | type.rawValue)
    } else {
      bytes.append(type.rawValue)
      zigzag(Int64(id))
    }
    lastIDs[lastIDs.count - 1] = id
  }

  mutating func i32(_ id: Int16, _ value: Int32) {
    fieldHeader(id, .i32)
    zigzag(Int64(value))
  }

  mutating func i64(_ id: Int16, _ value: Int64) {
    fieldHeader(id, .i64)
    zigzag(value)
  }

  mutating func bool(_ id: Int16, _ value: Bool) { fieldHeader(id, value ? .boolTrue : .boolFalse) }

  mutating func string(_ id: Int16, _ value: String) {
    fieldHeader(id, .binary)
    varint(UInt64(value.utf8.count))
    bytes.append(contentsOf: value.utf8)
  }

  mutating func beginStruct(_ id: Int16) {
    fieldHeader(id, .structure)
    lastIDs.append(0)
  }

  /// A struct as a list element (no field header).
  mutating func beginElement() { lastIDs.append(0) }

  mutating func endStruct() {
    bytes.append(0)
    lastIDs.removeLast()
  }

  mutating func listHeader(_ id: Int16, _ type: ThriftCompactReader.FieldType, count: Int) {
    fieldHeader(id, .list)
    if count < 15 {
      bytes.append(UInt8(count) << 4 | type.rawValue)
    } else {
      bytes.append(0xF0 | type.rawValue)
      varint(UInt64(count))
    }
  }
}

/// Writes Parquet files of flat columns (strings, 64-bit integers, doubles, booleans), one row
/// group per `write` call: data pages v1, PLAIN values or, for strings repeated enough (at most
/// one distinct value in two), a dictionary page and RLE_DICTIONARY indices; definition levels
/// for optional columns; uncompressed, Snappy or zstd pages; statistics left out. Enough for Hatchery's own
/// files and for test inputs; readers such as pyarrow read them.
public struct ParquetWriter {
  public enum Value: Sendable, Equatable {
    case null
    case string(String)
    case int64(Int64)
    case double(Double)
    case boolean(Bool)
  }

  public struct ColumnSpec: Sendable {
    public var name: String
    public var type: PhysicalType
    public var optional: Bool
    /// For strings: marked UTF-8 (STRING logical type).
    public var isString: Bool

    public init(name: String, type: PhysicalType, optional: Bool = true, isString: Bool = false) {
      self.name = name
      self.type = type
      self.optional = optional
      self.isString = isString
    }

    public static func string(_ name: String, optional: Bool = true) -> ColumnSpec { ColumnSpec(name: name, type: .byteArray, optional: optional, isString: true) }
  }

  public let columns: [ColumnSpec]
  public let codec: Codec
  public let createdBy: String
  /// Bytes not yet taken by `takeBytes` (a streaming writer) or `finish`.
  private var bytes: [UInt8] = Array("PAR1".utf8)
  /// Bytes already taken: where `bytes` starts in the file.
  private var taken = 0
  private var rowGroups: [(rows: Int, chunks: [Chunk])] = []

  /// A column chunk as the footer describes it.
  private struct Chunk {
    var offset: Int
    var size: Int
    var uncompressed: Int
    var values: Int
    var dataPageOffset: Int
    var dictionaryPageOffset: Int?
  }

  public init(columns: [ColumnSpec], codec: Codec = .zstd, createdBy: String = "hatchery") {
    self.columns = columns
    self.codec = codec
    self.createdBy = createdBy
  }

  /// Appends one row group of `rows` (each row one value per column, in order).
  public mutating func write(rows: [[Value]]) throws(ParquetError.Reason) {
    var chunks: [Chunk] = []
    for (index, column) in columns.enumerated() {
      var levels: [UInt8] = []
      var values: [UInt8] = []
      var definitions: [Bool] = []
      // Strings repeated enough (at most one distinct value in two) are dictionary-encoded.
      var dictionary: [String: UInt32] = [:]
      var dictionaryOrder: [String] = []
      var indices: [UInt32] = []
      var useDictionary = column.type == .byteArray
      if useDictionary {
        // A look at the first values first: texts, ids and URLs are told apart without hashing them all.
        var sample = Set<String>()
        var sampled = 0
        for row in rows where sampled < 64 {
          guard case .string(let text) = row[index] else { continue }
          sample.insert(text)
          sampled += 1
        }
        if sampled >= 16 && sample.count * 2 > sampled { useDictionary = false }
      }
      if useDictionary {
        let present = rows.lazy.filter { $0[index] != .null }.count
        for row in rows {
          guard case .string(let text) = row[index] else { continue }
          if let known = dictionary[text] {
            indices.append(known)
          } else {
            guard dictionary.count < max(1, present / 2), dictionary.count < 1 << 16 else {
              useDictionary = false
              break
            }
            dictionary[text] = UInt32(dictionaryOrder.count)
            indices.append(UInt32(dictionaryOrder.count))
            dictionaryOrder.append(text)
          }
        }
        if present == 0 { useDictionary = false }
      }
      for row in rows {
        let value = row[index]
        definitions.append(value != .null)
        switch (value, column.type) {
        case (.null, _):
          guard column.optional else { throw .damaged("a null in required column \(column.name)") }
        case (.string(let text), .byteArray):
          if !useDictionary {
            withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian) { values.append(contentsOf: $0) }
            values.append(contentsOf: text.utf8)
          }
        case (.int64(let number), .int64):
          withUnsafeBytes(of: number.littleEndian) { values.append(contentsOf: $0) }
        case (.double(let number), .double):
          withUnsafeBytes(of: number.bitPattern.littleEndian) { values.append(contentsOf: $0) }
        case (.boolean, .boolean):
          break
        default:
          throw .damaged("a value of another type in column \(column.name)")
        }
      }
      if column.type == .boolean {
        let flags = rows.compactMap { row -> Bool? in if case .boolean(let flag) = row[index] { return flag } else { return nil } }
        values = [UInt8](repeating: 0, count: (flags.count + 7) / 8)
        for (position, flag) in flags.enumerated() where flag { values[position >> 3] |= 1 << UInt8(position & 7) }
      }
      if column.optional {
        // Definition levels (bit width 1) as bit-packed groups of 8, with their length first.
        var packed: [UInt8] = []
        let groups = (definitions.count + 7) / 8
        var header = ThriftCompactWriter()
        header.varint(UInt64(groups << 1 | 1))
        packed.append(contentsOf: header.bytes)
        var groupBytes = [UInt8](repeating: 0, count: groups)
        for (position, defined) in definitions.enumerated() where defined { groupBytes[position >> 3] |= 1 << UInt8(position & 7) }
        packed.append(contentsOf: groupBytes)
        withUnsafeBytes(of: UInt32(packed.count).littleEndian) { levels.append(contentsOf: $0) }
        levels.append(contentsOf: packed)
      }
      let offset = taken + bytes.count
      var uncompressed = 0
      var dictionaryPageOffset: Int?
      if useDictionary {
        // The dictionary page (PLAIN), then the indices: bit width, then bit-packed groups of 8.
        var plain: [UInt8] = []
        for text in dictionaryOrder {
          withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian) { plain.append(contentsOf: $0) }
          plain.append(contentsOf: text.utf8)
        }
        let compressed = try Self.compress(plain, codec)
        var header = ThriftCompactWriter()
        header.i32(1, PageType.dictionaryPage.rawValue)
        header.i32(2, Int32(plain.count))
        header.i32(3, Int32(compressed.count))
        header.beginStruct(7)
        header.i32(1, Int32(dictionaryOrder.count))
        header.i32(2, Encoding.plain.rawValue)
        header.endStruct()
        header.bytes.append(0)
        dictionaryPageOffset = offset
        bytes.append(contentsOf: header.bytes)
        bytes.append(contentsOf: compressed)
        uncompressed += header.bytes.count + plain.count
        let width = max(1, Int.bitWidth - (dictionaryOrder.count - 1).leadingZeroBitCount)
        values = [UInt8(width)] + Self.bitPacked(indices, width: width)
      }
      let page = levels + values
      let compressed = try Self.compress(page, codec)
      var header = ThriftCompactWriter()
      header.i32(1, PageType.dataPage.rawValue)
      header.i32(2, Int32(page.count))
      header.i32(3, Int32(compressed.count))
      header.beginStruct(5)
      header.i32(1, Int32(rows.count))
      header.i32(2, useDictionary ? Encoding.rleDictionary.rawValue : Encoding.plain.rawValue)
      header.i32(3, Encoding.rle.rawValue)
      header.i32(4, Encoding.rle.rawValue)
      header.endStruct()
      header.bytes.append(0)
      let dataPageOffset = taken + bytes.count
      bytes.append(contentsOf: header.bytes)
      bytes.append(contentsOf: compressed)
      uncompressed += header.bytes.count + page.count
      chunks.append(
        Chunk(
          offset: offset, size: taken + bytes.count - offset, uncompressed: uncompressed, values: rows.count, dataPageOffset: dataPageOffset,
          dictionaryPageOffset: dictionaryPageOffset))
    }
    rowGroups.append((rows.count, chunks))
  }

  /// The RLE / bit-packed hybrid as bit-packed groups of 8 only (`width` bits per value, least
  /// significant first), preceded by its run header.
  static func bitPacked(_ values: [UInt32], width: Int) -> [UInt8] {
    let groups = (values.count + 7) / 8
    var header = ThriftCompactWriter()
    header.varint(UInt64(groups << 1 | 1))
    var packed = [UInt8](repeating: 0, count: groups * width)
    for (position, value) in values.enumerated() {
      var bit = position * width
      var remaining = value
      for _ in 0..<width {
        if remaining & 1 == 1 { packed[bit >> 3] |= 1 << UInt8(bit & 7) }
        remaining >>= 1
        bit += 1
      }
    }
    return header.bytes + packed
  }

  /// The bytes written since the last call, to append to the file (the footer's offsets count
  /// them), so a large file need not be held in memory.
  public mutating func takeBytes() -> [UInt8] {
    defer {
      taken += bytes.count
      bytes = []
    }
    return bytes
  }

  /// The rest of the file: what `takeBytes` has not returned, and the footer.
  public func finish() -> [UInt8] {
    var footer = ThriftCompactWriter()
    footer.i32(1, 1)
    footer.listHeader(2, .structure, count: columns.count + 1)
    footer.beginElement()
    footer.string(4, "schema")
    footer.i32(5, Int32(columns.count))
    footer.endStruct()
    for column in columns {
      footer.beginElement()
      footer.i32(1, column.type.rawValue)
      footer.i32(3, column.optional ? Repetition.optional.rawValue : Repetition.required.rawValue)
      footer.string(4, column.name)
      if column.isString {
        footer.i32(6, 0)  // converted type UTF8
        footer.beginStruct(10)
        footer.beginStruct(1)
        footer.endStruct()
        footer.endStruct()
      }
      footer.endStruct()
    }
    footer.i64(3, Int64(rowGroups.reduce(0) { $0 + $1.rows }))
    footer.listHeader(4, .structure, count: rowGroups.count)
    for group in rowGroups {
      footer.beginElement()
      footer.listHeader(1, .structure, count: group.chunks.count)
      for (index, chunk) in group.chunks.enumerated() {
        footer.beginElement()
        footer.i64(2, Int64(chunk.offset))
        footer.beginStruct(3)
        footer.i32(1, columns[index].type.rawValue)
        let encodings = chunk.dictionaryPageOffset == nil ? [Encoding.plain, .rle] : [Encoding.plain, .rle, .rleDictionary]
        footer.listHeader(2, .i32, count: encodings.count)
        for encoding in encodings { footer.zigzag(Int64(encoding.rawValue)) }
        footer.listHeader(3, .binary, count: 1)
        footer.varint(UInt64(columns[index].name.utf8.count))
        footer.bytes.append(contentsOf: columns[index].name.utf8)
        footer.i32(4, codec.rawValue)
        footer.i64(5, Int64(chunk.values))
        footer.i64(6, Int64(chunk.uncompressed))
        footer.i64(7, Int64(chunk.size))
        footer.i64(9, Int64(chunk.dataPageOffset))
        if let dictionary = chunk.dictionaryPageOffset { footer.i64(11, Int64(dictionary)) }
        footer.endStruct()
        footer.endStruct()
      }
      footer.i64(2, Int64(group.chunks.reduce(0) { $0 + $1.uncompressed }))
      footer.i64(3, Int64(group.rows))
      footer.endStruct()
    }
    footer.string(6, createdBy)
    footer.bytes.append(0)
    var file = bytes
    file.append(contentsOf: footer.bytes)
    withUnsafeBytes(of: UInt32(footer.bytes.count).littleEndian) { file.append(contentsOf: $0) }
    file.append(contentsOf: "PAR1".utf8)
    return file
  }

  static func compress(_ page: [UInt8], _ codec: Codec) throws(ParquetError.Reason) -> [UInt8] {
    switch codec {
    case .uncompressed: return page
    case .zstd:
      // Level 3 with two zstd workers: a row group's page is large, and the bytes are the same
      // for any number of workers from one up.
      guard let context = ZSTD_createCCtx() else { throw .damaged("zstd: cannot allocate a compression context") }
      defer { ZSTD_freeCCtx(context) }
      ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, 3)
      ZSTD_CCtx_setParameter(context, ZSTD_c_nbWorkers, 2)
      var output = [UInt8](repeating: 0, count: ZSTD_compressBound(page.count))
      let size = output.withUnsafeMutableBytes { out in
        page.withUnsafeBytes { ZSTD_compress2(context, out.baseAddress, out.count, $0.baseAddress, $0.count) }
      }
      guard ZSTD_isError(size) == 0 else { throw .damaged("zstd could not compress a page") }
      return Array(output.prefix(size))
    case .snappy:
      var length = snappy_max_compressed_length(page.count)
      var output = [UInt8](repeating: 0, count: length)
      let input = page.isEmpty ? [0] : page
      let status = output.withUnsafeMutableBytes { out in
        input.withUnsafeBytes {
          snappy_compress($0.baseAddress!.assumingMemoryBound(to: CChar.self), page.count, out.baseAddress!.assumingMemoryBound(to: CChar.self), &length)
        }
      }
      guard status == SNAPPY_OK else { throw .damaged("snappy could not compress a page") }
      return Array(output.prefix(length))
    default:
      throw .unsupported("writing codec \(codec)")
    }
  }
}
