/// The parts of Parquet's file metadata (parquet-format's `parquet.thrift`) a reader needs, and
/// their parsing from the compact-protocol footer and page headers.
public enum PhysicalType: Int32, Sendable {
  case boolean = 0
  case int32 = 1
  case int64 = 2
  case int96 = 3
  case float = 4
  case double = 5
  case byteArray = 6
  case fixedLenByteArray = 7
}

public enum Codec: Int32, Sendable, CustomStringConvertible {
  case uncompressed = 0
  case snappy = 1
  case gzip = 2
  case lzo = 3
  case brotli = 4
  case lz4 = 5
  case zstd = 6
  case lz4Raw = 7

  public var description: String {
    switch self {
    case .uncompressed: "UNCOMPRESSED"
    case .snappy: "SNAPPY"
    case .gzip: "GZIP"
    case .lzo: "LZO"
    case .brotli: "BROTLI"
    case .lz4: "LZ4 (Hadoop framing)"
    case .zstd: "ZSTD"
    case .lz4Raw: "LZ4_RAW"
    }
  }
}

public enum Encoding: Int32, Sendable {
  case plain = 0
  case plainDictionary = 2
  case rle = 3
  case bitPacked = 4
  case deltaBinaryPacked = 5
  case deltaLengthByteArray = 6
  case deltaByteArray = 7
  case
    rleDictionary = 8
  case byteStreamSplit = 9
}

public enum Repetition: Int32, Sendable {
  case required = 0
  case optional = 1
  case repeated = 2
}

/// A logical or converted type the reader interprets (others read as their physical type).
public enum LogicalKind: Sendable, Equatable {
  case none, string, json, timestampMillis, timestampMicros, timestampNanos, date
}

public struct SchemaElement: Sendable {
  public var name = ""
  public var type: PhysicalType?
  public var typeLength = 0
  public var repetition = Repetition.required
  public var children = 0
  public var logical = LogicalKind.none
}

public struct ColumnChunkInfo: Sendable {
  public var type = PhysicalType.int32
  public var path: [String] = []
  public var codec: Int32 = 0
  public var valueCount: Int64 = 0
  public var compressedSize: Int64 = 0
  public var uncompressedSize: Int64 = 0
  public var dataPageOffset: Int64 = 0
  public var dictionaryPageOffset: Int64?
  public var encrypted = false
  public var externalFile: String?
}

public struct RowGroupInfo: Sendable {
  public var columns: [ColumnChunkInfo] = []
  public var rowCount: Int64 = 0
  public var totalByteSize: Int64 = 0
}

public struct FileMetadata: Sendable {
  public var schema: [SchemaElement] = []
  public var rowCount: Int64 = 0
  public var rowGroups: [RowGroupInfo] = []
  public var createdBy: String?
  public var encrypted = false
}

enum PageType: Int32 {
  case dataPage = 0
  case indexPage = 1
  case dictionaryPage = 2
  case dataPageV2 = 3
}

struct PageHeader {
  var type: Int32 = -1
  var uncompressedSize: Int32 = 0
  var compressedSize: Int32 = 0
  var crc: Int32?
  // Data page v1 and v2, dictionary page.
  var valueCount: Int32 = 0
  var encoding: Int32 = 0
  var definitionEncoding: Int32 = 3
  var repetitionEncoding: Int32 = 3
  var nullCount: Int32 = 0
  var rowCount: Int32 = 0
  var definitionBytes: Int32 = 0
  var repetitionBytes: Int32 = 0
  var isCompressed = true
}

