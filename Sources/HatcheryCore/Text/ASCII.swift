/// Byte classes of ASCII text, for the byte loops of every module (one definition; inlined into
/// the loops that call them). Bytes of 0x80 and above belong to no class here.
public enum ASCII {
  @inlinable @inline(__always)
  public static func isDigit(_ byte: UInt8) -> Bool { byte &- 0x30 < 10 }

  @inlinable @inline(__always)
  public static func isUppercase(_ byte: UInt8) -> Bool { byte &- 0x41 < 26 }

  @inlinable @inline(__always)
  public static func isLowercase(_ byte: UInt8) -> Bool { byte &- 0x61 < 26 }

  @inlinable @inline(__always)
  public static func isLetter(_ byte: UInt8) -> Bool { (byte | 0x20) &- 0x61 < 26 }

  @inlinable @inline(__always)
  public static func isAlphanumeric(_ byte: UInt8) -> Bool { isDigit(byte) || isLetter(byte) }

  @inlinable @inline(__always)
  public static func isHexDigit(_ byte: UInt8) -> Bool { isDigit(byte) || (byte | 0x20) &- 0x61 < 6 }

  /// The byte with A–Z lowered, any other byte as it is.
  @inlinable @inline(__always)
  public static func lowercased(_ byte: UInt8) -> UInt8 { isUppercase(byte) ? byte | 0x20 : byte }

  /// C's `isspace`: space, \t, \n, \v, \f, \r.
  @inlinable @inline(__always)
  public static func isWhitespace(_ byte: UInt8) -> Bool { byte == 0x20 || byte &- 0x09 < 5 }

  /// The white space of HTML (and of XML with \f): space, \t, \n, \f, \r — not \v.
  @inlinable @inline(__always)
  public static func isHTMLWhitespace(_ byte: UInt8) -> Bool { byte != 0x0B && isWhitespace(byte) }

  /// XML's white space: space, \t, \n, \r.
  @inlinable @inline(__always)
  public static func isXMLWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D
  }

  /// White space within a line: space, \t, and the \r of a CRLF line end.
  @inlinable @inline(__always)
  public static func isLineSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }

  /// Space or tab: the folding white space of WARC and HTTP headers.
  @inlinable @inline(__always)
  public static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 }
}
