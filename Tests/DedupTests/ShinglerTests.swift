import HatcheryCore
import XCTest

@testable import Dedup

final class ShinglerTests: XCTestCase {
  /// The rules written the slow, obvious way with String APIs.
  private func reference(_ text: String, size: Int, caseFold: Bool) -> (exact: XXHash128, shingles: [UInt64]) {
    let isSpace = { (scalar: Unicode.Scalar) in scalar.properties.isWhitespace }
    let exactWords = text.unicodeScalars.split(whereSeparator: isSpace).map { String(String.UnicodeScalarView($0)) }
    let exactText = exactWords.map { caseFold ? $0.lowercased() : $0 }.joined(separator: " ")
    let lowered = text.unicodeScalars.map { String($0).lowercased() }.joined()
    let kept = String(String.UnicodeScalarView(lowered.unicodeScalars.filter { !Shingler.isPunctuation($0) }))
    let words = kept.unicodeScalars.split(whereSeparator: isSpace).map { String(String.UnicodeScalarView($0)) }
    var shingles: [UInt64] = []
    if !words.isEmpty {
      for start in 0..<max(1, words.count - size + 1) {
        var shingle = words[start..<min(start + size, words.count)].joined(separator: " ")
        shingles.append(shingle.withUTF8 { XXHash.hash64(UnsafeRawBufferPointer($0)) })
      }
    }
    var exact = exactText
    return (exact.withUTF8 { XXHash.hash128(UnsafeRawBufferPointer($0)) }, shingles)
  }

  func testShinglesAndExactTextFollowTheStatedRules() {
    let texts = [
      "The quick, brown fox — jumps over the lazy dog! It's “fine”.",
      "  Leading\tand trailing\u{00A0}spaces\u{2003}and ÉCOLE Straße İstanbul… (parenthesised) [x] {y}  ",
      "one two",
      "!!! ??? ...",
      "Ünïcödé wörds; 中文字符 and emoji 😀 stay as words, dash-joined-words become one.",
      "",
      "a b c d e f g h i j k l m n o p",
    ]
    for caseFold in [false, true] {
      let shingler = Shingler(shingleSize: 3, caseFold: caseFold)
      for text in texts {
        var copy = text
        let exact = copy.withUTF8 { shingler.process(UnsafeRawBufferPointer($0)) }
        let expected = reference(text, size: 3, caseFold: caseFold)
        XCTAssertEqual(exact, expected.exact, text)
        XCTAssertEqual(shingler.shingles, expected.shingles, text)
      }
    }
  }

  func testShortAndWordlessTexts() {
    let shingler = Shingler(shingleSize: 5, caseFold: false)
    var short = "only three words"
    _ = short.withUTF8 { shingler.process(UnsafeRawBufferPointer($0)) }
    XCTAssertEqual(shingler.shingles.count, 1, "fewer words than the shingle size: one shingle of them all")
    XCTAssertEqual(shingler.wordCount, 3)
    var none = "... --- !!!"
    _ = none.withUTF8 { shingler.process(UnsafeRawBufferPointer($0)) }
    XCTAssertEqual(shingler.shingles, [], "no words: no shingles, so no signature")
  }

  func testCaseFoldingOnlyChangesTheExactFingerprintWhenAsked() {
    func exact(_ text: String, fold: Bool) -> XXHash128 {
      var text = text
      return text.withUTF8 { Shingler(shingleSize: 5, caseFold: fold).process(UnsafeRawBufferPointer($0)) }
    }
    XCTAssertNotEqual(exact("Hello  World", fold: false), exact("hello world", fold: false))
    XCTAssertEqual(exact("Hello  World", fold: true), exact("hello world", fold: true))
    XCTAssertEqual(exact("Hello \n World ", fold: false), exact("Hello World", fold: false), "white space folds")
  }
}