extension FileMetadata {
  /// Parses the footer's FileMetaData.
  static func parse(_ bytes: UnsafeRawBufferPointer) throws(ThriftCompactReader.Failure) -> FileMetadata {
    var reader = ThriftCompactReader(bytes)
    var metadata = FileMetadata()
    try reader.readStruct { (reader: inout ThriftCompactReader, id, type) throws(ThriftCompactReader.Failure) in
      switch (id, type) {
      case (2, .list):
        try reader.structList { (reader: inout ThriftCompactReader) throws(ThriftCompactReader.Failure) in
          metadata.schema.append(try SchemaElement.parse(&reader))
        }
      case (3, .i64): metadata.rowCount = try reader.zigzag()
      case (4, .list):
        try reader.structList { (reader: inout ThriftCompactReader) throws(ThriftCompactReader.Failure) in
          metadata.rowGroups.append(try RowGroupInfo.parse(&reader))
        }
      case (6, .binary): metadata.createdBy = try reader.string()
      case (8, .structure):
        metadata.encrypted = true
        try reader.skip(type)
      default: try reader.skip(type)
      }
    }
    return metadata
  }
}

extension SchemaElement {
  static func parse(_ reader: inout ThriftCompactReader) throws(ThriftCompactReader.Failure) -> SchemaElement {
    var element = SchemaElement()
    var converted: Int32?
    try reader.readStruct { (reader: inout ThriftCompactReader, id, type) throws(ThriftCompactReader.Failure) in
      switch (id, type) {
      case (1, .i32): element.type = PhysicalType(rawValue: try reader.i32())
      case (2, .i32): element.typeLength = Int(try reader.i32())
      case (3, .i32): element.repetition = Repetition(rawValue: try reader.i32()) ?? .required
      case (4, .binary): element.name = try reader.string()
      case (5, .i32): element.children = Int(try reader.i32())
      case (6, .i32): converted = try reader.i32()
      case (10, .structure): element.logical = try Self.logicalType(&reader)
      default: try reader.skip(type)
      }
    }
    if element.logical == .none, let converted {
      switch converted {
      case 0: element.logical = .string  // UTF8
      case 6: element.logical = .date
      case 9: element.logical = .timestampMillis
      case 10: element.logical = .timestampMicros
      case 19: element.logical = .json
      default: break
      }
    }
    return element
  }

  /// LogicalType is a union: one field set.
  private static func logicalType(_ reader: inout ThriftCompactReader) throws(ThriftCompactReader.Failure)
    -> LogicalKind
  {
    var kind = LogicalKind.none
    try reader.readStruct { (reader: inout ThriftCompactReader, id, type) throws(ThriftCompactReader.Failure) in
      switch (id, type) {
      case (1, .structure), (4, .structure):  // STRING, ENUM
        kind = .string
        try reader.skip(type)
      case (12, .structure):
        kind = .json
        try reader.skip(type)
      case (6, .structure):
        kind = .date
        try reader.skip(type)
      case (8, .structure):  // TIMESTAMP { isAdjustedToUTC, unit { MILLIS | MICROS | NANOS } }
        try reader.readStruct { (reader: inout ThriftCompactReader, id, type) throws(ThriftCompactReader.Failure) in
          if id == 2, type == .structure {
            try reader.readStruct { (reader: inout ThriftCompactReader, id, type) throws(ThriftCompactReader.Failure) in
              kind = id == 1 ? .timestampMillis : id == 2 ? .timestampMicros : id == 3 ? .timestampNanos : kind
              try reader.skip(type)
            }
          } else {
            try reader.skip(type)
          }
        }
      default: try reader.skip(type)
      }
    }
    return kind
  }
}

extension RowGroupInfo {
  static func parse(_ reader: inout ThriftCompactReader) throws(ThriftCompactReader.Failure) -> RowGroupInfo {
    var group = RowGroupInfo()
    try reader.readStruct { (reader: inout ThriftCompactReader, id, type) throws(ThriftCompactReader.Failure) in
      switch (id, type) {
      case (1, .list):
        try reader.structList { (reader: inout ThriftCompactReader) throws(ThriftCompactReader.Failure) in
          group.columns.append(try ColumnChunkInfo.parse(&reader))
        }
      case (2, .i64): group.totalByteSize = try reader.zigzag()
      case (3, .i64): group.rowCount = try reader.zigzag()
      default: try reader.skip(type)
      }
    }
    return group
  }
}

