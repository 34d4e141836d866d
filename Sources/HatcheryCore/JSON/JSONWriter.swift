/// Builds compact JSON text in a byte buffer that is reused from line to line.
public struct JSONWriter: Sendable {
  public var bytes: [UInt8] = []

  public init(capacity: Int = 1 << 16) {
    bytes.reserveCapacity(capacity)
  }

  public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

  public mutating func appendRaw(_ text: StaticString) {
    bytes.append(contentsOf: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
  }

  public mutating func appendInt(_ value: Int) {
    bytes.append(contentsOf: String(value).utf8)
  }

  public mutating func appendString(_ string: String) {
    var string = string
    string.withUTF8 { appendString(UnsafeRawBufferPointer($0)) }
  }

  /// Appends `text` (valid UTF-8) as a quoted JSON string. Non-ASCII stays as raw UTF-8; only
  /// the quote, the backslash and control characters are escaped, and the runs between them are
  /// copied whole.
  public mutating func appendString(_ text: UnsafeRawBufferPointer) {
    bytes.append(UInt8(ascii: "\""))
    var runStart = 0
    while true {
      let special = JSONScan.firstSpecial(text, from: runStart)
      if runStart < special { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[runStart..<special])) }
      guard special < text.count else { break }
      appendEscape(text[special])
      runStart = special + 1
    }
    bytes.append(UInt8(ascii: "\""))
  }

  private static let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

  private mutating func appendEscape(_ byte: UInt8) {
    bytes.append(UInt8(ascii: "\\"))
    switch byte {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
    case 0x0A: bytes.append(UInt8(ascii: "n"))
    case 0x09: bytes.append(UInt8(ascii: "t"))
    case 0x0D: bytes.append(UInt8(ascii: "r"))
    case 0x08: bytes.append(UInt8(ascii: "b"))
    case 0x0C: bytes.append(UInt8(ascii: "f"))
    default:
      bytes.append(contentsOf: [
        UInt8(ascii: "u"), 0x30, 0x30, Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0xF)],
      ])
    }
  }

  public mutating func appendValue(_ value: JSONValue) {
    switch value {
    case .null: appendRaw("null")
    case .bool(let flag): if flag { appendRaw("true") } else { appendRaw("false") }
    case .number(let text): bytes.append(contentsOf: text.utf8)
    case .string(let text): appendString(text)
    case .array(let elements):
      bytes.append(UInt8(ascii: "["))
      for (index, element) in elements.enumerated() {
        if index > 0 { bytes.append(UInt8(ascii: ",")) }
        appendValue(element)
      }
      bytes.append(UInt8(ascii: "]"))
    case .object(let object): appendObject(object)
    }
  }

  public mutating func appendObject(_ object: JSONObject) {
    bytes.append(UInt8(ascii: "{"))
    for (index, member) in object.members.enumerated() {
      if index > 0 { bytes.append(UInt8(ascii: ",")) }
      appendString(member.key)
      bytes.append(UInt8(ascii: ":"))
      appendValue(member.value)
    }
    bytes.append(UInt8(ascii: "}"))
  }

  /// The JSON text of `value`, compact.
  public static func encode(_ value: JSONValue) -> String {
    var writer = JSONWriter(capacity: 256)
    writer.appendValue(value)
    return String(decoding: writer.bytes, as: UTF8.self)
  }
}

/// Finds the bytes JSON strings treat specially: '"', '\\' and control characters.
enum JSONScan {
  /// The index of the first special byte at or after `start`, or `bytes.count`.
  ///
  /// Eight bytes at a time (SWAR tests for a byte below 0x20, equal to '"' or to '\\'): on
  /// 40 MB of books this is what keeps escaping and unescaping from being a cost next to zstd.
  @inline(__always)
  static func firstSpecial(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
    let count = bytes.count
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    var index = start
    while index + 8 <= count {
      let word = bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)
      let control = (word &- ones &* 0x20) & ~word & highs
      let quote = word ^ (ones &* 0x22)
      let backslash = word ^ (ones &* 0x5C)
      let found = control | ((quote &- ones) & ~quote & highs) | ((backslash &- ones) & ~backslash & highs)
      if found != 0 { break }
      index += 8
    }
    while index < count {
      let byte = bytes[index]
      if byte < 0x20 || byte == 0x22 || byte == 0x5C { return index }
      index += 1
    }
    return count
  }
}
