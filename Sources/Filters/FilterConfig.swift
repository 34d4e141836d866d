import Foundation
import HatcheryCore
import Yams

/// What `hatchery filter` applies, read from YAML:
///
///     rules: [gopher_quality, gopher_repetition, c4, fineweb]   # the default: all four
///     thresholds:                                               # any of them; the rest keep their defaults
///       minimum_words: 50
///       top_2_gram: 0.2
///
/// Unknown keys are errors with their line and column.
public struct FilterConfig: Sendable, Equatable {
  public enum RuleFamily: String, Sendable, CaseIterable {
    case gopherQuality = "gopher_quality"
    case gopherRepetition = "gopher_repetition"
    case c4
    case fineweb
  }

  public var families: [RuleFamily] = RuleFamily.allCases
  public var thresholds = QualityThresholds()

  public init() {}

  private static let integerThresholds: [String: WritableKeyPath<QualityThresholds, Int> & Sendable] = [
    "minimum_words": \.minimumWords, "maximum_words": \.maximumWords, "minimum_stop_words": \.minimumStopWords,
    "minimum_sentences": \.minimumSentences, "minimum_words_per_line": \.minimumWordsPerLine,
    "maximum_word_length": \.maximumWordLength, "short_line_length": \.shortLineLength,
  ]
  private static let realThresholds: [String: WritableKeyPath<QualityThresholds, Double> & Sendable] = [
    "minimum_mean_word_length": \.minimumMeanWordLength, "maximum_mean_word_length": \.maximumMeanWordLength,
    "maximum_symbol_word_ratio": \.maximumSymbolWordRatio, "maximum_bullet_line_ratio": \.maximumBulletLineRatio,
    "maximum_ellipsis_line_ratio": \.maximumEllipsisLineRatio,
    "minimum_alphabetic_word_ratio": \.minimumAlphabeticWordRatio,
    "maximum_duplicate_line_fraction": \.maximumDuplicateLineFraction,
    "maximum_duplicate_paragraph_fraction": \.maximumDuplicateParagraphFraction,
    "maximum_duplicate_line_character_fraction": \.maximumDuplicateLineCharacterFraction,
    "maximum_duplicate_paragraph_character_fraction": \.maximumDuplicateParagraphCharacterFraction,
    "minimum_line_punctuation_ratio": \.minimumLinePunctuationRatio, "maximum_short_line_ratio": \.maximumShortLineRatio,
    "maximum_character_duplicate_ratio": \.maximumCharacterDuplicateRatio,
    "maximum_new_line_word_ratio": \.maximumNewLineWordRatio,
  ]
  /// Parts of the filter stage that are not built yet: asking for them is an error, not a no-op.
  private static let notYetAvailable = ["languages", "language_model", "pii", "decontamination", "url_blocklist"]

  public static func load(path: String) throws -> FilterConfig {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw HatcheryError("\(path): cannot read the filter configuration")
    }
    return try parse(String(decoding: data, as: UTF8.self), file: path)
  }

  public static func parse(_ yaml: String, file: String = "filter") throws -> FilterConfig {
    let root: Node?
    do {
      root = try Yams.compose(yaml: yaml)
    } catch {
      throw HatcheryError("\(file): not YAML: \(error)")
    }
    var config = FilterConfig()
    guard let root else { return config }
    guard let mapping = root.mapping else { throw HatcheryError("\(file): the filter configuration is a mapping") }
    func place(_ node: Node) -> String { "\(file):\(node.mark.map { "\($0.line):\($0.column)" } ?? "?")" }
    for (key, value) in mapping {
      switch key.string ?? "" {
      case "rules":
        guard let items = value.sequence else { throw HatcheryError("\(place(value)): expected a list of rule families") }
        config.families = try items.map { item in
          guard let family = item.string.flatMap(RuleFamily.init(rawValue:)) else {
            throw HatcheryError(
              "\(place(item)): unknown rule family; expected \(RuleFamily.allCases.map(\.rawValue).joined(separator: ", "))")
          }
          return family
        }
      case "thresholds":
        guard let thresholds = value.mapping else { throw HatcheryError("\(place(value)): expected a mapping of thresholds") }
        for (name, number) in thresholds {
          try set(name.string ?? "", number, in: &config.thresholds, place: place(name))
        }
      case let name where notYetAvailable.contains(name):
        throw HatcheryError("\(place(key)): '\(name)' is not available yet in this version of the filter stage")
      default:
        throw HatcheryError("\(place(key)): unknown key '\(key.string ?? "?")' (expected rules, thresholds)")
      }
    }
    return config
  }

  private static func set(_ name: String, _ node: Node, in thresholds: inout QualityThresholds, place: String) throws {
    if let path = integerThresholds[name] {
      guard let value = node.int else { throw HatcheryError("\(place): '\(name)' takes a whole number") }
      thresholds[keyPath: path] = value
    } else if let path = realThresholds[name] {
      guard let value = node.float else { throw HatcheryError("\(place): '\(name)' takes a number") }
      thresholds[keyPath: path] = value
    } else if name.hasPrefix("top_"), name.hasSuffix("_gram"), let n = Int(name.dropFirst(4).dropLast(5)) {
      guard let value = node.float else { throw HatcheryError("\(place): '\(name)' takes a number") }
      thresholds.topNGramCharacterFractions[n] = value
    } else if name.hasPrefix("duplicated_"), name.hasSuffix("_n_grams"), let n = Int(name.dropFirst(11).dropLast(8)) {
      guard let value = node.float else { throw HatcheryError("\(place): '\(name)' takes a number") }
      thresholds.duplicateNGramCharacterFractions[n] = value
    } else {
      throw HatcheryError("\(place): unknown threshold '\(name)'")
    }
  }

  /// The first rule `text` fails, in the order gopher_quality, gopher_repetition, c4, fineweb.
  /// `counter` is scratch space a worker reuses from document to document.
  func firstFailure(_ text: UnsafeRawBufferPointer, counter: GramCounter) -> RuleFailure? {
    let profile = TextProfile(text)
    for family in families {
      let failure: RuleFailure?
      switch family {
      case .gopherQuality: failure = QualityRules.gopherQuality(profile, thresholds)
      case .gopherRepetition: failure = QualityRules.gopherRepetition(profile, thresholds, counter: counter)
      case .c4: failure = QualityRules.c4(profile, thresholds)
      case .fineweb: failure = QualityRules.fineWeb(profile, thresholds)
      }
      if let failure { return failure }
    }
    return nil
  }

  public func firstFailure(_ text: UnsafeRawBufferPointer) -> RuleFailure? {
    firstFailure(text, counter: GramCounter())
  }
}
