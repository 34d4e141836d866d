import Foundation
import HatcheryCore

/// Language identification by naive Bayes over hashed byte n-grams (1 to 4 bytes of the text
/// lower-cased in ASCII, with a space at each end), in the manner of langid.py's byte n-gram
/// features, trained by `hatchery filter train-langid`.
///
/// Each language's log-probabilities live in a table of 2^bucketBits hashed features, stored as
/// one byte per entry (0.1 nat steps below the language's largest value), so the shipped model
/// for 24 languages is 24 × 16,384 bytes. Digits, ASCII punctuation and control characters are
/// read as spaces.
///
/// File format (little-endian): "HTCHLID1", version (u32) = 1, bucket bits (u32), language count
/// (u32), each language as a length-prefixed (u8) code, then per language its floor (f32, the
/// log-probability of an unseen feature) and ceiling (f32), then the tables, language by language.
public struct LanguageModel: Sendable {
  public static let magic = Array("HTCHLID1".utf8)
  public static let version: UInt32 = 1
  public static let step: Float = 0.1
  /// n-grams holding a letter of a script past Latin (Greek, Cyrillic, kana, Hangul, CJK ...)
  /// weigh this much more when a text is scored: in technical text most n-grams are Latin and
  /// shared by many languages (commands, options, embedded English), while a few Hangul or kana
  /// n-grams settle the question. Chosen on half of the manual-page benchmark
  /// (Benchmarks/langid.sh) from 1, 3, 6, 10; reported on the other half. (Weighting every
  /// non-ASCII n-gram scored higher there but confused Spanish with Portuguese.)
  public static let nonLatinWeight: Float = 6

  public let languages: [String]
  public let bucketBits: Int
  /// languages.count × 2^bucketBits quantised log-probabilities, language-major (the file's order).
  private let table: [UInt8]
  /// The same, bucket-major: one feature's values for every language are adjacent, so scoring a
  /// feature touches one cache line and the additions vectorise (the language-major order made
  /// identification 81% of a filter run with languages: 8 MB/s).
  private let byBucket: [UInt8]
  private let ceilings: [Float]

  public struct Guess: Sendable, Equatable {
    public let language: String
    /// The posterior of the best language, with the others, under equal priors.
    public let confidence: Double
  }

  // MARK: Features

  /// Calls `body` with the bucket of every byte n-gram (n = 1...4) of `text`.
  @inline(__always)
  static func forEachFeature(_ text: UnsafeRawBufferPointer, bucketBits: Int, _ body: (Int, Bool) -> Void) {
    let mask = (1 << bucketBits) - 1
    var window: UInt32 = 0x20  // a leading space
    var filled = 1
    func emit() {
      for n in 1...min(filled, 4) {
        let gram = window & (n == 4 ? 0xFFFF_FFFF : (1 << (8 * n)) - 1)
        var hash = UInt64(gram) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        hash ^= hash >> 29
        body(Int(truncatingIfNeeded: hash) & mask, Self.hasNonLatinLead(gram, bytes: n))
      }
    }
    for index in 0...text.count {
      var byte: UInt8 = index < text.count ? text[index] : 0x20
      byte = ASCII.lowercased(byte)
      // Digits, ASCII punctuation and control characters say nothing of the language (and
      // command-line options and numbers are the same in every manual): they count as spaces.
      if byte < 0x41 || (byte > 0x5A && byte < 0x61) || (byte > 0x7A && byte < 0x80) { byte = 0x20 }
      // Runs of white space count as one space.
      if byte == 0x20 && window & 0xFF == 0x20 { continue }
      window = window << 8 | UInt32(byte)
      filled += 1
      emit()
    }
  }

  /// Whether an n-gram holds a UTF-8 lead byte of a script past Latin (0xCE: Greek, then
  /// Cyrillic, Hebrew, Arabic, the Indic scripts, kana, Hangul, CJK ...).
  @inline(__always)
  static func hasNonLatinLead(_ gram: UInt32, bytes: Int) -> Bool {
    for index in 0..<bytes
    where (gram >> (8 * UInt32(index))) & 0xFF >= 0xCE && (gram >> (8 * UInt32(index))) & 0xC0 == 0xC0 {
      return true
    }
    return false
  }

  // MARK: Training

  /// Trains on labelled texts: (language code, text) pairs; add-one smoothing.
  public static func train(_ samples: [(language: String, text: String)], bucketBits: Int = 14) -> LanguageModel {
    let languages = Array(Set(samples.map(\.language))).sorted()
    let size = 1 << bucketBits
    var counts = [[Double]](repeating: [Double](repeating: 0, count: size), count: languages.count)
    for (language, text) in samples {
      let row = languages.firstIndex(of: language)!
      var text = text
      text.withUTF8 { bytes in
        forEachFeature(UnsafeRawBufferPointer(bytes), bucketBits: bucketBits) { bucket, _ in counts[row][bucket] += 1 }
      }
    }
    var table: [UInt8] = []
    var ceilings: [Float] = []
    table.reserveCapacity(languages.count * size)
    for row in counts {
      let total = row.reduce(0, +) + Double(size)
      let logs = row.map { Float(log(($0 + 1) / total)) }
      let ceiling = logs.max() ?? 0
      ceilings.append(ceiling)
      table += logs.map { UInt8(clamping: Int(((ceiling - $0) / step).rounded())) }
    }
    return LanguageModel(languages: languages, bucketBits: bucketBits, table: table, ceilings: ceilings)
  }

