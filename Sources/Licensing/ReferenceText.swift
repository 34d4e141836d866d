import Foundation

/// A licence's reference text, held as its set of word bigrams (askalono's representation).
struct ReferenceText: Sendable {
  let spdx: String
  /// The distinct bigrams of the text.
  let bigrams: [UInt64]

  /// Debian's names in /usr/share/common-licenses; other files are named by SPDX id (with or
  /// without `.txt`, as in SPDX's license-list-data `text/`).
  static let debianNames: [String: String] = [
    "Apache-2.0": "Apache-2.0", "Artistic": "Artistic-1.0-Perl", "BSD": "BSD-3-Clause", "CC0-1.0": "CC0-1.0",
    "GFDL-1.2": "GFDL-1.2-only", "GFDL-1.3": "GFDL-1.3-only", "GPL-1": "GPL-1.0-only", "GPL-2": "GPL-2.0-only",
    "GPL-3": "GPL-3.0-only", "LGPL-2": "LGPL-2.0-only", "LGPL-2.1": "LGPL-2.1-only", "LGPL-3": "LGPL-3.0-only",
    "MPL-1.1": "MPL-1.1", "MPL-2.0": "MPL-2.0",
  ]

  /// The references of a folder, each with its text's words (for the notices the text itself
  /// holds; see LicenseDetector).
  static func load(folder: String, list: SPDXLicenseList) -> [(reference: ReferenceText, tokens: WordTokens)] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return [] }
    var seen = Set<String>()
    var references: [(reference: ReferenceText, tokens: WordTokens)] = []
    let files = Set(names)
    for name in names.sorted() {
      // Debian's unversioned names are links to the current version (GPL -> GPL-3, LGPL ->
      // LGPL-3, GFDL -> GFDL-1.3): read under the target's name, not as the name's first version
      // ("GPL" is GPL-1.0-or-later to the SPDX list).
      if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + name),
        files.contains((target as NSString).lastPathComponent)
      {
        continue
      }
      let base = name.hasSuffix(".txt") ? String(name.dropLast(4)) : name
      guard let spdx = debianNames[base] ?? list.entry(base).map(\.id), seen.insert(spdx).inserted,
        let data = FileManager.default.contents(atPath: folder + "/" + name)
      else { continue }
      let tokens = data.withUnsafeBytes { WordTokens($0) }
      guard tokens.count >= 20 else { continue }
      references.append((ReferenceText(spdx: spdx, bigrams: Array(bigrams(tokens.hashes))), tokens))
    }
    return references
  }

  static func bigrams(_ words: [UInt64]) -> Set<UInt64> {
    var set = Set<UInt64>(minimumCapacity: words.count)
    for index in 1..<max(words.count, 1) { set.insert(bigram(words[index - 1], words[index])) }
    return set
  }

  /// How many distinct bigrams `words` holds, counted in an open-addressing set of its own: the
  /// bigrams are well mixed already, and Swift's Set would hash each again.
  static func distinctBigramCount(_ words: [UInt64]) -> Int {
    guard words.count >= 2 else { return 0 }
    var capacity = 16
    while capacity < 2 * words.count { capacity *= 2 }
    let mask = capacity - 1
    var table = [UInt64](repeating: 0, count: capacity)
    var count = 0
    var sawZero = false
    table.withUnsafeMutableBufferPointer { table in
      for index in 1..<words.count {
        let key = bigram(words[index - 1], words[index])
        // 0 marks an empty slot, so the bigram 0 is counted apart.
        if key == 0 {
          if !sawZero {
            sawZero = true
            count += 1
          }
          continue
        }
        var slot = Int(truncatingIfNeeded: key ^ key >> 29) & mask
        while table[slot] != 0 && table[slot] != key { slot = (slot + 1) & mask }
        if table[slot] == 0 {
          table[slot] = key
          count += 1
        }
      }
    }
    return count
  }

  @inline(__always)
  static func bigram(_ first: UInt64, _ second: UInt64) -> UInt64 { first &* 0x9E37_79B9_7F4A_7C15 ^ second }
}
