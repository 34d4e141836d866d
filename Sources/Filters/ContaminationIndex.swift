import Foundation
import HatcheryCore

/// The n-grams of evaluation sets, to find training documents that contain any of them (as
/// GPT-3's contamination analysis did with 13-grams). Texts are compared as words: ASCII letters
/// lower-cased, ASCII punctuation and white space separating words, other bytes kept. Memory
/// grows with the evaluation sets, not with the corpus.
public final class ContaminationIndex: Sendable {
  public let n: Int
  /// n-gram hash → the evaluation item (`file:line`) it first came from.
  private let grams: [UInt64: String]
  public var count: Int { grams.count }

  /// Reads every file: JSONL (`.jsonl`, `.json`: each line's `text` member, else all its string
  /// members) or plain text (each non-blank line is an item).
  public init(files: [String], n: Int = 13) throws {
    self.n = n
    var grams: [UInt64: String] = [:]
    for file in files {
      guard let data = FileManager.default.contents(atPath: file) else {
        throw FilterError.badFile(path: file, reason: "cannot read the evaluation set")
      }
      let isJSON = file.hasSuffix(".jsonl") || file.hasSuffix(".json")
      for (index, line) in String(decoding: data, as: UTF8.self).split(
        separator: "\n", omittingEmptySubsequences: false
      )
      .enumerated()
      where !line.allSatisfy(\.isWhitespace) {
        var item = String(line)
        if isJSON {
          guard let object = (try? JSONParser.parse(item))?.objectValue else {
            throw FilterError.badFile(path: "\(file):\(index + 1)", reason: "not a JSON object")
          }
          item =
            object["text"]?.stringValue ?? object.members.compactMap { $0.value.stringValue }.joined(separator: " ")
        }
        for gram in Self.grams(of: item, n: n) where grams[gram] == nil { grams[gram] = "\(file):\(index + 1)" }
      }
    }
    self.grams = grams
  }

  /// Named items (an evaluation set's documents), each under its own name.
  public init(items: [(name: String, text: [UInt8])], n: Int = 13) {
    self.n = n
    var grams: [UInt64: String] = [:]
    for item in items {
      for gram in item.text.withUnsafeBytes({ Self.grams(of: $0, n: n) }) where grams[gram] == nil {
        grams[gram] = item.name
      }
    }
    self.grams = grams
  }

  /// How many of its distinct n-grams each item is the first to hold, and how many of those are in
  /// `shared`, for the items holding any: which items a contamination comes from.
  public func itemsHolding(_ shared: Set<UInt64>) -> [(item: String, shared: Int, of: Int)] {
    var totals: [String: Int] = [:]
    for item in grams.values { totals[item, default: 0] += 1 }
    var counts: [String: Int] = [:]
    for gram in shared { if let item = grams[gram] { counts[item, default: 0] += 1 } }
    return counts.map { ($0.key, $0.value, totals[$0.key] ?? $0.value) }
  }

  /// Adds to `items` every evaluation item a text shares an n-gram with, and to `shared` those
  /// n-grams.
  public func collectMatches(_ text: UnsafeRawBufferPointer, items: inout Set<String>, shared: inout Set<UInt64>) {
    for gram in Self.grams(of: text, n: n) {
      if let item = grams[gram] {
        items.insert(item)
        shared.insert(gram)
      }
    }
  }

  /// The evaluation item a text shares an n-gram with, if any.
  public func match(_ text: UnsafeRawBufferPointer) -> String? {
    for gram in Self.grams(of: text, n: n) { if let item = grams[gram] { return item } }
    return nil
  }

  static func grams(of text: String, n: Int) -> [UInt64] {
    var text = text
    return text.withUTF8 { grams(of: UnsafeRawBufferPointer($0), n: n) }
  }

  /// Rolling hashes of every n consecutive words.
  static func grams(of text: UnsafeRawBufferPointer, n: Int) -> [UInt64] {
    nGramHashes(words(of: text), n: n)
  }

  /// A key of a text's whole word sequence (the words as the n-grams see them): texts that differ
  /// only in case, punctuation or spacing share it.
  public static func contentKey(_ text: UnsafeRawBufferPointer) -> UInt64 {
    let words = words(of: text)
    return words.isEmpty ? 0 : nGramHashes(words, n: words.count)[0] ^ UInt64(words.count) &* 0x9E37_79B9_7F4A_7C15
  }

  /// The FNV-1a hash of each word.
  static func words(of text: UnsafeRawBufferPointer) -> [UInt64] {
    var words: [UInt64] = []
    var hash = FNV1a()
    var inWord = false
    for index in 0...text.count {
      let byte: UInt8 = index < text.count ? text[index] : 0x20
      // Bytes of UTF-8 sequences are word bytes; ASCII other than letters and digits separates.
      if byte < 0x80 && !ASCII.isAlphanumeric(byte) {
        if inWord { words.append(hash.value) }
        hash = FNV1a()
        inWord = false
      } else {
        hash.add(ASCII.lowercased(byte))
        inWord = true
      }
    }
    return words
  }
}