  private init(languages: [String], bucketBits: Int, table: [UInt8], ceilings: [Float]) {
    self.languages = languages
    self.bucketBits = bucketBits
    self.table = table
    self.ceilings = ceilings
    let size = 1 << bucketBits
    var byBucket = [UInt8](repeating: 0, count: table.count)
    for language in languages.indices {
      for bucket in 0..<size { byBucket[bucket * languages.count + language] = table[language * size + bucket] }
    }
    self.byBucket = byBucket
  }

  // MARK: Use

  /// The most likely language of `text`, nil for a text with no bytes.
  public func identify(_ text: UnsafeRawBufferPointer) -> Guess? {
    guard !text.isEmpty else { return nil }
    let count = languages.count
    // Integer sums of the quantised values, kept apart for Latin and non-Latin features so the
    // weight is applied once at the end.
    var latin = [UInt32](repeating: 0, count: count)
    var nonLatin = [UInt32](repeating: 0, count: count)
    var latinFeatures = 0
    var nonLatinFeatures = 0
    byBucket.withUnsafeBufferPointer { table in
      latin.withUnsafeMutableBufferPointer { latin in
        nonLatin.withUnsafeMutableBufferPointer { nonLatin in
          Self.forEachFeature(text, bucketBits: bucketBits) { bucket, isNonLatin in
            let row = bucket &* count
            if isNonLatin {
              nonLatinFeatures &+= 1
              for language in 0..<count { nonLatin[language] &+= UInt32(table[row &+ language]) }
            } else {
              latinFeatures &+= 1
              for language in 0..<count { latin[language] &+= UInt32(table[row &+ language]) }
            }
          }
        }
      }
    }
    let weights = Float(latinFeatures) + Self.nonLatinWeight * Float(nonLatinFeatures)
    var scores = [Float](repeating: 0, count: count)
    for language in 0..<count {
      let steps = Float(latin[language]) + Self.nonLatinWeight * Float(nonLatin[language])
      scores[language] = -steps * Self.step + weights * ceilings[language]
    }
    let best = scores.indices.max { scores[$0] < scores[$1] }!
    // Posterior under equal priors, computed stably from the differences.
    let total = scores.reduce(Double(0)) { $0 + exp(Double($1 - scores[best])) }
    return Guess(language: languages[best], confidence: 1 / total)
  }

  public func identify(_ text: String) -> Guess? {
    var text = text
    return text.withUTF8 { identify(UnsafeRawBufferPointer($0)) }
  }

  // MARK: Files

  public func serialized() -> [UInt8] {
    var bytes = Self.magic
    func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    append(Self.version)
    append(UInt32(bucketBits))
    append(UInt32(languages.count))
    for language in languages {
      bytes.append(UInt8(language.utf8.count))
      bytes += language.utf8
    }
    for ceiling in ceilings { append(ceiling.bitPattern) }
    return bytes + table
  }

  public init(serialized bytes: [UInt8], name: String) throws {
    func corrupt(_ why: String) -> FilterError {
      FilterError.badFile(path: name, reason: "not a language model (\(why))")
    }
    guard bytes.count >= 20, Array(bytes[0..<8]) == Self.magic else { throw corrupt("bad magic number") }
    var offset = 8
    func word() throws -> UInt32 {
      guard offset + 4 <= bytes.count else { throw corrupt("truncated") }
      defer { offset += 4 }
      return bytes[offset..<offset + 4].enumerated().reduce(0) { $0 | UInt32($1.element) << (8 * $1.offset) }
    }
    guard try word() == Self.version else { throw corrupt("unknown version") }
    let bits = Int(try word())
    let count = Int(try word())
    guard (8...24).contains(bits), (1...1000).contains(count) else { throw corrupt("bad sizes") }
    var languages: [String] = []
    for _ in 0..<count {
      guard offset < bytes.count else { throw corrupt("truncated") }
      let length = Int(bytes[offset])
      guard offset + 1 + length <= bytes.count else { throw corrupt("truncated") }
      languages.append(String(decoding: bytes[offset + 1..<offset + 1 + length], as: UTF8.self))
      offset += 1 + length
    }
    var ceilings: [Float] = []
    for _ in 0..<count { ceilings.append(Float(bitPattern: try word())) }
    guard bytes.count - offset == count << bits else { throw corrupt("table size does not match") }
    self.init(languages: languages, bucketBits: bits, table: Array(bytes[offset...]), ceilings: ceilings)
  }

  public static func load(path: String) throws -> LanguageModel {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw FilterError.badFile(path: path, reason: "cannot read the language model")
    }
    return try LanguageModel(serialized: Array(data), name: path)
  }
}
