import HatcheryCore
import XCTest

@testable import Filters

final class QualityRuleTests: XCTestCase {
  private let config = FilterConfig()

  private func failure(_ text: String, _ config: FilterConfig? = nil) -> String? {
    var text = text
    return text.withUTF8 { (config ?? self.config).firstFailure(UnsafeRawBufferPointer($0)) }?.rule
  }

  func testWellFormedProsePassesEveryRule() {
    XCTAssertNil(failure(prose(12)))
  }

  func testGopherWordCountAtItsThreshold() {
    var config = FilterConfig()
    config.families = [.gopherQuality]
    let words = prose(12).split(whereSeparator: { $0 == " " || $0 == "\n" })
    XCTAssertNil(failure(words.prefix(50).joined(separator: " "), config), "50 words: at the threshold, kept")
    XCTAssertEqual(failure(words.prefix(49).joined(separator: " "), config), "gopher_short_doc", "49 words")
    config.thresholds.minimumWords = 40
    XCTAssertNil(failure(words.prefix(45).joined(separator: " "), config), "a configured threshold applies")
  }

  func testEachRuleNamesItselfWhenItFails() {
    let base = prose(12)
    var gopherOnly = FilterConfig()
    gopherOnly.families = [.gopherQuality]
    XCTAssertEqual(failure("the and of to " + String(repeating: "word ", count: 20), gopherOnly), "gopher_short_doc")
    XCTAssertEqual(
      failure(String(repeating: "it is an ox to be by the of. ", count: 20), gopherOnly), "gopher_below_avg_threshold")
    XCTAssertEqual(failure(base + "\n" + String(repeating: "# ", count: 40), gopherOnly), "gopher_too_many_hashes")
    XCTAssertEqual(failure(base + "\n" + String(repeating: "... ", count: 40), gopherOnly), "gopher_too_many_ellipsis")
    XCTAssertEqual(
      failure(String(repeating: "Mountains rivers valleys forests deserts oceans islands.\n", count: 10), gopherOnly),
      "gopher_enough_stop_words")
    XCTAssertEqual(
      failure(base + "\n" + (0..<200).map { "\($0 * 7919)" }.joined(separator: " "), gopherOnly),
      "gopher_below_alpha_threshold")

    var repetition = FilterConfig()
    repetition.families = [.gopherRepetition]
    XCTAssertEqual(
      failure(base + "\n\n" + String(repeating: "The same paragraph again and again.\n\n", count: 8), repetition),
      "dup_para_frac")
    XCTAssertEqual(
      failure(base + "\n" + String(repeating: "The same line once more here.\n", count: 8), repetition), "dup_line_frac"
    )
    XCTAssertEqual(failure(base + " " + String(repeating: "buy now ", count: 120), repetition), "top_2_gram")

    var c4 = FilterConfig()
    c4.families = [.c4]
    XCTAssertEqual(failure(base + "\nLorem ipsum dolor sit amet.", c4), "lorem_ipsum")
    XCTAssertEqual(failure(base + "\nfunction f() { return 1; }", c4), "curly_bracket")
    XCTAssertEqual(failure(prose(4), c4), "c4_too_few_sentences")
    XCTAssertEqual(
      failure(prose(4) + "\nPlease enable JavaScript to view this page properly today.", c4), "c4_too_few_sentences")
    XCTAssertEqual(
      failure(prose(4) + "\nThis site USES COOKIES so that it can remember your choices.", c4), "c4_too_few_sentences")
    XCTAssertNil(failure(prose(4) + "\nThe cookie jar was empty when the children came back home.", c4))
    XCTAssertNil(failure(prose(5), c4))

    var fineweb = FilterConfig()
    fineweb.families = [.fineweb]
    XCTAssertEqual(failure(prose(12).replacingOccurrences(of: ".", with: ""), fineweb), "line_punct_ratio")
    XCTAssertEqual(
      failure(base + "\n" + (0..<40).map { "Item \($0)." }.joined(separator: "\n"), fineweb), "short_line_ratio")
    XCTAssertEqual(failure(base + "\n" + prose(1), fineweb), "char_dup_ratio")
  }

  func testPhraseSetFindsEveryPhraseIgnoringASCIICase() {
    let phrases = PhraseSet(["use cookies", "{", "javascript"])
    func found(_ text: String, dropLast: Int = 0) -> UInt64 {
      var text = text
      return text.withUTF8 { phrases.found(in: UnsafeRawBufferPointer($0), 0..<$0.count - dropLast) }
    }
    XCTAssertEqual(found("We USE Cookies; enable JavaScript {"), 0b111)
    XCTAssertEqual(found("we use cookie"), 0)
    XCTAssertEqual(found("we use cookies", dropLast: 1), 0, "a phrase running past the range does not count")
    XCTAssertEqual(found("Javascript"), 0b100)
    XCTAssertEqual(found("JAVASCRIPT", dropLast: 1), 0)
  }

  func testLinePunctuationRatioAtItsThreshold() {
    var config = FilterConfig()
    config.families = [.fineweb]
    config.thresholds.minimumLinePunctuationRatio = 0.5
    config.thresholds.maximumShortLineRatio = 1
    let lines = prose(10).split(separator: "\n")
    let half = lines.enumerated().map { $0.offset < 5 ? String($0.element) : String($0.element.dropLast()) }
    XCTAssertNil(failure(half.joined(separator: "\n"), config), "5 of 10 lines punctuated: at the threshold, kept")
    let fewer = lines.enumerated().map { $0.offset < 4 ? String($0.element) : String($0.element.dropLast()) }
    XCTAssertEqual(failure(fewer.joined(separator: "\n"), config), "line_punct_ratio", "4 of 10: below")
  }

  func testConfigurationIsCheckedWithLineAndColumn() throws {
    let config = try FilterConfig.parse(
      "rules: [c4, fineweb]\nthresholds:\n  minimum_sentences: 3\n  top_2_gram: 0.5\n")
    XCTAssertEqual(config.families, [.c4, .fineweb])
    XCTAssertEqual(config.thresholds.minimumSentences, 3)
    XCTAssertEqual(config.thresholds.topNGramCharacterFractions[2], 0.5)
    XCTAssertThrowsError(try FilterConfig.parse("rules: [c4]\nthreshold:\n  x: 1\n", file: "f.yaml")) { error in
      guard case .badConfiguration("f.yaml:2:1", _)? = error as? FilterError else { return XCTFail("\(error)") }
    }
    XCTAssertNotNil(try FilterConfig.parse("pii: true\n").piiRedactor)
    XCTAssertThrowsError(try FilterConfig.parse("pii: maybe\n"))
    XCTAssertThrowsError(try FilterConfig.parse("thresholds:\n  minimum_words: many\n"))
    XCTAssertThrowsError(try FilterConfig.parse("thresholds:\n  top_0_gram: 0.5\n", file: "f.yaml")) { error in
      guard case .badConfiguration(let place, _)? = error as? FilterError else { return XCTFail("\(error)") }
      XCTAssertTrue(place.hasPrefix("f.yaml:2:"), place)
    }
    XCTAssertThrowsError(try FilterConfig.parse("rules: [perplexity]\n"))
  }
}
