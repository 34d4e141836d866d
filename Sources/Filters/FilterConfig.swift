import Classifiers
import Foundation
import HatcheryCore
import HatcheryYAML
import Yams

/// What `hatchery filter` applies, read from YAML:
///
///     languages: [en, de]                                       # keep these (shipped model unless language_model)
///     language_threshold: 0.5
///     rules: [gopher_quality, gopher_repetition, c4, fineweb]   # the default: all four
///     thresholds:                                               # any of them; the rest keep their defaults
///       minimum_words: 50
///       top_2_gram: 0.2
///     url_blocklist: {domains: [domains.txt], substrings: [patterns.txt]}
///     decontamination: {sets: [eval.jsonl], n: 13, action: drop}
///     pii: {allow: [gnu.org]}                                   # or pii: true
///     classifiers:                                              # fastText models (.bin, .ftz)
///       - {name: quality, model: quality.bin, label: __label__hq, threshold: 0.5, action: drop}
///       - {name: edu, model: edu.bin, label: __label__hq, keep_top_fraction: 0.1}
///     language_classifier: lid                                  # a classifier naming languages
///
/// Unknown keys are errors with their line and column.
public struct FilterConfig: Sendable {
  public enum RuleFamily: String, Sendable, CaseIterable {
    case gopherQuality = "gopher_quality"
    case gopherRepetition = "gopher_repetition"
    case c4
    case fineweb
  }

