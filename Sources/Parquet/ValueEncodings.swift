/// Parquet's value and level encodings (parquet-format `Encodings.md`): PLAIN, the RLE /
/// bit-packed hybrid (levels, dictionary indices, booleans), DELTA_BINARY_PACKED,
/// DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY and BYTE_STREAM_SPLIT. Every read is bounds-checked.
typealias Reason = ParquetError.Reason

/// Variable-length byte strings in one buffer: value i is `data[range(i)]`. PLAIN pages are
/// decompressed straight into `data` and their values left in place, so `data` also holds their
/// length prefixes (and a v1 page's levels) between the values.
public struct ByteArrays: Sendable {
  public var data: [UInt8] = []
  public var starts: [Int] = []
  public var ends: [Int] = []

  public init() {}
  public var count: Int { ends.count }

  public func range(_ index: Int) -> Range<Int> { starts[index]..<ends[index] }

  public mutating func removeAll(keepingCapacity: Bool) {
    data.removeAll(keepingCapacity: keepingCapacity)
    starts.removeAll(keepingCapacity: keepingCapacity)
    ends.removeAll(keepingCapacity: keepingCapacity)
  }

  /// The values' bytes (without what lies between them).
  public var valueBytes: Int { zip(starts, ends).reduce(0) { $0 + $1.1 - $1.0 } }

  mutating func append(_ bytes: UnsafeRawBufferPointer) {
    starts.append(data.count)
    data.append(contentsOf: bytes)
    ends.append(data.count)
  }

  /// Appends `prefix` bytes of `previous` and then `suffix`.
  mutating func append(prefixOf previous: Range<Int>, length: Int, suffix: UnsafeRawBufferPointer) {
    starts.append(data.count)
    // Through a copy of the prefix: appending a slice of `data` to itself would copy all of it.
    let prefix = Array(data[previous.lowerBound..<previous.lowerBound + length])
    data.append(contentsOf: prefix)
    data.append(contentsOf: suffix)
    ends.append(data.count)
  }

  /// Takes `count` PLAIN values (4-byte length, bytes) already in `data` from `offset` on; they
  /// must end by `end`.
  mutating func adoptPlain(from offset: Int, to end: Int, count: Int) throws(Reason) {
    var position = offset
    starts.reserveCapacity(starts.count + count)
    ends.reserveCapacity(ends.count + count)
    let result: Reason? = data.withUnsafeBytes { raw -> Reason? in
      for _ in 0..<count {
        guard end - position >= 4 else { return .damaged("a PLAIN value runs past the end of its page") }
        let length = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: position, as: UInt32.self)))
        guard length <= end - position - 4 else {
          return .damaged("a value of \(length) bytes runs past the end of its page")
        }
        starts.append(position + 4)
        ends.append(position + 4 + length)
        position += 4 + length
      }
      return nil
    }
    if let result { throw result }
  }
}

/// A column's values of one row group, present values only (`present`, when the column is
/// optional, says which rows have one).
public enum ColumnData: Sendable {
  case bytes(ByteArrays)
  case boolean([Bool])
  case int32([Int32])
  case int64([Int64])
  /// INT96 timestamps (Impala, old Spark): nanoseconds of the day and the Julian day.
  case int96([(nanoseconds: UInt64, julianDay: UInt32)])
  case float([Float])
  case double([Double])

  /// How many values it holds.
  public var valueCount: Int { count }

  var count: Int {
    switch self {
    case .bytes(let values): values.count
    case .boolean(let values): values.count
    case .int32(let values): values.count
    case .int64(let values): values.count
    case .int96(let values): values.count
    case .float(let values): values.count
    case .double(let values): values.count
    }
  }

  /// Empties it, keeping its storage for the next page: a page's buffer is then reused
  /// instead of allocated and faulted in again.
  public mutating func removeAllKeepingCapacity() {
    // Each payload is moved out before it is emptied, so it is unique and not copied.
    switch self {
    case .bytes(var values):
      self = .boolean([])
      values.removeAll(keepingCapacity: true)
      self = .bytes(values)
    case .boolean(var values):
      self = .int32([])
      values.removeAll(keepingCapacity: true)
      self = .boolean(values)
    case .int32(var values):
      self = .boolean([])
      values.removeAll(keepingCapacity: true)
      self = .int32(values)
    case .int64(var values):
      self = .boolean([])
      values.removeAll(keepingCapacity: true)
      self = .int64(values)
    case .int96(var values):
      self = .boolean([])
      values.removeAll(keepingCapacity: true)
      self = .int96(values)
    case .float(var values):
      self = .boolean([])
      values.removeAll(keepingCapacity: true)
      self = .float(values)
    case .double(var values):
      self = .boolean([])
      values.removeAll(keepingCapacity: true)
      self = .double(values)
    }
  }

