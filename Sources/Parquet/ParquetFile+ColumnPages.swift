import HatcheryCore

extension ParquetFile {
  /// One column chunk read a data page at a time.
  public final class ColumnPages {
    let parquet: ParquetFile
    let group: Int
    let column: Column
    let codec: Codec
    public let rows: Int
    let chunk: Range<Int>
    let uncompressedSize: Int64
    private var position: Int
    private var rowsRead = 0
    private var dictionary: ColumnData?
    private var indices: [UInt32] = []
    private var levels: [UInt32] = []

    init(
      parquet: ParquetFile, group: Int, column: Column, codec: Codec, rows: Int, chunk: Range<Int>,
      uncompressedSize: Int64
    ) {
      self.parquet = parquet
      self.group = group
      self.column = column
      self.codec = codec
      self.rows = rows
      self.chunk = chunk
      self.uncompressedSize = uncompressedSize
      position = chunk.lowerBound
    }

    /// Appends the next data page's rows to `data` and `present` (dictionary pages on the way
    /// are read too); false when every row of the chunk has been read.
    public func next(into data: inout ColumnData, present: inout [Bool]?) throws(ParquetError) -> Bool {
      guard rowsRead < rows else { return false }
      do throws(Reason) {
        try readPage(into: &data, present: &present)
      } catch {
        throw ParquetError(file: parquet.path, rowGroup: group, column: column.name, error)
      }
      return true
    }

