import Foundation

/// Why a JSON text was rejected, and at which byte.
public struct JSONParseError: Error, CustomStringConvertible, Sendable {
  public let offset: Int
  public let reason: String
  public var description: String { "\(reason) at byte \(offset)" }
}

/// A strict JSON (RFC 8259) parser over UTF-8 bytes that the caller has already validated.
/// Lone surrogate escapes become U+FFFD; nesting deeper than `maximumDepth` is rejected so that
/// hostile input cannot exhaust the stack.
public struct JSONParser: ~Copyable {
  public static let maximumDepth = 512

  private let bytes: UnsafeRawBufferPointer
  private var position = 0
  private var depth = 0

  private init(_ bytes: UnsafeRawBufferPointer) {
    self.bytes = bytes
  }

  /// Parses one complete value; anything after it but whitespace is an error.
  public static func parse(_ bytes: UnsafeRawBufferPointer) throws(JSONParseError) -> JSONValue {
    var parser = JSONParser(bytes)
    parser.skipWhitespace()
    let value = try parser.parseValue()
    parser.skipWhitespace()
    if parser.position != bytes.count { throw parser.error("unexpected text after the JSON value") }
    return value
  }

  public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
    var text = text
    let result = text.withUTF8 { buffer in
      Result { () throws(JSONParseError) in try parse(UnsafeRawBufferPointer(buffer)) }
    }
    return try result.get()
  }

  /// A byte as it can be shown in a one-line message: 'x' when printable ASCII, else its hex.
  private static func printable(_ byte: UInt8) -> String {
    byte >= 0x20 && byte < 0x7F ? "'\(Unicode.Scalar(byte))'" : "byte 0x" + String(byte, radix: 16, uppercase: true)
  }

  private func error(_ reason: String) -> JSONParseError {
    JSONParseError(offset: position, reason: reason)
  }

  private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

  private mutating func skipWhitespace() {
    while position < bytes.count {
      switch bytes[position] {
      case 0x20, 0x09, 0x0A, 0x0D: position += 1
      default: return
      }
    }
  }

  private mutating func parseValue() throws(JSONParseError) -> JSONValue {
    guard let byte = current else { throw error("unexpected end of JSON") }
    switch byte {
    case UInt8(ascii: "{"): return .object(try parseObject())
    case UInt8(ascii: "["): return .array(try parseArray())
    case UInt8(ascii: "\""): return .string(try parseString())
    case UInt8(ascii: "t"):
      try expectWord("true")
      return .bool(true)
    case UInt8(ascii: "f"):
      try expectWord("false")
      return .bool(false)
    case UInt8(ascii: "n"):
      try expectWord("null")
      return .null
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
    default: throw error("unexpected character \(Self.printable(byte))")
    }
  }

  private mutating func enter() throws(JSONParseError) {
    depth += 1
    if depth > Self.maximumDepth { throw error("JSON nested deeper than \(Self.maximumDepth) levels") }
  }

  private mutating func parseObject() throws(JSONParseError) -> JSONObject {
    try enter()
    position += 1
    var members: [(key: String, value: JSONValue)] = []
    skipWhitespace()
    if current == UInt8(ascii: "}") {
      position += 1
      depth -= 1
      return JSONObject(members)
    }
    while true {
      skipWhitespace()
      guard current == UInt8(ascii: "\"") else { throw error("expected a member name in quotes") }
      let key = try parseString()
      skipWhitespace()
      guard current == UInt8(ascii: ":") else { throw error("expected ':' after a member name") }
      position += 1
      skipWhitespace()
      members.append((key, try parseValue()))
      skipWhitespace()
      switch current {
      case UInt8(ascii: ","): position += 1
      case UInt8(ascii: "}"):
        position += 1
        depth -= 1
        return JSONObject(members)
      default: throw error("expected ',' or '}' in an object")
      }
    }
  }

  private mutating func parseArray() throws(JSONParseError) -> [JSONValue] {
    try enter()
    position += 1
    var elements: [JSONValue] = []
    skipWhitespace()
    if current == UInt8(ascii: "]") {
      position += 1
      depth -= 1
      return elements
    }
    while true {
      skipWhitespace()
      elements.append(try parseValue())
      skipWhitespace()
      switch current {
      case UInt8(ascii: ","): position += 1
      case UInt8(ascii: "]"):
        position += 1
        depth -= 1
        return elements
      default: throw error("expected ',' or ']' in an array")
      }
    }
  }

  private mutating func expectWord(_ word: StaticString) throws(JSONParseError) {
    let count = word.utf8CodeUnitCount
    guard position + count <= bytes.count,
      memcmp(bytes.baseAddress! + position, word.utf8Start, count) == 0
    else { throw error("unexpected character") }
    position += count
  }

  private mutating func parseNumber() throws(JSONParseError) -> String {
    let start = position
    if current == UInt8(ascii: "-") { position += 1 }
    guard let first = current, first >= 0x30, first <= 0x39 else { throw error("expected a digit") }
    position += 1
    if first != 0x30 { skipDigits() }
    if current == UInt8(ascii: ".") {
      position += 1
      guard try digitsFollow() else { throw error("expected a digit after '.'") }
    }
    if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
      position += 1
      if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
      guard try digitsFollow() else { throw error("expected a digit in the exponent") }
    }
    return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
  }

  private mutating func skipDigits() {
    while let byte = current, byte >= 0x30, byte <= 0x39 { position += 1 }
  }

  private mutating func digitsFollow() throws(JSONParseError) -> Bool {
    let start = position
    skipDigits()
    return position > start
  }

  private mutating func parseString() throws(JSONParseError) -> String {
    position += 1
    let start = position
    var decoded: [UInt8]?  // only once an escape is seen
    while true {
      let special = JSONScan.firstSpecial(bytes, from: position)
      guard special < bytes.count else {
        position = special
        throw error("unterminated string")
      }
      let run = UnsafeRawBufferPointer(rebasing: bytes[position..<special])
      position = special + 1
      switch bytes[special] {
      case UInt8(ascii: "\""):
        guard var decoded else {
          return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<special]), as: UTF8.self)
        }
        decoded.append(contentsOf: run)
        return String(decoding: decoded, as: UTF8.self)
      case UInt8(ascii: "\\"):
        if decoded == nil { decoded = [] }
        decoded!.append(contentsOf: run)
        guard let escaped = current else { throw error("unterminated string") }
        position += 1
        switch escaped {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded!.append(escaped)
        case UInt8(ascii: "b"): decoded!.append(0x08)
        case UInt8(ascii: "f"): decoded!.append(0x0C)
        case UInt8(ascii: "n"): decoded!.append(0x0A)
        case UInt8(ascii: "r"): decoded!.append(0x0D)
        case UInt8(ascii: "t"): decoded!.append(0x09)
        case UInt8(ascii: "u"): UTF8.encode(try parseUnicodeEscape()) { decoded!.append($0) }
        default:
          position -= 1
          throw error("invalid escape '\\' followed by \(Self.printable(escaped))")
        }
      default:
        position = special
        throw error("control character in a string")
      }
    }
  }

  /// Reads the hex digits after `\u`, joining a surrogate pair when one follows.
  private mutating func parseUnicodeEscape() throws(JSONParseError) -> Unicode.Scalar {
    let first = try parseHex4()
    if (0xD800...0xDBFF).contains(first) {
      if position + 6 <= bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
        let saved = position
        position += 2
        let second = try parseHex4()
        if (0xDC00...0xDFFF).contains(second) {
          return Unicode.Scalar(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00))!
        }
        position = saved
      }
      return "\u{FFFD}"
    }
    return Unicode.Scalar(first) ?? "\u{FFFD}"
  }

  private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
    guard position + 4 <= bytes.count else { throw error("truncated \\u escape") }
    var value: UInt32 = 0
    for _ in 0..<4 {
      let byte = bytes[position]
      let digit: UInt32
      switch byte {
      case 0x30...0x39: digit = UInt32(byte - 0x30)
      case 0x41...0x46: digit = UInt32(byte - 0x41 + 10)
      case 0x61...0x66: digit = UInt32(byte - 0x61 + 10)
      default: throw error("invalid hex digit in \\u escape")
      }
      value = value << 4 | digit
      position += 1
    }
    return value
  }
}
