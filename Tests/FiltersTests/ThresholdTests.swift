import Foundation
import HatcheryCore
import XCTest

@testable import Filters

/// Every rule with a real-valued threshold, at and around it: with the threshold set to the value
/// a text measures, the rule lets the text pass; a hair stricter, the rule fails it.
final class ThresholdTests: XCTestCase {
  private enum Bound { case maximum, minimum }

  private struct Case {
    let rule: String
    let family: FilterConfig.RuleFamily
    let text: String
    let bound: Bound
    let set: (inout QualityThresholds, Double) -> Void
  }

  private var cases: [Case] {
    let base = prose(12)
    return [
      Case(
        rule: "gopher_below_avg_threshold", family: .gopherQuality,
        text: String(repeating: "it is an ox to be by the of. ", count: 20), bound: .minimum
      ) { $0.minimumMeanWordLength = $1 },
      Case(
        rule: "gopher_too_many_hashes", family: .gopherQuality, text: base + "\n" + String(repeating: "# ", count: 40),
        bound: .maximum
      ) { $0.maximumSymbolWordRatio = $1 },
      Case(
        rule: "gopher_below_alpha_threshold", family: .gopherQuality,
        text: base + "\n" + (0..<200).map { "\($0 * 7919)" }.joined(separator: " "), bound: .minimum
      ) {
        $0.minimumAlphabeticWordRatio = $1
      },
      Case(
        rule: "dup_para_frac", family: .gopherRepetition,
        text: base + "\n\n" + String(repeating: "The same paragraph again and again.\n\n", count: 8), bound: .maximum
      ) {
        $0.maximumDuplicateParagraphFraction = $1
      },
      Case(
        rule: "dup_line_frac", family: .gopherRepetition,
        text: base + "\n" + String(repeating: "The same line once more here.\n", count: 8), bound: .maximum
      ) {
        $0.maximumDuplicateLineFraction = $1
      },
      Case(
        rule: "top_2_gram", family: .gopherRepetition, text: base + " " + String(repeating: "buy now ", count: 120),
        bound: .maximum
      ) { $0.topNGramCharacterFractions[2] = $1 },
      Case(
        rule: "line_punct_ratio", family: .fineweb, text: base.replacingOccurrences(of: ".", with: ""),
        bound: .minimum
      ) { $0.minimumLinePunctuationRatio = $1 },
      Case(
        rule: "short_line_ratio", family: .fineweb,
        text: base + "\n" + (0..<40).map { "Item \($0)." }.joined(separator: "\n"), bound: .maximum
      ) {
        $0.maximumShortLineRatio = $1
      },
      Case(rule: "char_dup_ratio", family: .fineweb, text: base + "\n" + prose(1), bound: .maximum) {
        $0.maximumCharacterDuplicateRatio = $1
      },
    ]
  }

  private func failure(_ text: String, _ config: FilterConfig) -> RuleFailure? {
    var text = text
    return text.withUTF8 { config.firstFailure(UnsafeRawBufferPointer($0)) }
  }

  func testEveryRuleAtAndAroundItsThreshold() {
    for test in cases {
      var config = FilterConfig()
      config.families = [test.family]
      guard let measured = failure(test.text, config), measured.rule == test.rule else {
        XCTFail("\(test.rule): the text does not fail it (\(String(describing: failure(test.text, config))))")
        continue
      }
      test.set(&config.thresholds, measured.value)
      XCTAssertNotEqual(failure(test.text, config)?.rule, test.rule, "\(test.rule) at its threshold \(measured.value)")
      let stricter = test.bound == .maximum ? measured.value.nextDown : measured.value.nextUp
      test.set(&config.thresholds, stricter)
      XCTAssertEqual(failure(test.text, config)?.rule, test.rule, "\(test.rule) just past its threshold")
    }
  }

  func testBadWordsComeFromAFileOfTheUsersOwn() throws {
    let folder = NSTemporaryDirectory() + "hatchery-bad-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try "Frobnicate\nwidget\n".write(toFile: folder + "/bad.txt", atomically: false, encoding: .utf8)
    try "rules: [c4]\nbad_words: bad.txt\n".write(toFile: folder + "/filter.yaml", atomically: false, encoding: .utf8)
    let config = try FilterConfig.load(path: folder + "/filter.yaml")
    XCTAssertEqual(config.thresholds.badWords, ["frobnicate", "widget"])
    XCTAssertEqual(failure(prose(6) + "\nThey tried to FROBNICATE it again.", config)?.rule, "c4_badwords")
    XCTAssertNil(failure(prose(6) + "\nThey tried to widgets it again.", config), "whole words only")
  }
}