  /// Calls `body` with value `index` of a byte-array column as mutable bytes (nil for other
  /// types), so a reader can work on a value in place without copying it out.
  public mutating func withMutableValue<Result>(
    _ index: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> Result
  ) rethrows -> Result? {
    guard case .bytes(var values) = self else { return nil }
    self = .boolean([])
    defer { self = .bytes(values) }
    let range = values.range(index)
    return try values.data.withUnsafeMutableBytes { try body(UnsafeMutableRawBufferPointer(rebasing: $0[range])) }
  }
}

struct ByteCursor {
  let bytes: UnsafeRawBufferPointer
  var position = 0

  init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  var remaining: Int { bytes.count - position }

  mutating func varint() throws(Reason) -> UInt64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      guard position < bytes.count else { throw .damaged("a varint runs past the end of its page") }
      let next = bytes[position]
      position += 1
      result |= UInt64(next & 0x7F) << shift
      if next & 0x80 == 0 { return result }
      shift += 7
      guard shift < 64 else { throw .damaged("a varint longer than 10 bytes") }
    }
  }

  mutating func zigzag() throws(Reason) -> Int64 {
    let raw = try varint()
    return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
  }

  mutating func take(_ count: Int) throws(Reason) -> UnsafeRawBufferPointer {
    guard count >= 0, count <= remaining else {
      throw .damaged("a value of \(count) bytes runs past the end of its page")
    }
    defer { position += count }
    return UnsafeRawBufferPointer(rebasing: bytes[position..<position + count])
  }

  mutating func load<T: FixedWidthInteger>(_: T.Type) throws(Reason) -> T {
    let size = MemoryLayout<T>.size
    guard size <= remaining else { throw .damaged("a value runs past the end of its page") }
    defer { position += size }
    return T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
  }
}

enum Levels {
  /// Reads `width` bits per value, least significant first, from `bytes` at bit `bitOffset`.
  @inline(__always)
  static func unpack(_ bytes: UnsafeRawBufferPointer, bitOffset: Int, width: Int) -> UInt32 {
    var value: UInt64 = 0
    let first = bitOffset >> 3
    let shift = bitOffset & 7
    let needed = (shift + width + 7) >> 3
    for index in 0..<needed where first + index < bytes.count {
      value |= UInt64(bytes[first + index]) << UInt64(8 * index)
    }
    return UInt32(truncatingIfNeeded: (value >> UInt64(shift)) & ((1 << UInt64(width)) - 1))
  }

  /// The RLE / bit-packed hybrid: appends `count` values of `width` bits to `output`.
  static func decodeHybrid(_ bytes: UnsafeRawBufferPointer, width: Int, count: Int, into output: inout [UInt32])
    throws(Reason)
  {
    guard width >= 0, width <= 32 else { throw .damaged("a bit width of \(width)") }
    if width == 0 {
      output.append(contentsOf: repeatElement(0, count: count))
      return
    }
    var cursor = ByteCursor(bytes)
    var left = count
    let valueBytes = (width + 7) / 8
    while left > 0 {
      let header = try cursor.varint()
      if header & 1 == 0 {
        let run = header >> 1
        guard run > 0 else { throw .damaged("an empty RLE run") }
        let raw = try cursor.take(valueBytes)
        var value: UInt32 = 0
        for index in 0..<valueBytes { value |= UInt32(raw[index]) << UInt32(8 * index) }
        let taken = Int(min(run, UInt64(left)))
        output.append(contentsOf: repeatElement(value, count: taken))
        left -= taken
      } else {
        let groups = header >> 1
        guard groups > 0, groups <= UInt64(cursor.remaining) else {
          throw .damaged("a bit-packed run of \(groups) groups past the end")
        }
        let values = Int(groups) * 8
        let packed = try cursor.take(Int(groups) * width)
        let taken = min(values, left)
        for index in 0..<taken { output.append(unpack(packed, bitOffset: index * width, width: width)) }
        left -= taken
      }
    }
  }
}

