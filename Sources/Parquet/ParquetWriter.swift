import CSnappy
import CZstd
import HatcheryCore

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
/// group per `write` call: data pages v1 of about `pageBytes` of PLAIN values or, for strings
/// repeated enough (at most one distinct value in two), a dictionary page and one page of
/// RLE_DICTIONARY indices; definition levels for optional columns; uncompressed, Snappy or zstd
/// pages; statistics left out. Enough for Hatchery's own files and for test inputs; readers such
/// as pyarrow, polars and duckdb read them.
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

    public static func string(_ name: String, optional: Bool = true) -> ColumnSpec {
      ColumnSpec(name: name, type: .byteArray, optional: optional, isString: true)
    }
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

  /// A data page holds about this many bytes of values before compression (pyarrow's
  /// default), so readers decode a column a page at a time, not a row group at once.
  public var pageBytes = 1 << 20
  /// Threads compressing a column chunk's pages; the file's bytes do not depend on it.
  public var threads = 1

  public init(columns: [ColumnSpec], codec: Codec = .zstd, createdBy: String = "hatchery") {
    self.columns = columns
    self.codec = codec
    self.createdBy = createdBy
  }

  /// Appends one row group of `rows` (each row one value per column, in order).
  public mutating func write(rows: [[Value]]) throws(ParquetError.Reason) {
    var chunks: [Chunk] = []
    for (index, column) in columns.enumerated() {
      for row in rows {
        switch (row[index], column.type) {
        case (.null, _): guard column.optional else { throw .damaged("a null in required column \(column.name)") }
        case (.string, .byteArray), (.int64, .int64), (.double, .double), (.boolean, .boolean): break
        default: throw .damaged("a value of another type in column \(column.name)")
        }
      }
      let offset = taken + bytes.count
      var uncompressed = 0
      var dictionaryPageOffset: Int?
      let pages: [EncodedPage]
      if let dictionary = Self.dictionary(rows, column: index) {
        // The dictionary page (PLAIN), then one data page of indices: bit width, then
        // bit-packed groups of 8.
        var plain: [UInt8] = []
        for text in dictionary.order {
          withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian) { plain.append(contentsOf: $0) }
          plain.append(contentsOf: text.utf8)
        }
        let compressor = try PageCompressor(codec)
        let compressed = try compressor.compress(plain, [])
        var header = ThriftCompactWriter()
        header.i32(1, PageType.dictionaryPage.rawValue)
        header.i32(2, Int32(plain.count))
        header.i32(3, Int32(compressed.count))
        header.beginStruct(7)
        header.i32(1, Int32(dictionary.order.count))
        header.i32(2, Encoding.plain.rawValue)
        header.endStruct()
        header.bytes.append(0)
        dictionaryPageOffset = offset
        bytes.append(contentsOf: header.bytes)
        bytes.append(contentsOf: compressed)
        uncompressed += header.bytes.count + plain.count
        let width = max(1, Int.bitWidth - (dictionary.order.count - 1).leadingZeroBitCount)
        let levels = column.optional ? Self.definitionLevels(rows[...], column: index) : []
        let values = [UInt8(width)] + Self.bitPacked(dictionary.indices, width: width)
        pages = [try compressor.page(rows: rows.count, encoding: .rleDictionary, levels: levels, values: values)]
      } else {
        // PLAIN pages of about `pageBytes`, encoded and compressed on `threads` threads.
        let ranges = Self.pageRanges(rows, column: index, type: column.type, limit: pageBytes)
        let codec = self.codec
        do {
          pages = try ParallelItems.map(
            ranges, threads: threads, worker: { try PageCompressor(codec) },
            { compressor, range in try compressor.plainPage(rows[range], column: index, spec: column) })
        } catch let error as ParquetError.Reason {
          throw error
        } catch {
          throw .damaged("\(error)")
        }
      }
      let dataPageOffset = taken + bytes.count
      for page in pages {
        bytes.append(contentsOf: page.bytes)
        uncompressed += page.uncompressed
      }
      chunks.append(
        Chunk(
          offset: offset, size: taken + bytes.count - offset, uncompressed: uncompressed, values: rows.count,
          dataPageOffset: dataPageOffset,
          dictionaryPageOffset: dictionaryPageOffset))
    }
    rowGroups.append((rows.count, chunks))
  }

  /// A column's strings as a dictionary and indices, when they repeat enough (at most one
  /// distinct value in two present ones, at most 65,536 distinct); nil otherwise.
  private static func dictionary(_ rows: [[Value]], column index: Int) -> (order: [String], indices: [UInt32])? {
    // A look at the first values first: texts, ids and URLs are told apart without hashing them all.
    var sample = Set<String>()
    var sampled = 0
    for row in rows where sampled < 64 {
      guard case .string(let text) = row[index] else { continue }
      sample.insert(text)
      sampled += 1
    }
    guard sampled > 0, sampled < 16 || sample.count * 2 <= sampled else { return nil }
    let present = rows.lazy.filter { $0[index] != .null }.count
    var dictionary: [String: UInt32] = [:]
    var order: [String] = []
    var indices: [UInt32] = []
    for row in rows {
      guard case .string(let text) = row[index] else { continue }
      if let known = dictionary[text] {
        indices.append(known)
      } else {
        guard dictionary.count < max(1, present / 2), dictionary.count < 1 << 16 else { return nil }
        dictionary[text] = UInt32(order.count)
        indices.append(UInt32(order.count))
        order.append(text)
      }
    }
    return (order, indices)
  }

  /// Row ranges of about `limit` bytes of PLAIN values each (at least one row each).
  private static func pageRanges(_ rows: [[Value]], column index: Int, type: PhysicalType, limit: Int) -> [Range<Int>] {
    var ranges: [Range<Int>] = []
    var start = 0
    var size = 0
    for (position, row) in rows.enumerated() {
      switch row[index] {
      case .string(let text): size += 4 + text.utf8.count
      case .int64, .double: size += 8
      case .boolean: size += 1
      case .null: size += 1
      }
      if size >= limit {
        ranges.append(start..<position + 1)
        start = position + 1
        size = 0
      }
    }
    if start < rows.count || ranges.isEmpty { ranges.append(start..<rows.count) }
    return ranges
  }

  /// Definition levels (bit width 1) as bit-packed groups of 8, with their length first.
  static func definitionLevels(_ rows: ArraySlice<[Value]>, column index: Int) -> [UInt8] {
    let groups = (rows.count + 7) / 8
    var header = ThriftCompactWriter()
    header.varint(UInt64(groups << 1 | 1))
    var groupBytes = [UInt8](repeating: 0, count: groups)
    for (position, row) in rows.enumerated() where row[index] != .null {
      groupBytes[position >> 3] |= 1 << UInt8(position & 7)
    }
    var levels: [UInt8] = []
    withUnsafeBytes(of: UInt32(header.bytes.count + groupBytes.count).littleEndian) { levels.append(contentsOf: $0) }
    levels.append(contentsOf: header.bytes)
    levels.append(contentsOf: groupBytes)
    return levels
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
        let encodings =
          chunk.dictionaryPageOffset == nil ? [Encoding.plain, .rle] : [Encoding.plain, .rle, .rleDictionary]
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
}