    /// Reads pages up to and including the next data page.
    private func readPage(into data: inout ColumnData, present: inout [Bool]?) throws(Reason) {
      let bytes = parquet.file.bytes
      let end = chunk.upperBound
      let column = self.column
      let codec = self.codec
      let rows = self.rows
      while rowsRead < rows {
        guard position < end else { throw Reason.damaged("the column chunk ends after \(rowsRead) of \(rows) rows") }
        let (header, dataStart): (PageHeader, Int)
        do throws(ThriftCompactReader.Failure) {
          (header, dataStart) = try PageHeader.parse(UnsafeRawBufferPointer(rebasing: bytes[position..<end]), at: 0)
        } catch {
          throw Reason.damaged("a page header at byte \(position): \(error.message)")
        }
        let pageStart = position + dataStart
        let compressed = Int(header.compressedSize)
        guard compressed >= 0, header.uncompressedSize >= 0, compressed <= end - pageStart,
          Int(header.uncompressedSize) <= ParquetFile.maximumPageBytes
        else {
          throw Reason.damaged(
            "a page at byte \(position) claims \(header.compressedSize) bytes (\(header.uncompressedSize) uncompressed) past its column chunk"
          )
        }
        let page = UnsafeRawBufferPointer(rebasing: bytes[pageStart..<pageStart + compressed])
        let headerStart = position
        position = pageStart + compressed
        // The page's file bytes are given back once it is decoded, so a row group's compressed
        // pages and its decoded values are not all resident at once.
        defer { parquet.file.releasePages(in: headerStart..<position) }
        if let crc = header.crc, PageCodec.crc32(page) != UInt32(bitPattern: crc) {
          throw Reason.damaged("page at byte \(pageStart - dataStart): CRC mismatch")
        }
        switch PageType(rawValue: header.type) {
        case .dictionaryPage:
          guard header.encoding == Encoding.plain.rawValue || header.encoding == Encoding.plainDictionary.rawValue
          else {
            throw Reason.unsupported("a dictionary page in encoding \(header.encoding)")
          }
          let values = try PageCodec.decompress(page, codec: codec, size: Int(header.uncompressedSize))
          guard header.valueCount >= 0, Int(header.valueCount) <= values.count * 8 + 1 else {
            throw Reason.damaged("a dictionary of \(header.valueCount) values")
          }
          if column.type == .byteArray {
            // Strings are used where they lie in the decompressed page, as in PLAIN data pages (a
            // text column's dictionary can be megabytes: pyarrow's limit is checked per batch).
            var strings = ByteArrays()
            strings.data = values
            try strings.adoptPlain(from: 0, to: values.count, count: Int(header.valueCount))
            dictionary = .bytes(strings)
            continue
          }
          var decoded = ParquetFile.empty(column.type)
          try values.withBytes { (raw) throws(Reason) in
            try PlainDecoder.decode(
              raw, type: column.type, typeLength: column.typeLength, count: Int(header.valueCount), into: &decoded)
          }
          dictionary = decoded
        case .dataPage, .dataPageV2:
          let isV2 = header.type == PageType.dataPageV2.rawValue
          let count = Int(header.valueCount)
          guard count >= 0, count <= rows - rowsRead else {
            throw Reason.damaged("a data page of \(count) values where \(rows - rowsRead) rows are left")
          }
          if header.encoding == Encoding.plain.rawValue, case .bytes(var values) = data, column.type == .byteArray {
            // Strings in PLAIN: decompressed into the column's buffer and used in place.
            data = .boolean([])
            defer { data = .bytes(values) }
            let presentCount = try ParquetFile.plainBytesInPlace(
              page, header: header, isV2: isV2, count: count, column: column, codec: codec, values: &values,
              present: &present,
              levels: &levels)
            _ = presentCount
            rowsRead += count
            return
          }
          var valuesBytes: [UInt8]
          var presentCount = count
          levels.removeAll(keepingCapacity: true)
          if isV2 {
            let repetition = Int(header.repetitionBytes)
            let definition = Int(header.definitionBytes)
            guard repetition >= 0, definition >= 0, repetition + definition <= compressed else {
              throw Reason.damaged("level lengths past the page")
            }
            if column.optional {
              try Levels.decodeHybrid(
                UnsafeRawBufferPointer(rebasing: page[repetition..<repetition + definition]), width: 1, count: count,
                into: &levels)
            }
            let body = UnsafeRawBufferPointer(rebasing: page[(repetition + definition)...])
            let size = Int(header.uncompressedSize) - repetition - definition
            guard size >= 0 else { throw Reason.damaged("a v2 page smaller than its levels") }
            valuesBytes = header.isCompressed ? try PageCodec.decompress(body, codec: codec, size: size) : Array(body)
          } else {
            let whole = try PageCodec.decompress(page, codec: codec, size: Int(header.uncompressedSize))
            var offset = 0
            if column.optional {
              guard header.definitionEncoding == Encoding.rle.rawValue else {
                throw Reason.unsupported("definition levels in encoding \(header.definitionEncoding)")
              }
              guard whole.count >= 4 else { throw Reason.damaged("a page too short for its levels") }
              let length = Int(whole.withUnsafeBytes { UInt32(littleEndian: $0.loadUnaligned(as: UInt32.self)) })
              guard length <= whole.count - 4 else {
                throw Reason.damaged("definition levels of \(length) bytes past the page")
              }
              try whole.withBytes { (raw) throws(Reason) in
                try Levels.decodeHybrid(
                  UnsafeRawBufferPointer(rebasing: raw[4..<4 + length]), width: 1, count: count, into: &levels)
              }
              offset = 4 + length
            }
            valuesBytes = offset == 0 ? whole : Array(whole[offset...])
          }
          if column.optional { presentCount = ParquetFile.record(levels, in: &present) }
          try valuesBytes.withBytes { (raw) throws(Reason) in
            try ParquetFile.decodeValues(
              raw, encoding: header.encoding, column: column, count: presentCount, dictionary: dictionary,
              indices: &indices, into: &data)
          }
          rowsRead += count
          return
        case .indexPage, .none:
          continue
        }
      }
    }
  }

  // MARK: Decoding one page

  /// A PLAIN byte-array data page: its bytes (v1: levels and values; v2: values) decompressed
  /// onto the end of `values.data`, the levels read, the values adopted where they lie.
  private static func plainBytesInPlace(
    _ page: UnsafeRawBufferPointer, header: PageHeader, isV2: Bool, count: Int, column: Column, codec: Codec,
    values: inout ByteArrays,
    present: inout [Bool]?, levels: inout [UInt32]
  ) throws(Reason) -> Int {
    levels.removeAll(keepingCapacity: true)
    var body = page
    var size = Int(header.uncompressedSize)
    if isV2 {
      let repetition = Int(header.repetitionBytes)
      let definition = Int(header.definitionBytes)
      guard repetition >= 0, definition >= 0, repetition + definition <= page.count, repetition + definition <= size
      else {
        throw .damaged("level lengths past the page")
      }
      if column.optional {
        try Levels.decodeHybrid(
          UnsafeRawBufferPointer(rebasing: page[repetition..<repetition + definition]), width: 1, count: count,
          into: &levels)
      }
      body = UnsafeRawBufferPointer(rebasing: page[(repetition + definition)...])
      size -= repetition + definition
    }
    let base = values.data.count
    values.data.append(contentsOf: repeatElement(0, count: size))
    let inputCodec = isV2 && !header.isCompressed ? Codec.uncompressed : codec
    let result: Reason? = values.data.withUnsafeMutableBytes { raw -> Reason? in
      do throws(Reason) {
        try PageCodec.decompress(
          body, codec: inputCodec, into: UnsafeMutableRawBufferPointer(rebasing: raw[base..<base + size]))
        return nil
      } catch {
        return error
      }
    }
    if let result { throw result }
    var offset = base
    if !isV2, column.optional {
      guard size >= 4 else { throw .damaged("a page too short for its levels") }
      let length = values.data.withUnsafeBytes {
        Int(UInt32(littleEndian: $0.loadUnaligned(fromByteOffset: base, as: UInt32.self)))
      }
      guard length <= size - 4 else { throw .damaged("definition levels of \(length) bytes past the page") }
      let levelBytes = Array(values.data[(base + 4)..<(base + 4 + length)])
      try levelBytes.withBytes { (raw) throws(Reason) in
        try Levels.decodeHybrid(raw, width: 1, count: count, into: &levels)
      }
      offset = base + 4 + length
    }
    let presentCount = column.optional ? record(levels, in: &present) : count
    try values.adoptPlain(from: offset, to: base + size, count: presentCount)
    return presentCount
  }

