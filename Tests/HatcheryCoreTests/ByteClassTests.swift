import XCTest

@testable import HatcheryCore

/// The shared byte classes against their definitions, over every byte value (their wrapping
/// range checks must hold for bytes of UTF-8 sequences too), and FNV-1a against its published
/// test vectors.
final class ByteClassTests: XCTestCase {
  func testEveryByteIsInTheClassesItsDefinitionSays() {
    for value in 0...255 {
      let byte = UInt8(value)
      let scalar = Unicode.Scalar(byte)
      let ascii = byte < 0x80
      XCTAssertEqual(ASCII.isDigit(byte), ascii && ("0"..."9").contains(scalar), "\(value)")
      XCTAssertEqual(ASCII.isUppercase(byte), ascii && ("A"..."Z").contains(scalar), "\(value)")
      XCTAssertEqual(ASCII.isLowercase(byte), ascii && ("a"..."z").contains(scalar), "\(value)")
      XCTAssertEqual(
        ASCII.isLetter(byte), ascii && (("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar)), "\(value)")
      XCTAssertEqual(ASCII.isAlphanumeric(byte), ASCII.isLetter(byte) || ASCII.isDigit(byte), "\(value)")
      XCTAssertEqual(
        ASCII.isHexDigit(byte), ascii && "0123456789abcdefABCDEF".unicodeScalars.contains(scalar), "\(value)")
      XCTAssertEqual(ASCII.lowercased(byte), ASCII.isUppercase(byte) ? byte + 32 : byte, "\(value)")
      XCTAssertEqual(ASCII.isWhitespace(byte), [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(byte), "\(value)")
      XCTAssertEqual(ASCII.isHTMLWhitespace(byte), [0x20, 0x09, 0x0A, 0x0C, 0x0D].contains(byte), "\(value)")
      XCTAssertEqual(ASCII.isXMLWhitespace(byte), [0x20, 0x09, 0x0A, 0x0D].contains(byte), "\(value)")
      XCTAssertEqual(ASCII.isLineSpace(byte), [0x20, 0x09, 0x0D].contains(byte), "\(value)")
      XCTAssertEqual(ASCII.isBlank(byte), [0x20, 0x09].contains(byte), "\(value)")
    }
  }

  func testFNV1aGivesThePublishedValues() {
    XCTAssertEqual(FNV1a.hash(""), 0xCBF2_9CE4_8422_2325)
    XCTAssertEqual(FNV1a.hash("a"), 0xAF63_DC4C_8601_EC8C)
    XCTAssertEqual(FNV1a.hash("foobar"), 0x8594_4171_F739_67E8)
    var hasher = FNV1a()
    for byte in "foobar".utf8 { hasher.add(byte) }
    XCTAssertEqual(hasher.value, FNV1a.hash("foobar"))
  }
}
