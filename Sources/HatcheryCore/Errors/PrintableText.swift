/// Text from input (file names, lines of a file, header values) made safe to print on one line:
/// control characters, invalid UTF-8 and the bidirectional overrides that reorder what a
/// terminal shows become visible escapes, so a hostile name can neither move the cursor, fake a
/// line of output nor hide a part of itself.
public enum PrintableText {
  /// `bytes` as one line; at most `limit` bytes are shown, then `…`.
  public static func escaped(_ bytes: UnsafeRawBufferPointer, limit: Int = .max) -> String {
    decode(bytes, limit: limit, escapingControls: true)
  }

  /// A file name that may not be UTF-8 (POSIX names are bytes) as a string: valid UTF-8 as it
  /// is, each byte that is not as `\xNN`.
  public static func fileName(_ bytes: [UInt8]) -> String {
    if let text = String(validating: bytes, as: UTF8.self) { return text }
    return bytes.withUnsafeBytes { decode($0, limit: .max, escapingControls: false) }
  }

  private static func decode(_ bytes: UnsafeRawBufferPointer, limit: Int, escapingControls: Bool) -> String {
    var output = ""
    output.unicodeScalars.reserveCapacity(min(bytes.count, limit) + 8)
    var index = 0
    let end = min(bytes.count, limit)
    while index < end {
      let lead = bytes[index]
      let length =
        lead < 0x80
        ? 1 : lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3 : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0
      var scalar: Unicode.Scalar?
      if length > 0 && index + length <= bytes.count {
        var decoder = UTF8()
        var iterator = UnsafeRawBufferPointer(rebasing: bytes[index..<(index + length)]).makeIterator()
        if case .scalarValue(let value) = decoder.decode(&iterator) { scalar = value }
      }
      guard let scalar else {
        output += hex(lead)
        index += 1
        continue
      }
      if escapingControls { append(scalar, to: &output) } else { output.unicodeScalars.append(scalar) }
      index += length
    }
    if end < bytes.count { output += "…" }
    return output
  }

  public static func escaped(_ text: String) -> String {
    var output = ""
    for scalar in text.unicodeScalars { append(scalar, to: &output) }
    return output
  }

  /// `text` unchanged when it needs no escapes (the common case costs one scan).
  public static func needsEscaping(_ text: String) -> Bool {
    text.unicodeScalars.contains { isUnsafe($0) }
  }

  private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
    let value = scalar.value
    return value < 0x20 || (value >= 0x7F && value <= 0x9F) || (value >= 0x202A && value <= 0x202E)
      || (value >= 0x2066 && value <= 0x2069) || value == 0x200E || value == 0x200F || value == 0xFEFF
  }

  private static func append(_ scalar: Unicode.Scalar, to output: inout String) {
    guard isUnsafe(scalar) else {
      output.unicodeScalars.append(scalar)
      return
    }
    switch scalar {
    case "\n": output += "\\n"
    case "\r": output += "\\r"
    case "\t": output += "\\t"
    default:
      output +=
        scalar.value < 0x100 ? hex(UInt8(scalar.value)) : "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
    }
  }

  private static func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789ABCDEF".unicodeScalars)
    return "\\x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xF)])
  }
}