  /// Appends which rows have a value (definition level 1 of a flat optional column); returns
  /// how many do.
  private static func record(_ levels: [UInt32], in present: inout [Bool]?) -> Int {
    var count = 0
    for level in levels {
      let has = level == 1
      present!.append(has)
      if has { count += 1 }
    }
    return count
  }

  static func empty(_ type: PhysicalType) -> ColumnData {
    switch type {
    case .byteArray, .fixedLenByteArray: .bytes(ByteArrays())
    case .boolean: .boolean([])
    case .int32: .int32([])
    case .int64: .int64([])
    case .int96: .int96([])
    case .float: .float([])
    case .double: .double([])
    }
  }

  private static func decodeValues(
    _ raw: UnsafeRawBufferPointer, encoding rawEncoding: Int32, column: Column, count: Int, dictionary: ColumnData?,
    indices: inout [UInt32], into data: inout ColumnData
  ) throws(Reason) {
    guard let encoding = Encoding(rawValue: rawEncoding) else { throw .unsupported("encoding \(rawEncoding)") }
    switch encoding {
    case .plain:
      try PlainDecoder.decode(raw, type: column.type, typeLength: column.typeLength, count: count, into: &data)
    case .plainDictionary, .rleDictionary:
      guard let dictionary else { throw .damaged("dictionary-encoded values without a dictionary page") }
      guard raw.count >= 1 else {
        if count == 0 { return }
        throw .damaged("dictionary indices without a bit width")
      }
      indices.removeAll(keepingCapacity: true)
      try Levels.decodeHybrid(
        UnsafeRawBufferPointer(rebasing: raw[1...]), width: Int(raw[0]), count: count, into: &indices)
      try gather(indices, from: dictionary, into: &data)
    case .rle:
      guard case .boolean(var values) = data else { throw .unsupported("RLE values of type \(column.type)") }
      guard raw.count >= 4 else { throw .damaged("RLE booleans without their length") }
      let length = Int(UInt32(littleEndian: raw.loadUnaligned(as: UInt32.self)))
      guard length <= raw.count - 4 else { throw .damaged("RLE booleans past the page") }
      indices.removeAll(keepingCapacity: true)
      try Levels.decodeHybrid(
        UnsafeRawBufferPointer(rebasing: raw[4..<4 + length]), width: 1, count: count, into: &indices)
      data = .int32([])
      values.append(contentsOf: indices.lazy.map { $0 == 1 })
      data = .boolean(values)
    case .deltaBinaryPacked:
      var cursor = ByteCursor(raw)
      let decoded = try Delta.decodeIntegers(&cursor, limit: count)
      guard decoded.count == count else { throw .damaged("\(decoded.count) delta values for \(count)") }
      switch data {
      case .int32(var values):
        data = .boolean([])
        values.append(contentsOf: decoded.lazy.map { Int32(truncatingIfNeeded: $0) })
        data = .int32(values)
      case .int64(var values):
        data = .boolean([])
        values.append(contentsOf: decoded)
        data = .int64(values)
      default: throw .unsupported("DELTA_BINARY_PACKED values of type \(column.type)")
      }
    case .deltaLengthByteArray:
      guard case .bytes(var values) = data else {
        throw .unsupported("DELTA_LENGTH_BYTE_ARRAY values of type \(column.type)")
      }
      var cursor = ByteCursor(raw)
      let lengths = try Delta.decodeIntegers(&cursor, limit: count)
      guard lengths.count == count else { throw .damaged("\(lengths.count) lengths for \(count) values") }
      data = .boolean([])
      for length in lengths { values.append(try cursor.take(Int(clamping: length))) }
      data = .bytes(values)
    case .deltaByteArray:
      guard case .bytes(var values) = data else { throw .unsupported("DELTA_BYTE_ARRAY values of type \(column.type)") }
      var cursor = ByteCursor(raw)
      let prefixes = try Delta.decodeIntegers(&cursor, limit: count)
      let lengths = try Delta.decodeIntegers(&cursor, limit: count)
      guard prefixes.count == count, lengths.count == count else {
        throw .damaged("DELTA_BYTE_ARRAY counts differ from \(count)")
      }
      data = .boolean([])
      // The first value of a page has no previous one: its prefix must be 0.
      var previous: Range<Int>? = nil
      for index in 0..<count {
        let prefix = Int(clamping: prefixes[index])
        let suffix = try cursor.take(Int(clamping: lengths[index]))
        guard prefix >= 0, prefix <= (previous?.count ?? 0) else {
          throw .damaged("a DELTA_BYTE_ARRAY prefix of \(prefix) bytes")
        }
        values.append(prefixOf: previous ?? 0..<0, length: prefix, suffix: suffix)
        previous = values.range(values.count - 1)
      }
      data = .bytes(values)
    case .byteStreamSplit:
      let width: Int
      switch column.type {
      case .float, .int32: width = 4
      case .double, .int64: width = 8
      case .fixedLenByteArray: width = column.typeLength
      default: throw .unsupported("BYTE_STREAM_SPLIT values of type \(column.type)")
      }
      guard width > 0, raw.count == width * count else {
        throw .damaged("BYTE_STREAM_SPLIT of \(raw.count) bytes for \(count) values")
      }
      var joined = [UInt8](repeating: 0, count: raw.count)
      for index in 0..<count {
        for stream in 0..<width { joined[index * width + stream] = raw[stream * count + index] }
      }
      let bytes = joined
      try bytes.withBytes { (bytes) throws(Reason) in
        try PlainDecoder.decode(bytes, type: column.type, typeLength: column.typeLength, count: count, into: &data)
      }
    case .bitPacked:
      throw .unsupported("BIT_PACKED values")
    }
  }

