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
  /// the quote, the backslash and control characters are escaped.
  ///
  /// Runs of bytes that need no escape are found eight at a time (SWAR tests for a byte below
  /// 0x20, equal to '"' or equal to '\\') and copied whole; on 40 MB of books this is what keeps
  /// escaping from being a cost next to zstd.
  public mutating func appendString(_ text: UnsafeRawBufferPointer) {
    bytes.append(UInt8(ascii: "\""))
    let count = text.count
    var runStart = 0
    var index = 0
    let ones: UInt64 = 0x0101_0101_0101_0101
    let highs: UInt64 = 0x8080_8080_8080_8080
    while index < count {
      if index + 8 <= count {
        let word = text.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        let control = (word &- ones &* 0x20) & ~word & highs
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let quoteZero = (quote &- ones) & ~quote & highs
        let backslashZero = (backslash &- ones) & ~backslash & highs
        if control | quoteZero | backslashZero == 0 {
          index += 8
          continue
        }
      }
      let byte = text[index]
      if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
        index += 1
        continue
      }
      if runStart < index { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[runStart..<index])) }
      appendEscape(byte)
      index += 1
      runStart = index
    }
    if runStart < count { bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: text[runStart..<count])) }
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
      bytes.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, Self.hexDigits[Int(byte >> 4)], Self.hexDigits[Int(byte & 0xF)]])
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
