/// Reads Apache Thrift's compact protocol, as Parquet writes its footer and page headers
/// (https://github.com/apache/thrift/blob/master/doc/specs/thrift-compact-protocol.md): structs
/// of numbered fields, zigzag varints, length-prefixed binaries, lists. Bounds are checked on
/// every read and nesting is limited, so a hostile footer is an error, never a crash or a hang.
struct ThriftCompactReader: ~Copyable {
  enum FieldType: UInt8 {
    case stop = 0
    case boolTrue = 1
    case boolFalse = 2
    case byte = 3
    case i16 = 4
    case i32 = 5
    case i64 = 6
    case double = 7
    case binary = 8
    case list = 9
    case set = 10
    case
      map = 11
    case structure = 12
  }

  struct Failure: Error {
    let message: String
  }

  private let bytes: UnsafeRawBufferPointer
  private(set) var position: Int
  private var depth = 0
  static let maximumDepth = 64

  init(_ bytes: UnsafeRawBufferPointer, at position: Int = 0) {
    self.bytes = bytes
    self.position = position
  }

  private mutating func byte() throws(Failure) -> UInt8 {
    guard position < bytes.count else { throw Failure(message: "Thrift data ends early at byte \(position)") }
    defer { position += 1 }
    return bytes[position]
  }

  mutating func varint() throws(Failure) -> UInt64 {
    var result: UInt64 = 0
    var shift: UInt64 = 0
    while true {
      let next = try byte()
      result |= UInt64(next & 0x7F) << shift
      if next & 0x80 == 0 { return result }
      shift += 7
      guard shift < 64 else { throw Failure(message: "a varint longer than 10 bytes at byte \(position)") }
    }
  }

  mutating func zigzag() throws(Failure) -> Int64 {
    let raw = try varint()
    return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
  }

  mutating func i32() throws(Failure) -> Int32 {
    let value = try zigzag()
    guard value >= Int64(Int32.min), value <= Int64(Int32.max) else {
      throw Failure(message: "an i32 out of range at byte \(position)")
    }
    return Int32(value)
  }

  mutating func double() throws(Failure) -> Double {
    guard bytes.count - position >= 8 else { throw Failure(message: "Thrift data ends early at byte \(position)") }
    defer { position += 8 }
    return Double(bitPattern: UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: UInt64.self)))
  }

  /// A binary field's bytes (in place).
  mutating func binary() throws(Failure) -> UnsafeRawBufferPointer {
    let length = try varint()
    guard length <= UInt64(bytes.count - position) else {
      throw Failure(message: "a binary of \(length) bytes runs past the end at byte \(position)")
    }
    defer { position += Int(length) }
    return UnsafeRawBufferPointer(rebasing: bytes[position..<position + Int(length)])
  }

  mutating func string() throws(Failure) -> String { String(decoding: try binary(), as: UTF8.self) }

  /// A list header: the element type and count; the count is bounded by the bytes left (every
  /// element takes at least one byte, but booleans in lists take one each too).
  mutating func listHeader() throws(Failure) -> (type: FieldType, count: Int) {
    let header = try byte()
    guard let type = FieldType(rawValue: header & 0x0F) else {
      throw Failure(message: "unknown list element type \(header & 0x0F)")
    }
    var count = UInt64(header >> 4)
    if count == 15 { count = try varint() }
    guard count <= UInt64(bytes.count - position) else {
      throw Failure(message: "a list of \(count) elements runs past the end")
    }
    return (type, Int(count))
  }

  /// Calls `field(id, type)` for every field of a struct; the closure must read or skip the
  /// value. Booleans are in the type: `.boolTrue` / `.boolFalse`.
  mutating func readStruct(_ field: (inout ThriftCompactReader, Int16, FieldType) throws(Failure) -> Void)
    throws(Failure)
  {
    depth += 1
    defer { depth -= 1 }
    guard depth <= Self.maximumDepth else { throw Failure(message: "structs nested deeper than \(Self.maximumDepth)") }
    var lastID: Int16 = 0
    while true {
      let header = try byte()
      if header == 0 { return }
      guard let type = FieldType(rawValue: header & 0x0F) else {
        throw Failure(message: "unknown field type \(header & 0x0F) at byte \(position - 1)")
      }
      let delta = Int16(header >> 4)
      let id: Int16
      if delta == 0 {
        let value = try zigzag()
        guard value >= Int64(Int16.min), value <= Int64(Int16.max) else {
          throw Failure(message: "a field id out of range")
        }
        id = Int16(value)
      } else {
        id = lastID &+ delta
      }
      lastID = id
      try field(&self, id, type)
    }
  }

  /// Reads past a value of `type`.
  mutating func skip(_ type: FieldType) throws(Failure) {
    switch type {
    case .stop, .boolTrue, .boolFalse: return
    case .byte: _ = try byte()
    case .i16, .i32, .i64: _ = try varint()
    case .double: _ = try double()
    case .binary: _ = try binary()
    case .list, .set:
      let (element, count) = try listHeader()
      for _ in 0..<count {
        if element == .boolTrue || element == .boolFalse { _ = try byte() } else { try skip(element) }
      }
    case .map:
      let count = try varint()
      guard count <= UInt64(bytes.count - position) else {
        throw Failure(message: "a map of \(count) entries runs past the end")
      }
      guard count > 0 else { return }
      let types = try byte()
      guard let key = FieldType(rawValue: types >> 4), let value = FieldType(rawValue: types & 0x0F) else {
        throw Failure(message: "unknown map types")
      }
      for _ in 0..<count {
        try skip(key)
        try skip(value)
      }
    case .structure:
      try readStruct { (reader: inout ThriftCompactReader, _, type) throws(Failure) in try reader.skip(type) }
    }
  }

  /// A list of i32 (enums), a list of strings.
  mutating func i32List() throws(Failure) -> [Int32] {
    let (type, count) = try listHeader()
    guard type == .i32 else {
      for _ in 0..<count { try skip(type) }
      return []
    }
    var values: [Int32] = []
    values.reserveCapacity(count)
    for _ in 0..<count { values.append(try i32()) }
    return values
  }

  mutating func stringList() throws(Failure) -> [String] {
    let (type, count) = try listHeader()
    guard type == .binary else {
      for _ in 0..<count { try skip(type) }
      return []
    }
    var values: [String] = []
    values.reserveCapacity(count)
    for _ in 0..<count { values.append(try string()) }
    return values
  }

  /// Reads a list of structs, each with `element`.
  mutating func structList(_ element: (inout ThriftCompactReader) throws(Failure) -> Void) throws(Failure) {
    let (type, count) = try listHeader()
    guard type == .structure else {
      for _ in 0..<count { try skip(type) }
      return
    }
    for _ in 0..<count { try element(&self) }
  }
}
