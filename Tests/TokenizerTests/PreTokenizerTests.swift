import HatcheryCore
import XCTest

@testable import Tokenizer

/// Expected splits written by hand from the two regexes (and checked against the regex crate's
/// and Oniguruma's output when they were written).
final class PreTokenizerTests: XCTestCase {
  private func split(_ text: String, _ pattern: SplitPattern = .gpt4) -> [String] {
    let bytes = Array(text.utf8)
    return PreTokenizer(pattern: pattern).pieces(bytes).map { String(decoding: bytes[$0], as: UTF8.self) }
  }

  func testContractions() {
    XCTAssertEqual(
      split("I'm you'LL we've they'RE it's'd"),
      ["I", "'m", " you", "'LL", " we", "'ve", " they", "'RE", " it", "'s", "'d"])
    XCTAssertEqual(
      split("I'm you'LL we've they'RE", .gpt2), ["I", "'m", " you", "'", "LL", " we", "'ve", " they", "'", "RE"],
      "GPT-2's contractions are lower case only")
    XCTAssertEqual(split("'sam"), ["'s", "am"], "a contraction needs no word boundary")
    XCTAssertEqual(split("'ſx"), ["'ſ", "x"], "case folding maps the long s to s")
    XCTAssertEqual(split("'\u{212A}x"), ["'\u{212A}x"], "the Kelvin sign folds to k, which is no contraction")
  }

  func testNumbers() {
    XCTAssertEqual(split("12345 abc 1234567"), ["123", "45", " abc", " ", "123", "456", "7"])
    XCTAssertEqual(split("12345 abc 1234567", .gpt2), ["12345", " abc", " 1234567"])
    XCTAssertEqual(split("٣٤٥٦"), ["٣٤٥", "٦"], "Arabic-Indic digits are numbers")
  }

  func testWhitespaceRunsAndNewlines() {
    XCTAssertEqual(split("a   b"), ["a", "  ", " b"])
    XCTAssertEqual(split("a\n\n  b"), ["a", "\n\n", " ", " b"])
    XCTAssertEqual(split("a\n\n  b", .gpt2), ["a", "\n\n ", " b"])
    XCTAssertEqual(split("end.\n\nNext"), ["end", ".\n\n", "Next"])
    XCTAssertEqual(split("end.\n\nNext", .gpt2), ["end", ".", "\n", "\n", "Next"])
    XCTAssertEqual(split("x = [1, 2];\r\n\tif"), ["x", " =", " [", "1", ",", " ", "2", "];\r\n", "\tif"])
    XCTAssertEqual(split("x = [1, 2];\r\n\tif", .gpt2), ["x", " =", " [", "1", ",", " 2", "];", "\r\n", "\t", "if"])
    XCTAssertEqual(split("hello!!! world  !!"), ["hello", "!!!", " world", " ", " !!"])
    XCTAssertEqual(split("  \n"), ["  \n"])
    XCTAssertEqual(split("tail   "), ["tail", "   "], "whitespace at the end stays whole")
    XCTAssertEqual(split("a\u{00A0}b"), ["a", "\u{00A0}b"], "no-break space is a non-letter prefix")
    XCTAssertEqual(split("a\u{00A0}b", .gpt2), ["a", "\u{00A0}", "b"])
    XCTAssertEqual(split("x\u{2028}y"), ["x", "\u{2028}y"], "a line separator is not \\r or \\n")
  }

  func testOtherScripts() {
    XCTAssertEqual(split("Привет мир"), ["Привет", " мир"])
    XCTAssertEqual(split("日本語のテキスト"), ["日本語のテキスト"])
    XCTAssertEqual(split("hi 👋🏽 there"), ["hi", " 👋🏽", " there"])
    XCTAssertEqual(split("e\u{0301}te"), ["e", "\u{0301}te"], "a combining mark is not a letter")
    XCTAssertEqual(split("e\u{0301}te", .gpt2), ["e", "\u{0301}", "te"])
  }

  func testInvalidBytesSplitAndCoverTheInput() {
    let bytes: [UInt8] = [0x61, 0xFF, 0x62, 0x20, 0xC3, 0x28, 0xE2, 0x82]
    XCTAssertEqual(
      PreTokenizer(pattern: .gpt4).pieces(bytes), [0..<1, 1..<3, 3..<8], "each invalid byte is one other scalar")
    var generator = SplitMix64(seed: 7)
    for pattern in SplitPattern.allCases {
      for _ in 0..<200 {
        let text = (0..<Int(generator.next() % 64)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let pieces = PreTokenizer(pattern: pattern).pieces(text)
        XCTAssertEqual(pieces.first?.lowerBound ?? 0, 0)
        XCTAssertEqual(pieces.last?.upperBound ?? 0, text.count)
        XCTAssertTrue(zip(pieces, pieces.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound && !$0.isEmpty })
      }
    }
  }

  func testPatternsRoundTripThroughTheirRegexText() {
    for pattern in SplitPattern.allCases { XCTAssertEqual(SplitPattern(regex: pattern.regex), pattern) }
    XCTAssertNil(SplitPattern(regex: #"\w+"#))
  }
}

final class ScalarClassTableTests: XCTestCase {
  /// The table gives, for every scalar, the class the standard library's Unicode properties give
  /// (White_Space first, then the letter and number categories); planes 4–16 hold no letters,
  /// numbers or spaces, and values past U+10FFFF are `other`.
  func testEveryScalarHasTheClassOfItsUnicodeProperties() {
    let table = ScalarClassTable.shared
    for value in UInt32(0)...0x10FFFF {
      let expected: ScalarClass
      if let scalar = Unicode.Scalar(value) {
        let properties = scalar.properties
        if properties.isWhitespace {
          expected = .space
        } else {
          switch properties.generalCategory {
          case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: expected = .letter
          case .decimalNumber, .letterNumber, .otherNumber: expected = .number
          default: expected = .other
          }
        }
      } else {
        expected = .other
      }
      if table.of(value) != expected {
        XCTFail("U+\(String(value, radix: 16, uppercase: true)): \(table.of(value)), not \(expected)")
        return
      }
    }
    XCTAssertEqual(table.of(0x110000), .other)
    XCTAssertEqual(table.of(UInt32.max), .other)
  }
}