enum Delta {
  /// DELTA_BINARY_PACKED: the values and the cursor after them.
  static func decodeIntegers(_ cursor: inout ByteCursor, limit: Int) throws(Reason) -> [Int64] {
    let blockSize = try cursor.varint()
    let miniblocks = try cursor.varint()
    let total = try cursor.varint()
    let first = try cursor.zigzag()
    guard blockSize > 0, blockSize % 128 == 0, miniblocks > 0, blockSize % miniblocks == 0,
      (blockSize / miniblocks) % 32 == 0, blockSize <= 1 << 20
    else { throw .damaged("a DELTA_BINARY_PACKED header of block \(blockSize), \(miniblocks) miniblocks") }
    guard total <= UInt64(limit) else {
      throw .damaged("DELTA_BINARY_PACKED claims \(total) values where the page has \(limit)")
    }
    var values: [Int64] = []
    values.reserveCapacity(Int(total))
    guard total > 0 else { return values }
    values.append(first)
    var previous = first
    let perMiniblock = Int(blockSize / miniblocks)
    while values.count < Int(total) {
      let minimum = try cursor.zigzag()
      let widths = try cursor.take(Int(miniblocks))
      for miniblock in 0..<Int(miniblocks) where values.count < Int(total) {
        let width = Int(widths[miniblock])
        guard width <= 64 else { throw .damaged("a miniblock bit width of \(width)") }
        let packed = try cursor.take(perMiniblock * width / 8)
        for index in 0..<perMiniblock where values.count < Int(total) {
          var delta: UInt64 = 0
          if width > 0 {
            // Up to 64 bits: read in two halves when wider than 32.
            let low = Levels.unpack(packed, bitOffset: index * width, width: min(width, 32))
            delta = UInt64(low)
            if width > 32 {
              delta |= UInt64(Levels.unpack(packed, bitOffset: index * width + 32, width: width - 32)) << 32
            }
          }
          previous = previous &+ minimum &+ Int64(bitPattern: delta)
          values.append(previous)
        }
      }
    }
    return values
  }
}

enum PlainDecoder {
  /// Appends `count` PLAIN values of `type` to `data`.
  static func decode(
    _ bytes: UnsafeRawBufferPointer, type: PhysicalType, typeLength: Int, count: Int, into data: inout ColumnData
  ) throws(Reason) {
    var cursor = ByteCursor(bytes)
    switch (type, data) {
    case (.byteArray, .bytes(var values)):
      data = .boolean([])  // release the copy while appending
      values.data.reserveCapacity(values.data.count + max(0, bytes.count - 4 * count))
      for _ in 0..<count {
        let length = Int(try cursor.load(UInt32.self))
        values.append(try cursor.take(length))
      }
      data = .bytes(values)
    case (.fixedLenByteArray, .bytes(var values)):
      data = .boolean([])
      for _ in 0..<count { values.append(try cursor.take(typeLength)) }
      data = .bytes(values)
    case (.int32, .int32(var values)):
      data = .boolean([])
      for _ in 0..<count { values.append(Int32(bitPattern: try cursor.load(UInt32.self))) }
      data = .int32(values)
    case (.int64, .int64(var values)):
      data = .boolean([])
      for _ in 0..<count { values.append(Int64(bitPattern: try cursor.load(UInt64.self))) }
      data = .int64(values)
    case (.int96, .int96(var values)):
      data = .boolean([])
      for _ in 0..<count {
        let nanoseconds = try cursor.load(UInt64.self)
        values.append((nanoseconds, try cursor.load(UInt32.self)))
      }
      data = .int96(values)
    case (.float, .float(var values)):
      data = .boolean([])
      for _ in 0..<count { values.append(Float(bitPattern: try cursor.load(UInt32.self))) }
      data = .float(values)
    case (.double, .double(var values)):
      data = .boolean([])
      for _ in 0..<count { values.append(Double(bitPattern: try cursor.load(UInt64.self))) }
      data = .double(values)
    case (.boolean, .boolean(var values)):
      data = .int32([])
      guard (count + 7) / 8 <= bytes.count else { throw .damaged("PLAIN booleans run past the end of their page") }
      for index in 0..<count { values.append(bytes[index >> 3] >> UInt8(index & 7) & 1 == 1) }
      data = .boolean(values)
    default:
      throw .damaged("values of type \(type) in a column of another type")
    }
  }
}

extension Array where Element == UInt8 {
  /// `withUnsafeBytes` with the reader's typed error.
  func withBytes<R>(_ body: (UnsafeRawBufferPointer) throws(Reason) -> R) throws(Reason) -> R {
    let result: Result<R, Reason> = withUnsafeBytes { raw in
      do throws(Reason) { return .success(try body(raw)) } catch { return .failure(error) }
    }
    return try result.get()
  }
}