extension ColumnChunkInfo {
  static func parse(_ reader: inout ThriftCompactReader) throws(ThriftCompactReader.Failure) -> ColumnChunkInfo {
    var chunk = ColumnChunkInfo()
    try reader.readStruct { (reader: inout ThriftCompactReader, id, type) throws(ThriftCompactReader.Failure) in
      switch (id, type) {
      case (1, .binary): chunk.externalFile = try reader.string()
      case (3, .structure):
        try reader.readStruct { (reader: inout ThriftCompactReader, id, type) throws(ThriftCompactReader.Failure) in
          switch (id, type) {
          case (1, .i32): chunk.type = PhysicalType(rawValue: try reader.i32()) ?? .int32
          case (3, .list): chunk.path = try reader.stringList()
          case (4, .i32): chunk.codec = try reader.i32()
          case (5, .i64): chunk.valueCount = try reader.zigzag()
          case (6, .i64): chunk.uncompressedSize = try reader.zigzag()
          case (7, .i64): chunk.compressedSize = try reader.zigzag()
          case (9, .i64): chunk.dataPageOffset = try reader.zigzag()
          case (11, .i64): chunk.dictionaryPageOffset = try reader.zigzag()
          default: try reader.skip(type)
          }
        }
      case (8, .structure), (9, .binary):
        chunk.encrypted = true
        try reader.skip(type)
      default: try reader.skip(type)
      }
    }
    return chunk
  }
}

extension PageHeader {
  /// Parses a page header at `position`; returns it and where the page's data starts.
  static func parse(_ bytes: UnsafeRawBufferPointer, at position: Int) throws(ThriftCompactReader.Failure) -> (
    PageHeader, Int
  ) {
    var reader = ThriftCompactReader(bytes, at: position)
    var header = PageHeader()
    try reader.readStruct { (reader: inout ThriftCompactReader, id, type) throws(ThriftCompactReader.Failure) in
      switch (id, type) {
      case (1, .i32): header.type = try reader.i32()
      case (2, .i32): header.uncompressedSize = try reader.i32()
      case (3, .i32): header.compressedSize = try reader.i32()
      case (4, .i32): header.crc = try reader.i32()
      case (5, .structure):  // DataPageHeader
        try reader.readStruct { (reader: inout ThriftCompactReader, id, type) throws(ThriftCompactReader.Failure) in
          switch (id, type) {
          case (1, .i32): header.valueCount = try reader.i32()
          case (2, .i32): header.encoding = try reader.i32()
          case (3, .i32): header.definitionEncoding = try reader.i32()
          case (4, .i32): header.repetitionEncoding = try reader.i32()
          default: try reader.skip(type)
          }
        }
      case (7, .structure):  // DictionaryPageHeader
        try reader.readStruct { (reader: inout ThriftCompactReader, id, type) throws(ThriftCompactReader.Failure) in
          switch (id, type) {
          case (1, .i32): header.valueCount = try reader.i32()
          case (2, .i32): header.encoding = try reader.i32()
          default: try reader.skip(type)
          }
        }
      case (8, .structure):  // DataPageHeaderV2
        try reader.readStruct { (reader: inout ThriftCompactReader, id, type) throws(ThriftCompactReader.Failure) in
          switch (id, type) {
          case (1, .i32): header.valueCount = try reader.i32()
          case (2, .i32): header.nullCount = try reader.i32()
          case (3, .i32): header.rowCount = try reader.i32()
          case (4, .i32): header.encoding = try reader.i32()
          case (5, .i32): header.definitionBytes = try reader.i32()
          case (6, .i32): header.repetitionBytes = try reader.i32()
          case (7, .boolTrue): header.isCompressed = true
          case (7, .boolFalse): header.isCompressed = false
          default: try reader.skip(type)
          }
        }
      default: try reader.skip(type)
      }
    }
    return (header, reader.position)
  }
}
