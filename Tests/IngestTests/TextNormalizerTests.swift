import HatcheryCore
import XCTest

@testable import Ingest

final class TextNormalizerTests: XCTestCase {
  private func normalize(_ bytes: [UInt8]) -> (String, repaired: Int, changed: Bool) {
    let normalizer = TextNormalizer()
    var input = bytes
    return input.withUnsafeMutableBytes { raw in
      let repaired = normalizer.repairUTF8(raw)
      let normalized = normalizer.normalize(valid: repaired.text)
      return (
        String(decoding: normalized.text, as: UTF8.self), repaired.replaced, normalized.changed || repaired.replaced > 0
      )
    }
  }

  func testLineEndsBecomeLineFeeds() {
    XCTAssertEqual(normalize(Array("a\r\nb\rc\n\r\n\r".utf8)).0, "a\nb\nc\n\n\n")
    XCTAssertEqual(normalize(Array("\r\r\n".utf8)).0, "\n\n")
    XCTAssertFalse(normalize(Array("plain\ntext".utf8)).changed)
  }

  func testTextBecomesNFC() {
    let (text, _, changed) = normalize(Array("Cafe\u{301} and \u{1100}\u{1161} stay; e\u{301}\n".utf8))
    XCTAssertEqual(text, "Café and \u{AC00} stay; é\n")
    XCTAssertEqual(Array(text.unicodeScalars).count, 19)
    XCTAssertTrue(changed)
    // Singletons (U+212B ANGSTROM SIGN) and reordering of combining marks.
    XCTAssertEqual(
      normalize(Array("\u{212B} a\u{323}\u{302}".utf8)).0.unicodeScalars.map(\.value), [0xC5, 0x20, 0x1EAD])
    XCTAssertFalse(normalize(Array("Déjà vu — “quoted” ½".utf8)).changed)
  }

  func testTheByteTestNeverPassesTextThatIsNotNFC() {
    // Every scalar the fast test accepts must be left alone by a real NFC normaliser, also
    // when followed by a combining mark (which the fast test must refuse).
    for value in UInt32(0x80)..<0x3000 {
      guard let scalar = Unicode.Scalar(value) else { continue }
      let text = "a" + String(Character(scalar)) + "b"
      let bytes = Array(text.utf8)
      let trivially = bytes.withUnsafeBytes { TextNormalizer.isTriviallyNFC($0) }
      if trivially {
        XCTAssertEqual(text._nfcCodeUnits, bytes, "U+\(String(value, radix: 16))")
        let withMark = Array((String(Character(scalar)) + "\u{301}").utf8)
        XCTAssertFalse(withMark.withUnsafeBytes { TextNormalizer.isTriviallyNFC($0) })
      }
    }
  }

  func testInvalidUTF8IsRepairedOneReplacementPerMaximalSubpart() {
    // FF, FE: two invalid bytes; E2 82: a truncated three-byte sequence (one subpart);
    // ED A0 80: an encoded surrogate (three subparts); C0 AF: an overlong slash (two).
    let (text, repaired, changed) = normalize([0x61, 0xFF, 0xFE, 0x62, 0xE2, 0x82, 0x63, 0xED, 0xA0, 0x80, 0xC0, 0xAF])
    XCTAssertEqual(text, "a\u{FFFD}\u{FFFD}b\u{FFFD}c\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD}")
    XCTAssertEqual(repaired, 8)
    XCTAssertTrue(changed)
    XCTAssertEqual(normalize([0xF0, 0x9F, 0x98]).0, "\u{FFFD}", "a sequence cut by the end of the text")
  }

  func testScalarCount() {
    for text in ["", "abc", "é", "😀 and 中文", String(repeating: "ü", count: 33)] {
      let count = Array(text.utf8).withUnsafeBytes { TextNormalizer.scalarCount($0) }
      XCTAssertEqual(count, text.unicodeScalars.count, text)
    }
  }

  func testSurveyAgreesWithTheStandardLibrary() {
    // Pieces that exercise every branch: ASCII runs longer than the 16-byte step, the trivially
    // NFC ranges, characters outside them (arrows, Cyrillic, CJK, a singleton), combining marks
    // after a trivial starter, line ends, and bytes that are not UTF-8.
    let pieces: [[UInt8]] = [
      Array("plain ASCII text, longer than sixteen bytes".utf8), Array("é".utf8), Array("ʼ".utf8), Array("—".utf8),
      Array("“".utf8), Array("→".utf8), Array("д".utf8), Array("中".utf8), Array("\u{212B}".utf8), Array("\u{301}".utf8),
      Array("😀".utf8), [0x0A], [0x0D, 0x0A], [0xFF], [0xE2, 0x80], [0xC2], [0xED, 0xA0, 0x80], [0xE2, 0x80, 0x41],
    ]
    var random = SplitMix64(seed: 7)
    for _ in 0..<3_000 {
      var bytes: [UInt8] = []
      for _ in 0..<Int.random(in: 0...12, using: &random) {
        bytes += pieces[Int.random(in: 0..<pieces.count, using: &random)]
      }
      let survey = bytes.withUnsafeBytes { TextNormalizer.survey($0) }
      // The standard library's answer: nil when not UTF-8, else whether the quick check passes.
      let quickCheck = bytes.withUnsafeBufferPointer { buffer -> Bool? in
        guard var utf8 = try? UTF8Span(validating: Span<UInt8>(_unsafeElements: buffer)) else { return nil }
        return utf8.checkForNFC(quickCheck: true)
      }
      guard let quickCheck else {
        XCTAssertNil(survey, "\(bytes)")
        continue
      }
      guard let survey else { return XCTFail("valid UTF-8 refused: \(bytes)") }
      let text = String(decoding: bytes, as: UTF8.self)
      XCTAssertEqual(survey.scalars, text.unicodeScalars.count, "\(bytes)")
      XCTAssertEqual(survey.isNFC, quickCheck, "\(bytes)")
      // What normalize(valid:) makes of it, with and without the survey, is the same.
      let normalizer = TextNormalizer()
      var first = bytes
      var second = bytes
      let (plain, surveyed) = first.withUnsafeMutableBytes { a in
        second.withUnsafeMutableBytes { b in
          let plain = normalizer.normalize(valid: a)
          let plainResult = (Array(plain.text), plain.scalars, plain.changed)
          let surveyed = normalizer.normalize(valid: b, survey: survey)
          return (plainResult, (Array(surveyed.text), surveyed.scalars, surveyed.changed))
        }
      }
      XCTAssertEqual(plain.0, surveyed.0)
      XCTAssertEqual(plain.1, surveyed.1)
      XCTAssertEqual(plain.2, surveyed.2)
      XCTAssertEqual(plain.1, String(decoding: plain.0, as: UTF8.self).unicodeScalars.count)
    }
  }
}
