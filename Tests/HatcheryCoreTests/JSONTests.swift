import XCTest

@testable import HatcheryCore

final class JSONTests: XCTestCase {
  func testParsesObjectsInOrderAndKeepsNumberText() throws {
    let value = try JSONParser.parse(#" {"b": 1.50, "a": [true, false, null, -0, 12e3], "c": {"d": "x"}} "#)
    let object = try XCTUnwrap(value.objectValue)
    XCTAssertEqual(object.members.map(\.key), ["b", "a", "c"])
    XCTAssertEqual(object["b"], .number("1.50"))
    XCTAssertEqual(object["a"], .array([.bool(true), .bool(false), .null, .number("-0"), .number("12e3")]))
    XCTAssertEqual(object["c"]?.objectValue?["d"], .string("x"))
  }

  func testDecodesEscapesAndSurrogatePairs() throws {
    let value = try JSONParser.parse(#""line\nend \"q\" \\ \/ \t \u00e9 \ud83d\ude00 \udc00 \ud800x""#)
    XCTAssertEqual(value, .string("line\nend \"q\" \\ / \t é 😀 \u{FFFD} \u{FFFD}x"))
  }

  func testRejectsInvalidJSONWithTheOffset() {
    let cases: [(String, Int)] = [
      (#"{"a": }"#, 6), (#"{"a" 1}"#, 5), (#"[1, 2"#, 5), (#""open"#, 5), (#"01"#, 1), (#"{"a":1} x"#, 8),
      ("\"tab\there\"", 4), (#"nul"#, 0), (#"{"a":1,}"#, 7), (#"1."#, 2),
    ]
    for (text, offset) in cases {
      XCTAssertThrowsError(try JSONParser.parse(text), text) { error in
        XCTAssertEqual((error as? JSONParseError)?.offset, offset, text)
      }
    }
  }

  func testRejectsNestingBeyondTheLimitInsteadOfOverflowingTheStack() {
    let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
    XCTAssertThrowsError(try JSONParser.parse(deep)) { error in
      XCTAssertTrue("\(error)".contains("nested deeper"))
    }
    let allowed = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
    XCTAssertNoThrow(try JSONParser.parse(allowed))
  }

  func testWriterEscapesEveryCharacterThatNeedsIt() throws {
    // Special characters at every position, so both the 8-byte and the byte-by-byte paths see them.
    for position in 0..<20 {
      for special in ["\"", "\\", "\n", "\u{01}", "\u{1F}", "\t"] {
        var text = String(repeating: "a", count: 20)
        text.insert(contentsOf: special, at: text.index(text.startIndex, offsetBy: position))
        text += "é😀"
        let encoded = JSONWriter.encode(.string(text))
        XCTAssertEqual(try JSONParser.parse(encoded), .string(text))
        XCTAssertFalse(encoded.utf8.dropFirst().dropLast().contains { $0 < 0x20 })
      }
    }
    XCTAssertEqual(JSONWriter.encode(.string("\u{01}\u{7F}")), #""\u0001\#u{7F}""#)
  }

  func testWriterRoundTripsValues() throws {
    let value = JSONValue.object(
      JSONObject([
        ("id", .string("x")), ("n", .number("1.0")), ("list", .array([.null, .bool(true), .int(-42)])),
        ("nested", .object(JSONObject([("k", .string("v"))]))),
      ]))
    let text = JSONWriter.encode(value)
    XCTAssertEqual(text, #"{"id":"x","n":1.0,"list":[null,true,-42],"nested":{"k":"v"}}"#)
    XCTAssertEqual(try JSONParser.parse(text), value)
  }

  func testDocumentLineRoundTrips() throws {
    var writer = JSONWriter()
    let text = "Two lines\nwith \"quotes\"."
    var bytes = Array(text.utf8)
    bytes.withUnsafeMutableBytes { raw in
      writer.appendDocument(
        id: "abc", text: UnsafeRawBufferPointer(raw), source: "books", added: "2026-01-01T00:00:00Z",
        created: nil, metadata: JSONObject([("path", .string("a.txt"))]))
    }
    XCTAssertEqual(writer.bytes.last, 0x0A)
    let document = try writer.bytes.dropLast().withUnsafeBytes { try Document(line: $0) }
    XCTAssertEqual(
      document,
      Document(
        id: "abc", text: text, source: "books", added: "2026-01-01T00:00:00Z", created: nil,
        metadata: JSONObject([("path", .string("a.txt"))])))
    XCTAssertThrowsError(try Array(#"{"text":"no id"}"#.utf8).withUnsafeBytes { try Document(line: $0) })
  }
}
