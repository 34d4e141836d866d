import HatcheryCore

/// A Parquet file read in place (mapped): its footer, its flat columns, and a row group's column
/// whole (`read`) or a data page at a time (`pages`) — memory follows a row group at most, not
/// the file (each page's bytes are given back once it is decoded).
///
/// Read: data pages v1 and v2; PLAIN, PLAIN_DICTIONARY / RLE_DICTIONARY, RLE (booleans),
/// DELTA_BINARY_PACKED, DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT; codecs
/// UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW, LZ4 (Hadoop framing), BROTLI; page CRCs when
/// present; optional columns. Columns under a list, map or struct are not read: `skipped` names
/// them. Encryption, LZO and columns in other files are unsupported, each a `ParquetError`.
public final class ParquetFile {
  /// A column of the top level (not nested), which the reader decodes.
  public struct Column: Sendable {
    public var name: String
    public var type: PhysicalType
    public var typeLength: Int
    public var optional: Bool
    public var logical: LogicalKind
    /// Its index among the file's leaf columns (the position of its chunk in a row group).
    public var leaf: Int
  }

  /// Most bytes a page may claim, compressed or not.
  public static let maximumPageBytes = 1 << 30

  public let path: String
  public let metadata: FileMetadata
  public let columns: [Column]
  /// Leaf columns under lists, maps or structs, by dotted path: not read.
  public let skipped: [String]
  let file: MappedFile

  public init(path: String) throws(ParquetError) {
    self.path = path
    do {
      file = try MappedFile(path: path)
    } catch {
      throw ParquetError(file: path, .damaged("cannot map the file: \(error)"))
    }
    let bytes = file.bytes
    let magic: [UInt8] = Array("PAR1".utf8)
    guard bytes.count >= 12, Array(bytes[0..<4]) == magic else {
      throw ParquetError(file: path, .damaged("no PAR1 magic at the start"))
    }
    let trailer = Array(bytes[(bytes.count - 4)...])
    if trailer == Array("PARE".utf8) { throw ParquetError(file: path, .unsupported("an encrypted footer (PARE)")) }
    guard trailer == magic else {
      throw ParquetError(file: path, .damaged("no PAR1 magic at the end (a truncated file?)"))
    }
    let footerLength = Int(UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt32.self)))
    guard footerLength > 0, footerLength <= bytes.count - 12 else {
      throw ParquetError(file: path, .damaged("a footer of \(footerLength) bytes in a file of \(bytes.count)"))
    }
    let footer = UnsafeRawBufferPointer(rebasing: bytes[(bytes.count - 8 - footerLength)..<(bytes.count - 8)])
    do {
      metadata = try FileMetadata.parse(footer)
    } catch {
      throw ParquetError(file: path, .damaged("the footer: \(error.message)"))
    }
    if metadata.encrypted { throw ParquetError(file: path, .unsupported("encryption")) }
    let leaves: Int
    (columns, skipped, leaves) = try Self.flatColumns(metadata.schema, path: path)
    for (index, group) in metadata.rowGroups.enumerated() {
      guard group.rowCount >= 0, group.columns.count == leaves else {
        throw ParquetError(
          file: path, rowGroup: index, .damaged("\(group.columns.count) column chunks for the schema's leaf columns"))
      }
    }
  }

  /// The schema's leaf columns directly under the root; the others (under a group) are skipped.
  private static func flatColumns(_ schema: [SchemaElement], path: String) throws(ParquetError) -> (
    [Column], [String], Int
  ) {
    guard let root = schema.first else { throw ParquetError(file: path, .damaged("an empty schema")) }
    var columns: [Column] = []
    var skipped: [String] = []
    var leaf = 0
    var index = 1
    // Walks the tree in order; `prefix` names the enclosing groups.
    func walk(children: Int, prefix: [String], nested: Bool) throws(ParquetError) {
      guard prefix.count <= 64 else {
        throw ParquetError(file: path, .damaged("a schema nested deeper than 64 groups"))
      }
      guard children >= 0 else { throw ParquetError(file: path, .damaged("a group with \(children) children")) }
      for _ in 0..<children {
        guard index < schema.count else { throw ParquetError(file: path, .damaged("the schema tree is cut short")) }
        let element = schema[index]
        index += 1
        if element.children > 0 {
          try walk(children: element.children, prefix: prefix + [element.name], nested: true)
        } else {
          guard let type = element.type else {
            throw ParquetError(file: path, .damaged("leaf column \(element.name) has no type"))
          }
          if nested || element.repetition == .repeated {
            skipped.append((prefix + [element.name]).joined(separator: "."))
          } else {
            columns.append(
              Column(
                name: element.name, type: type, typeLength: element.typeLength,
                optional: element.repetition == .optional, logical: element.logical, leaf: leaf))
          }
          leaf += 1
        }
      }
    }
    guard root.children >= 0, root.children < schema.count else {
      throw ParquetError(file: path, .damaged("the schema root has \(root.children) children"))
    }
    try walk(children: root.children, prefix: [], nested: false)
    return (columns, skipped, leaf)
  }

  /// The values of `column` in row group `group`.
  public func read(rowGroup group: Int, column: Column) throws(ParquetError) -> (present: [Bool]?, data: ColumnData) {
    let reader = try pages(rowGroup: group, column: column)
    defer { file.releasePages(in: reader.chunk) }
    var data = Self.empty(column.type)
    if case .bytes(var values) = data, reader.uncompressedSize > 0 {
      // The chunk's bytes bound its values' (a claim beyond the page limit is not trusted).
      values.data.reserveCapacity(Int(min(reader.uncompressedSize, Int64(Self.maximumPageBytes))))
      data = .bytes(values)
    }
    var present: [Bool]? = column.optional ? [] : nil
    while try reader.next(into: &data, present: &present) {}
    guard data.count == (present?.lazy.filter { $0 }.count ?? reader.rows) else {
      throw ParquetError(
        file: path, rowGroup: group, column: column.name, .damaged("\(data.count) values for \(reader.rows) rows"))
    }
    return (present, data)
  }

  /// The pages of `column` in row group `group`, one data page at a time (`ColumnPages.next`):
  /// a reader that streams a column holds one page of it, not the row group's.
  public func pages(rowGroup group: Int, column: Column) throws(ParquetError) -> ColumnPages {
    func failure(_ reason: Reason) -> ParquetError {
      ParquetError(file: path, rowGroup: group, column: column.name, reason)
    }
    let info = metadata.rowGroups[group]
    let chunk = info.columns[column.leaf]
    if chunk.encrypted { throw failure(.unsupported("an encrypted column")) }
    if chunk.externalFile != nil { throw failure(.unsupported("a column chunk in another file")) }
    guard let codec = Codec(rawValue: chunk.codec) else { throw failure(.unsupported("codec \(chunk.codec)")) }
    guard chunk.type == column.type else { throw failure(.damaged("the chunk's type differs from the schema's")) }
    var start = Int(clamping: chunk.dataPageOffset)
    if let dictionary = chunk.dictionaryPageOffset, dictionary > 0, dictionary < chunk.dataPageOffset {
      start = Int(dictionary)
    }
    guard start >= 4, chunk.compressedSize > 0, chunk.compressedSize <= Int64(file.bytes.count - 8 - start) else {
      throw failure(
        .damaged("a column chunk at \(chunk.dataPageOffset) of \(chunk.compressedSize) bytes outside the file"))
    }
    return ColumnPages(
      parquet: self, group: group, column: column, codec: codec, rows: Int(clamping: info.rowCount),
      chunk: start..<start + Int(chunk.compressedSize),
      uncompressedSize: chunk.uncompressedSize)
  }

}