  public var families: [RuleFamily] = RuleFamily.allCases
  public var thresholds = QualityThresholds()
  /// Evaluation sets whose n-grams mark a document as contaminated.
  public var contamination: ContaminationIndex?
  /// Contaminated documents are dropped, or only flagged (a `keep` decision whose reason says so).
  public var flagContamination = false
  public var urlBlocklist = URLBlocklist()
  /// Languages to keep (ISO 639-1 codes); empty: no language filter.
  public var languages: [String] = []
  /// A document is kept only when its language is identified with at least this confidence.
  public var languageThreshold = 0.5
  /// The model for `languages`; nil: the model shipped with Hatchery.
  public var languageModel: LanguageModel?
  /// How much of a document language identification reads.
  public static let languageSampleBytes = 4 << 10
  /// fastText classifiers: each scores every document (recorded per part), and drops those
  /// below its threshold unless its action is `score`.
  public var classifiers: [ClassifierFilter] = []
  /// The classifier whose best label (without `__label__`) is a document's language for
  /// `languages`, in place of the shipped model.
  public var languageClassifier: String?
  /// PII redaction: when set, every part gets a `redacted` version with e-mail addresses, IP
  /// addresses and phone numbers replaced by placeholders.
  public var piiRedactor: PIIRedactor?
  /// The contents of every file the configuration names, for the stage's configuration hash.
  var fileDigests: [String] = []

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
    "minimum_line_punctuation_ratio": \.minimumLinePunctuationRatio,
    "maximum_short_line_ratio": \.maximumShortLineRatio,
    "maximum_character_duplicate_ratio": \.maximumCharacterDuplicateRatio,
    "maximum_new_line_word_ratio": \.maximumNewLineWordRatio,
  ]

  public static func load(path: String) throws -> FilterConfig {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw FilterError.badFile(path: path, reason: "cannot read the filter configuration")
    }
    let folder = (path as NSString).deletingLastPathComponent
    return try parse(String(decoding: data, as: UTF8.self), file: path, relativeTo: folder.isEmpty ? "." : folder)
  }

  /// File names in the configuration are relative to `folder` (the configuration's own).
  public static func parse(_ yaml: String, file: String = "filter", relativeTo folder: String = ".") throws
    -> FilterConfig
  {
    let root = try YAMLFile.compose(yaml, file: file)
    var config = FilterConfig()
    guard let root else { return config }
    guard let mapping = root.mapping else {
      throw FilterError.badConfiguration(place: file, reason: "the filter configuration is a mapping")
    }
    func place(_ node: Node) -> String { "\(file):\(node.mark.map { "\($0.line):\($0.column)" } ?? "?")" }
    for (key, value) in mapping {
      switch key.string ?? "" {
      case "rules":
        guard let items = value.sequence else {
          throw FilterError.badConfiguration(place: place(value), reason: "expected a list of rule families")
        }
        config.families = try items.map { item in
          guard let family = item.string.flatMap(RuleFamily.init(rawValue:)) else {
            throw FilterError.badConfiguration(
              place: place(item),
              reason: "unknown rule family; expected \(RuleFamily.allCases.map(\.rawValue).joined(separator: ", "))"
            )
          }
          return family
        }
      case "bad_words":
        for path in try paths(value, place: place(value), folder: folder) {
          guard let data = FileManager.default.contents(atPath: path) else {
            throw FilterError.badFile(path: path, reason: "cannot read")
          }
          config.thresholds.badWords.formUnion(
            String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).map {
              $0.trimmingCharacters(in: .whitespaces).lowercased()
            }.filter { !$0.isEmpty })
        }
      case "thresholds":
        guard let thresholds = value.mapping else {
          throw FilterError.badConfiguration(place: place(value), reason: "expected a mapping of thresholds")
        }
        for (name, number) in thresholds {
          try set(name.string ?? "", number, in: &config.thresholds, place: place(name))
        }
      case "languages":
        guard let items = value.sequence else {
          throw FilterError.badConfiguration(place: place(value), reason: "expected a list of language codes")
        }
        config.languages = try items.map { item in
          guard let code = item.string, !code.isEmpty else {
            throw FilterError.badConfiguration(place: place(item), reason: "expected a language code")
          }
          return code
        }
      case "language_threshold":
        guard let threshold = value.float, (0...1).contains(threshold) else {
          throw FilterError.badConfiguration(place: place(value), reason: "language_threshold is a number from 0 to 1")
        }
        config.languageThreshold = threshold
      case "language_model":
        guard let path = try paths(value, place: place(value), folder: folder).first else {
          throw FilterError.badConfiguration(place: place(value), reason: "expected a model file")
        }
        config.languageModel = try LanguageModel.load(path: path)
        config.fileDigests.append(try digest(path))
      case "pii":
        if let enabled = value.bool {
          config.piiRedactor = enabled ? PIIRedactor() : nil
          continue
        }
        guard let settings = value.mapping else {
          throw FilterError.badConfiguration(place: place(value), reason: "pii is true, false or {allow: [...]}")
        }
        var allowed: [String] = []
        for (setting, item) in settings {
          guard setting.string == "allow", let items = item.sequence else {
            throw FilterError.badConfiguration(
              place: place(setting), reason: "pii takes `allow`, a list of e-mail domains and addresses")
          }
          allowed = try items.map { entry in
            guard let text = entry.string else {
              throw FilterError.badConfiguration(place: place(entry), reason: "expected a domain or an address")
            }
            return text
          }
        }
        config.piiRedactor = PIIRedactor(allowed: Set(allowed))
        config.fileDigests.append("pii:" + allowed.sorted().joined(separator: ","))
      case "decontamination":
        guard let settings = value.mapping else {
          throw FilterError.badConfiguration(place: place(value), reason: "expected sets, n and action")
        }
        var sets: [String] = []
        var n = 13
        for (setting, item) in settings {
          switch setting.string ?? "" {
          case "sets": sets = try paths(item, place: place(item), folder: folder)
          case "n":
            guard let value = item.int, value >= 1 else {
              throw FilterError.badConfiguration(place: place(item), reason: "n is a positive whole number")
            }
            n = value
          case "action":
            guard let action = item.string, ["drop", "flag"].contains(action) else {
              throw FilterError.badConfiguration(place: place(item), reason: "action is drop or flag")
            }
            config.flagContamination = action == "flag"
          default:
            throw FilterError.badConfiguration(
              place: place(setting), reason: "unknown key '\(setting.string ?? "?")' (expected sets, n, action)")
          }
        }
        config.contamination = try ContaminationIndex(files: sets, n: n)
        config.fileDigests += try sets.map(digest)
      case "classifiers":
        guard let items = value.sequence else {
          throw FilterError.badConfiguration(
            place: place(value),
            reason: "expected a list of classifiers (name, model, label, threshold or keep_top_fraction, action)"
          )
        }
        for item in items {
          let classifier = try ClassifierFilter.parse(item, place: place, folder: folder)
          guard !config.classifiers.contains(where: { $0.name == classifier.name }) else {
            throw FilterError.badConfiguration(
              place: place(item), reason: "a second classifier named '\(classifier.name)'")
          }
          config.classifiers.append(classifier)
          config.fileDigests.append(classifier.fingerprint + ":" + (try digest(classifier.path)))
        }
      case "language_classifier":
        guard let name = value.string, !name.isEmpty else {
          throw FilterError.badConfiguration(place: place(value), reason: "expected the name of a classifier")
        }
        config.languageClassifier = name
      case "url_blocklist":
        guard let settings = value.mapping else {
          throw FilterError.badConfiguration(place: place(value), reason: "expected domains and substrings")
        }
        var domains: [String] = []
        var substrings: [String] = []
        for (setting, item) in settings {
          switch setting.string ?? "" {
          case "domains": domains = try paths(item, place: place(item), folder: folder)
          case "substrings": substrings = try paths(item, place: place(item), folder: folder)
          default:
            throw FilterError.badConfiguration(
              place: place(setting), reason: "unknown key '\(setting.string ?? "?")' (expected domains, substrings)")
          }
        }
        config.urlBlocklist = try URLBlocklist(domainFiles: domains, substringFiles: substrings)
        config.fileDigests += try (domains + substrings).map(digest)
      default:
        throw FilterError.badConfiguration(
          place: place(key),
          reason: "unknown key '\(key.string ?? "?")' (expected languages, language_threshold, language_model, "
            + "rules, thresholds, bad_words, url_blocklist, decontamination, pii, classifiers, language_classifier)")
      }
    }
    if let name = config.languageClassifier {
      guard config.classifiers.contains(where: { $0.name == name }) else {
        throw FilterError.badConfiguration(
          place: file,
          reason:
            "language_classifier '\(name)' is not one of the classifiers (\(config.classifiers.map(\.name).joined(separator: ", ")))"
        )
      }
      guard !config.languages.isEmpty else {
        throw FilterError.badConfiguration(
          place: file, reason: "language_classifier needs `languages`, the languages to keep")
      }
    }
    return config
  }

  private static func paths(_ node: Node, place: String, folder: String) throws -> [String] {
    let items = node.sequence ?? [node]
    return try items.map { item in
      guard let path = item.string else {
        throw FilterError.badConfiguration(place: place, reason: "expected file names")
      }
      return path.hasPrefix("/") ? path : folder + "/" + path
    }
  }

  private static func digest(_ path: String) throws -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw FilterError.badFile(path: path, reason: "cannot read")
    }
    return data.withUnsafeBytes { SHA256Hasher.hash($0).hex }
  }

  private static func set(_ name: String, _ node: Node, in thresholds: inout QualityThresholds, place: String) throws {
    if let path = integerThresholds[name] {
      guard let value = node.int else {
        throw FilterError.badConfiguration(place: place, reason: "'\(name)' takes a whole number")
      }
      thresholds[keyPath: path] = value
    } else if let path = realThresholds[name] {
      guard let value = node.float else {
        throw FilterError.badConfiguration(place: place, reason: "'\(name)' takes a number")
      }
      thresholds[keyPath: path] = value
    } else if name.hasPrefix("top_"), name.hasSuffix("_gram"), let n = Int(name.dropFirst(4).dropLast(5)) {
      guard n >= 1 else {
        throw FilterError.badConfiguration(place: place, reason: "'\(name)': n-grams have at least one word")
      }
      guard let value = node.float else {
        throw FilterError.badConfiguration(place: place, reason: "'\(name)' takes a number")
      }
      thresholds.topNGramCharacterFractions[n] = value
    } else if name.hasPrefix("duplicated_"), name.hasSuffix("_n_grams"), let n = Int(name.dropFirst(11).dropLast(8)) {
      guard n >= 1 else {
        throw FilterError.badConfiguration(place: place, reason: "'\(name)': n-grams have at least one word")
      }
      guard let value = node.float else {
        throw FilterError.badConfiguration(place: place, reason: "'\(name)' takes a number")
      }
      thresholds.duplicateNGramCharacterFractions[n] = value
    } else {
      throw FilterError.badConfiguration(place: place, reason: "unknown threshold '\(name)'")
    }
  }

  /// The first rule `text` fails, in the order gopher_quality, gopher_repetition, c4, fineweb.
  /// `counter` is scratch space a worker reuses from document to document.
  func firstFailure(_ text: UnsafeRawBufferPointer, counter: GramCounter) -> RuleFailure? {
    if let item = contamination?.match(text) {
      return RuleFailure(rule: "contamination", value: 1, detail: item, flagOnly: flagContamination)
    }
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

  /// A document's verdict — its URL (from its metadata or its input record) against the
  /// block-lists, its language, the classifiers with a threshold, then the quality rules —: the
  /// first rule it fails, if any. `scores` gets every classifier's score of it (`predictors`:
  /// one per classifier, this thread's).
  func verdict(_ document: Document, counter: GramCounter, predictors: [FastTextPredictor] = [], scores: inout [Float])
    -> RuleFailure?
  {
    var text = document.text
    var best: (index: Int, probability: Float)?
    text.withUTF8 { bytes in
      let raw = UnsafeRawBufferPointer(bytes)
      for (index, classifier) in classifiers.enumerated() {
        if classifier.name == languageClassifier {
          (scores[index], best) = predictors[index].probability(of: classifier.labelIndex, withBestIn: raw)
        } else {
          scores[index] = predictors[index].probability(of: classifier.labelIndex, in: raw)
        }
      }
    }
    if !urlBlocklist.isEmpty,
      let url = document.metadata["url"]?.stringValue
        ?? document.metadata["original"]?.objectValue?["url"]?.stringValue,
      let entry = urlBlocklist.block(url)
    {
      return RuleFailure(rule: "url_blocklist", value: 1, detail: entry)
    }
    if let name = languageClassifier, let index = classifiers.firstIndex(where: { $0.name == name }) {
      // A fastText language identifier (lid.176's labels are __label__en …): its best label.
      let language =
        best.map { String(classifiers[index].model.labels[$0.index].dropFirst("__label__".count)) } ?? "unknown"
      let confidence = Double(best?.probability ?? 0)
      if !languages.contains(language) || confidence < languageThreshold {
        return RuleFailure(rule: "language", value: confidence, detail: language)
      }
    } else if let model = languageModel, !languages.isEmpty {
      let guess = text.withUTF8 { bytes in
        // The middle 4 KiB tell a long document's language — away from headers and licence
        // boilerplate at either end, which are often in English whatever the text; more only
        // costs time (stage with languages: whole documents 28 MB/s, 8 KiB 55, 4 KiB 62; on the
        // benchmark's 3,771 English documents 8 KiB misread 13, 4 KiB 15, all tables and lists).
        let raw = UnsafeRawBufferPointer(bytes)
        var start = max(0, (raw.count - Self.languageSampleBytes) / 2)
        var end = min(raw.count, start + Self.languageSampleBytes)
        while start > 0 && raw[start] & 0xC0 == 0x80 { start -= 1 }
        while end < raw.count && raw[end] & 0xC0 == 0x80 { end -= 1 }
        return model.identify(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
      }
      if let guess, !languages.contains(guess.language) || guess.confidence < languageThreshold {
        return RuleFailure(rule: "language", value: guess.confidence, detail: guess.language)
      }
    }
    for (index, classifier) in classifiers.enumerated()
    where classifier.action == .drop && classifier.keepTopFraction == nil && scores[index] < classifier.threshold {
      return RuleFailure(
        rule: classifier.rule, value: Double(scores[index]), detail: "\(classifier.label) below \(classifier.threshold)"
      )
    }
    return text.withUTF8 { firstFailure(UnsafeRawBufferPointer($0), counter: counter) }
  }
}