  /// Appends dictionary entries by index.
  static func gather(_ indices: [UInt32], from dictionary: ColumnData, into data: inout ColumnData) throws(Reason) {
    let size = dictionary.count
    if let bad = indices.first(where: { Int($0) >= size }) {
      throw .damaged("dictionary index \(bad) of a dictionary of \(size)")
    }
    switch (dictionary, data) {
    case (.bytes(let entries), .bytes(var values)):
      // One allocation for the page's values, not one growth after another; a page that repeats
      // a long entry past what any page may hold is refused before anything is allocated.
      let total = indices.reduce(0) { $0 + entries.range(Int($1)).count }
      guard total <= ParquetFile.maximumPageBytes else {
        throw .damaged("a dictionary-encoded page of \(indices.count) values expanding to \(total) bytes")
      }
      data = .boolean([])
      values.data.reserveCapacity(values.data.count + total)
      values.starts.reserveCapacity(values.starts.count + indices.count)
      values.ends.reserveCapacity(values.ends.count + indices.count)
      entries.data.withUnsafeBytes { raw in
        for index in indices { values.append(UnsafeRawBufferPointer(rebasing: raw[entries.range(Int(index))])) }
      }
      data = .bytes(values)
    case (.int32(let entries), .int32(let values)): data = .int32(values + indices.map { entries[Int($0)] })
    case (.int64(let entries), .int64(let values)): data = .int64(values + indices.map { entries[Int($0)] })
    case (.int96(let entries), .int96(let values)): data = .int96(values + indices.map { entries[Int($0)] })
    case (.float(let entries), .float(let values)): data = .float(values + indices.map { entries[Int($0)] })
    case (.double(let entries), .double(let values)): data = .double(values + indices.map { entries[Int($0)] })
    case (.boolean(let entries), .boolean(let values)): data = .boolean(values + indices.map { entries[Int($0)] })
    default:
      throw .damaged("a dictionary of another type than its column")
    }
  }
}
