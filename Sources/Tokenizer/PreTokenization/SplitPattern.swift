/// The pre-tokenization patterns Hatchery implements exactly, by a scanner rather than a regex
/// engine. The regex text is what goes into tokenizer.json's `Split` pre-tokenizer, and what a
/// loaded tokenizer.json must contain.
public enum SplitPattern: String, Sendable, CaseIterable {
  /// cl100k (GPT-4): contractions, letters with one leading non-letter, numbers in groups of at
  /// most three, punctuation runs with their trailing newlines, newline-ending whitespace.
  case gpt4
  /// GPT-2: contractions, and letters, numbers or punctuation each with one optional leading
  /// space.
  case gpt2

  public var regex: String {
    switch self {
    case .gpt4:
      #"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]++[\r\n]*|\s*[\r\n]|\s+(?!\S)|\s+"#
    case .gpt2:
      #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#
    }
  }

  /// The pattern whose regex text is `regex`, if Hatchery implements it.
  public init?(regex: String) {
    guard let pattern = Self.allCases.first(where: { $0.regex == regex }) else { return nil }
    self = pattern
  }
}
