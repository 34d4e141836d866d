/// The thresholds of the quality rules. Defaults are the published values, as datatrove
/// implements them: Gopher (Rae et al. 2021, MassiveText quality and repetition filters), C4
/// (Raffel et al. 2020) and FineWeb (Penedo et al. 2024).
public struct QualityThresholds: Sendable, Equatable {
  // Gopher quality
  public var minimumWords = 50
  public var maximumWords = 100_000
  public var minimumMeanWordLength = 3.0
  public var maximumMeanWordLength = 10.0
  public var maximumSymbolWordRatio = 0.1
  public var maximumBulletLineRatio = 0.9
  public var maximumEllipsisLineRatio = 0.3
  public var minimumAlphabeticWordRatio = 0.8
  public var minimumStopWords = 2
  // Gopher repetition
  public var maximumDuplicateLineFraction = 0.3
  public var maximumDuplicateParagraphFraction = 0.3
  public var maximumDuplicateLineCharacterFraction = 0.2
  public var maximumDuplicateParagraphCharacterFraction = 0.2
  /// n → the largest share of characters the most frequent n-gram may cover.
  public var topNGramCharacterFractions: [Int: Double] = [2: 0.2, 3: 0.18, 4: 0.16]
  /// n → the largest share of characters in repeated n-grams.
  public var duplicateNGramCharacterFractions: [Int: Double] = [5: 0.15, 6: 0.14, 7: 0.13, 8: 0.12, 9: 0.11, 10: 0.10]
  // C4
  public var minimumSentences = 5
  public var minimumWordsPerLine = 3
  public var maximumWordLength = 1000
  /// C4 drops a document holding any of these words (lower case); C4 used the "List of Dirty,
  /// Naughty, Obscene, and Otherwise Bad Words", which is not shipped: give a file of your own.
  public var badWords: Set<String> = []
  // FineWeb
  public var minimumLinePunctuationRatio = 0.12
  public var maximumShortLineRatio = 0.67
  public var shortLineLength = 30
  public var maximumCharacterDuplicateRatio = 0.01
  public var maximumNewLineWordRatio = 0.3

  public init() {}

  /// Every threshold in a fixed order, for the stage's configuration hash (a Dictionary's own
  /// description changes order from process to process).
  var canonical: String {
    let scalars: [Any] = [
      minimumWords, maximumWords, minimumMeanWordLength, maximumMeanWordLength, maximumSymbolWordRatio,
      maximumBulletLineRatio, maximumEllipsisLineRatio, minimumAlphabeticWordRatio, minimumStopWords,
      maximumDuplicateLineFraction, maximumDuplicateParagraphFraction, maximumDuplicateLineCharacterFraction,
      maximumDuplicateParagraphCharacterFraction, minimumSentences, minimumWordsPerLine, maximumWordLength,
      minimumLinePunctuationRatio, maximumShortLineRatio, shortLineLength, maximumCharacterDuplicateRatio,
      maximumNewLineWordRatio,
    ]
    let grams = [topNGramCharacterFractions, duplicateNGramCharacterFractions].map { fractions in
      fractions.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")
    }
    return (scalars.map { "\($0)" } + grams + [badWords.sorted().joined(separator: ",")]).joined(separator: ";")
  }
}
