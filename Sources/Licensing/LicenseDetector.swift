import Foundation
import HatcheryCore

/// Finds licence evidence in a text: SPDX tags, notices and grants, and full licence texts.
/// Every method is one pass over the text's words (or lines, for tags), so the time is linear in
/// the text, and the findings of one text are capped.
public final class LicenseDetector: Sendable {
  public static let maximumFindings = 64
  /// Full-text matches below this word-bigram similarity are not reported.
  public static let textThreshold = 0.8

  private let list: SPDXLicenseList
  private let references: [ReferenceText]
  /// Every reference bigram → the references holding it and its index there, so a text is
  /// compared with all references in one pass over its own bigrams.
  private let referenceIndex: WordTable<[(reference: Int, index: Int)]>
  private let largestReference: Int
  private let rulesByFirstWord: WordTable<[NoticeRule]>
  /// For each reference, the notices of other licence families its own text gives, and how many
  /// times (GPL-3's section 13 names the Affero GPL; the LGPL names the GPL it builds on).
  private let selfNotices: [[String: Int]]

  /// Loads reference licence texts from `referenceFolders` (files named by SPDX id, or by
  /// Debian's names in /usr/share/common-licenses); folders that do not exist are skipped.
  public convenience init(
    referenceFolders: [String] = LicenseDetector.defaultReferenceFolders, list: SPDXLicenseList = .shared
  ) {
    let loaded = referenceFolders.flatMap { ReferenceText.load(folder: $0, list: list) }
    let plain = LicenseDetector(list: list, references: [], selfNotices: [])
    let selfNotices = loaded.map { entry in
      plain.noticeFindings(entry.tokens).filter { Self.family(of: $0.spdx) != Self.family(of: entry.reference.spdx) }
        .reduce(into: [String: Int]()) { $0[$1.spdx, default: 0] += 1 }
    }
    self.init(list: list, references: loaded.map(\.reference), selfNotices: selfNotices)
  }

  private init(list: SPDXLicenseList, references: [ReferenceText], selfNotices: [[String: Int]]) {
    self.list = list
    self.selfNotices = selfNotices
    self.references = references
    var index: [UInt64: [(reference: Int, index: Int)]] = [:]
    for (number, reference) in references.enumerated() {
      for (position, bigram) in reference.bigrams.enumerated() { index[bigram, default: []].append((number, position)) }
    }
    referenceIndex = WordTable(index.map { ($0.key, $0.value) })
    largestReference = references.map(\.bigrams.count).max() ?? 0
    rulesByFirstWord = WordTable(Dictionary(grouping: NoticeRule.all, by: { $0.words[0] }).map { ($0.key, $0.value) })
  }

  public static let defaultReferenceFolders = ["/usr/share/common-licenses"]

  /// The SPDX ids of the loaded reference texts.
  public var referenceIDs: [String] { references.map(\.spdx) }

  public func detect(_ text: String) -> [LicenseFinding] {
    var text = text
    return text.withUTF8 { detect(UnsafeRawBufferPointer($0)) }
  }

  public func detect(_ bytes: UnsafeRawBufferPointer) -> [LicenseFinding] {
    var findings = tags(bytes)
    let tokens = WordTokens(bytes)
    findings += noticeFindings(tokens, bytes: bytes)
    var texts = texts(tokens)
    if !texts.isEmpty { findings = withoutSelfNotices(findings, texts: texts) }
    // Word bigrams cannot tell BSD variants apart (they differ by one clause, and the reference
    // is the 3-clause text); the clauses read after the document's own grant say which it is.
    let clauseReadings = Set(
      findings.filter { $0.method == .notice && NoticeRule.bsdVariants.contains($0.spdx) }.map(\.spdx))
    if !clauseReadings.isEmpty {
      texts.removeAll { NoticeRule.bsdVariants.contains($0.spdx) && !clauseReadings.contains($0.spdx) }
    }
    findings += texts
    return Self.deduplicated(findings)
  }

  /// Notices, grants, GNU family names and abbreviations, pointers to common licence files,
  /// Creative Commons. `bytes`, when given, are the text the tokens were read from (a "+" after a
  /// version is not a word, yet says "or later").
  private func noticeFindings(_ tokens: WordTokens, bytes: UnsafeRawBufferPointer? = nil) -> [LicenseFinding] {
    let gnu = gnuFamilies(tokens, bytes: bytes)
    return notices(tokens) + gnu + gnuShortForms(tokens, bytes: bytes, named: gnu) + commonLicensePointers(tokens)
      + creativeCommons(tokens)
  }

  /// A matched licence text's own mentions of other licences are part of that text, not notices
  /// of the document: a notice of another family is dropped when the document holds it no more
  /// times than the matched texts themselves do (GPL-3's text names the Affero GPL once; a
  /// document that also grants the AGPL says so again).
  private func withoutSelfNotices(_ findings: [LicenseFinding], texts: [LicenseFinding]) -> [LicenseFinding] {
    var allowed: [String: Int] = [:]
    for text in texts {
      guard let index = references.firstIndex(where: { $0.spdx == text.spdx }) else { continue }
      for (id, count) in selfNotices[index] { allowed[id, default: 0] += count }
    }
    guard !allowed.isEmpty else { return findings }
    var counts: [String: Int] = [:]
    for finding in findings where finding.method == .notice { counts[finding.spdx, default: 0] += 1 }
    return findings.filter { finding in
      guard finding.method == .notice, let own = allowed[finding.spdx] else { return true }
      return counts[finding.spdx, default: 0] > own
    }
  }

  // MARK: Metadata

  /// Metadata keys that carry licence statements, looked up in the document's metadata, in the
  /// input record it came from (`original`) and in that record's own `metadata`.
  public static let metadataKeys = ["license", "licence", "license_url", "license_hints", "rights", "copyright"]

  /// Findings from licence fields of a document's metadata: an SPDX expression as it is, any
  /// other value (a Creative Commons URL, a rights sentence) read by the notice rules. Offsets
  /// are 0: the evidence is not in the text.
  public func detect(metadata: JSONObject) -> [LicenseFinding] {
    var objects = [metadata]
    if let original = metadata["original"]?.objectValue {
      objects.append(original)
      if let inner = original["metadata"]?.objectValue { objects.append(inner) }
    }
    var values: [String] = []
    for object in objects {
      for key in Self.metadataKeys {
        switch object[key] {
        case .string(let value): values.append(value)
        case .array(let items): values += items.compactMap(\.stringValue)
        default: continue
        }
      }
    }
    var findings: [LicenseFinding] = []
    for value in values.prefix(Self.maximumFindings) where value.utf8.count <= SPDXExpression.maximumLength {
      if let expression = try? SPDXExpression.parse(value, list: list) {
        findings.append(
          LicenseFinding(spdx: expression.description, method: .metadata, confidence: 0.9, start: 0, end: 0))
        continue
      }
      for finding in detect(value) {
        findings.append(
          LicenseFinding(spdx: finding.spdx, method: .metadata, confidence: finding.confidence * 0.9, start: 0, end: 0))
      }
    }
    return Self.deduplicated(findings)
  }

  // MARK: SPDX-License-Identifier tags

  private func tags(_ bytes: UnsafeRawBufferPointer) -> [LicenseFinding] {
    let marker = Array("spdx-license-identifier:".utf8)
    var findings: [LicenseFinding] = []
    var index = 0
    while index + marker.count <= bytes.count && findings.count < Self.maximumFindings {
      // Case-insensitive search for the marker's first byte, then the rest.
      guard bytes[index] | 0x20 == marker[0] else {
        index += 1
        continue
      }
      var matches = true
      for offset in 1..<marker.count {
        let byte = bytes[index + offset]
        let lowered = ASCII.lowercased(byte)
        if lowered != marker[offset] {
          matches = false
          break
        }
      }
      guard matches else {
        index += 1
        continue
      }
      let valueStart = index + marker.count
      var valueEnd = valueStart
      while valueEnd < bytes.count && bytes[valueEnd] != 0x0A && bytes[valueEnd] != 0x0D
        && valueEnd - valueStart < SPDXExpression.maximumLength
      {
        valueEnd += 1
      }
      var value = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[valueStart..<valueEnd]), as: UTF8.self)
      // Comment closers that often end the line: `*/`, `-->`, `#}`.
      for closer in ["*/", "-->", "#}", "%>"] where value.hasSuffix(closer) { value.removeLast(closer.count) }
      value = value.trimmingCharacters(in: .whitespaces)
      if let expression = try? SPDXExpression.parse(value, list: list) {
        findings.append(
          LicenseFinding(spdx: expression.description, method: .tag, confidence: 1, start: index, end: valueEnd))
      }
      index = valueEnd
    }
    return findings
  }

  // MARK: Notices

  private func matches(_ phrase: [UInt64], _ tokens: WordTokens, at position: Int) -> Bool {
    guard position + phrase.count <= tokens.count else { return false }
    for (offset, word) in phrase.enumerated() where tokens.hashes[position + offset] != word { return false }
    return true
  }

  /// The first position at or after `from`, before `limit`, where `phrase` starts.
  private func find(_ phrase: [UInt64], _ tokens: WordTokens, from: Int, limit: Int) -> Int? {
    var position = from
    while position < min(limit, tokens.count) {
      if matches(phrase, tokens, at: position) { return position }
      position += 1
    }
    return nil
  }

  private func notices(_ tokens: WordTokens) -> [LicenseFinding] {
    var findings: [LicenseFinding] = []
    var position = 0
    while position < tokens.count && findings.count < Self.maximumFindings {
      if matches(NoticeRule.bsdGrant.words, tokens, at: position),
        let permitted =
          (position
          + NoticeRule.bsdGrant.words.count..<min(position + NoticeRule.bsdGrant.words.count + 12, tokens.count))
          .first(where: { tokens.hashes[$0] == NoticeRule.bsdPermitted })
      {
        let end = permitted + 1
        // The clauses are read up to the next grant, so two BSD texts in a row are told apart.
        let window = find(NoticeRule.bsdGrant.words, tokens, from: end, limit: end + 400) ?? end + 400
        let spdx: String
        if find(NoticeRule.bsdAdvertising, tokens, from: end, limit: window) != nil {
          spdx = "BSD-4-Clause"
        } else if NoticeRule.bsdEndorsement.contains(where: { find($0, tokens, from: end, limit: window) != nil }) {
          spdx = "BSD-3-Clause"
        } else if find(NoticeRule.mitDisclaimer, tokens, from: end, limit: min(window, end + 80)) != nil {
          // The two clauses (~50 words) right under the MIT licence's disclaimer: the OpenIB.org
          // BSD licence. Further on, the disclaimer is another licence's (an MIT text after it).
          spdx = "Linux-OpenIB"
        } else {
          spdx = "BSD-2-Clause"
        }
        findings.append(
          LicenseFinding(
            spdx: spdx, method: .notice, confidence: 0.9, start: tokens.starts[position], end: tokens.ends[end - 1]))
        position = end
        continue
      }
      if let rules = rulesByFirstWord[tokens.hashes[position]],
        let rule = rules.first(where: { matches($0.words, tokens, at: position) })
      {
        let end = position + rule.words.count
        findings.append(
          LicenseFinding(
            spdx: rule.spdx, method: .notice, confidence: rule.confidence, start: tokens.starts[position],
            end: tokens.ends[end - 1]))
        position = end
        continue
      }
      position += 1
    }
    return findings
  }

  /// GNU licences: the name, then a version within a few words, then "or (at your option) any
  /// later version" (or "or later") within the next sentence decides `-or-later` over `-only`.
  private static let families: [(name: [UInt64], id: String, versions: [String: String])] = [
    (NoticeRule.phrase("gnu general public license"), "GPL", ["1": "1.0", "2": "2.0", "3": "3.0"]),
    (NoticeRule.phrase("gnu lesser general public license"), "LGPL", ["2 1": "2.1", "3": "3.0", "2": "2.0"]),
    (NoticeRule.phrase("gnu general lesser public license"), "LGPL", ["2 1": "2.1", "3": "3.0", "2": "2.0"]),
    (NoticeRule.phrase("gnu library general public license"), "LGPL", ["2": "2.0"]),
    (NoticeRule.phrase("gnu affero general public license"), "AGPL", ["3": "3.0", "1": "1.0"]),
    (NoticeRule.phrase("gnu free documentation license"), "GFDL", ["1 1": "1.1", "1 2": "1.2", "1 3": "1.3"]),
    (NoticeRule.phrase("gnu gpl"), "GPL", ["1": "1.0", "2": "2.0", "3": "3.0"]),
    (NoticeRule.phrase("gnu public license"), "GPL", ["1": "1.0", "2": "2.0", "3": "3.0"]),
    (NoticeRule.phrase("gnu lgpl"), "LGPL", ["2 1": "2.1", "3": "3.0", "2": "2.0"]),
  ]
  private static let gnuWord = WordTokens.hash("gnu")
  /// Findings from a pointer to a licence's text (not a grant) carry this confidence.
  static let pointerConfidence = 0.5

  /// Debian's `/usr/share/common-licenses/NAME`: the file names that follow "common licenses".
  private static let commonLicenses: [(words: [UInt64], spdx: String)] = [
    ("gpl 1", "GPL-1.0-only"), ("gpl 2", "GPL-2.0-only"), ("gpl 3", "GPL-3.0-only"), ("lgpl 2 1", "LGPL-2.1-only"),
    ("lgpl 2", "LGPL-2.0-only"), ("lgpl 3", "LGPL-3.0-only"), ("gfdl 1 2", "GFDL-1.2-only"),
    ("gfdl 1 3", "GFDL-1.3-only"), ("apache 2 0", "Apache-2.0"), ("artistic", "Artistic-1.0-Perl"),
    ("bsd", "BSD-3-Clause"), ("cc0 1 0", "CC0-1.0"), ("mpl 1 1", "MPL-1.1"), ("mpl 2 0", "MPL-2.0"),
  ].map { (NoticeRule.phrase($0.0), $0.1) }
  private static let commonLicensesWords = NoticeRule.phrase("common licenses")

  private func commonLicensePointers(_ tokens: WordTokens) -> [LicenseFinding] {
    var findings: [LicenseFinding] = []
    var position = 0
    while let found = find(Self.commonLicensesWords, tokens, from: position, limit: tokens.count),
      findings.count < Self.maximumFindings
    {
      let after = found + Self.commonLicensesWords.count
      if let entry = Self.commonLicenses.first(where: { matches($0.words, tokens, at: after) }) {
        findings.append(
          LicenseFinding(
            spdx: entry.spdx, method: .notice, confidence: Self.pointerConfidence, start: tokens.starts[found],
            end: tokens.ends[after + entry.words.count - 1]))
      }
      position = after
    }
    return findings
  }

  private static let documentReferences = ["text of the", "text of", "copy of the", "copies of the"].map(
    NoticeRule.phrase)
  private static let versionWord = WordTokens.hash("version")
  private static let ofThe = NoticeRule.phrase("of the")
  private static let vWord = WordTokens.hash("v")
  /// "v1", "v2", "v3" and the GPL's own abbreviations carry their major version.
  private static let vNumbers = WordTable((1...3).map { (WordTokens.hash("v\($0)"), String($0)) })
  private static let laterPhrases = ["any later version", "or later", "or any later", "or newer"].map(NoticeRule.phrase)
  private static let numbers = WordTable((0...9).map { (WordTokens.hash(String($0)), String($0)) })

  /// Whether a comment closes ("*/", "-->") or a blank line falls between word `index` and the
  /// next: the end of a notice, past which its version is not looked for.
  private static func noticeEnds(after index: Int, _ tokens: WordTokens, bytes: UnsafeRawBufferPointer?) -> Bool {
    guard let bytes, index + 1 < tokens.count else { return false }
    var newlines = 0
    var previous: UInt8 = 0
    for offset in tokens.ends[index]..<tokens.starts[index + 1] {
      let byte = bytes[offset]
      if (previous == 0x2A && byte == 0x2F) || (previous == 0x2D && byte == 0x3E) { return true }
      if byte == 0x0A {
        newlines += 1
        if newlines == 2 { return true }
      }
      previous = byte
    }
    return false
  }

  private func gnuFamilies(_ tokens: WordTokens, bytes: UnsafeRawBufferPointer?) -> [LicenseFinding] {
    var findings: [LicenseFinding] = []
    var position = 0
    let gnu = Self.gnuWord
    while position < tokens.count && findings.count < Self.maximumFindings {
      // Every family's name starts with "gnu": one comparison per word.
      guard tokens.hashes[position] == gnu,
        let family = Self.families.first(where: { matches($0.name, tokens, at: position) })
      else {
        position += 1
        continue
      }
      let nameEnd = position + family.name.count
      // "the complete text of the GNU GPL version 2 can be found in ...": a pointer to the
      // licence document. It names the version but not whether later ones apply, so it is
      // reported with less confidence and gives way to an -or-later grant (see `deduplicated`).
      var pointer = Self.documentReferences.contains {
        position >= $0.count && matches($0, tokens, at: position - $0.count)
      }
      var cursor = nameEnd
      var version: String?
      // The version within sixteen words: "version 2", "version 2.1", "v. 3", "v3.0", or a bare
      // number right after the name ("GNU GPL 2").
      let limit = min(cursor + 16, tokens.count)
      while cursor < limit {
        if cursor > position, Self.noticeEnds(after: cursor - 1, tokens, bytes: bytes) { break }
        let previous = cursor > nameEnd ? tokens.hashes[cursor - 1] : 0
        let announced = previous == Self.versionWord || previous == Self.vWord || cursor - nameEnd < 2
        if let major = Self.vNumbers[tokens.hashes[cursor]] ?? (announced ? Self.numbers[tokens.hashes[cursor]] : nil) {
          var key = major
          if cursor + 1 < tokens.count, let minor = Self.numbers[tokens.hashes[cursor + 1]], minor != "0" {
            key += " " + minor
            cursor += 1
          } else if cursor + 1 < tokens.count, Self.numbers[tokens.hashes[cursor + 1]] == "0" {
            cursor += 1
          }
          version = family.versions[key] ?? family.versions[major]
          cursor += 1
          break
        }
        cursor += 1
      }
      // "version 2 of the GNU General Public License": the version before the name.
      if version == nil, position >= 4, tokens.hashes[position - 4] == Self.versionWord,
        let major = Self.numbers[tokens.hashes[position - 3]], matches(Self.ofThe, tokens, at: position - 2)
      {
        version = family.versions[major]
        cursor = nameEnd
        // "the complete text of version 1 of the GNU General Public License": a pointer too.
        pointer = Self.documentReferences.contains {
          position >= 4 + $0.count && matches($0, tokens, at: position - 4 - $0.count)
        }
      }
      guard let version else {
        position += family.name.count
        continue
      }
      let later = !pointer && Self.laterPhrases.contains { find($0, tokens, from: cursor, limit: cursor + 40) != nil }
      let spdx = "\(family.id)-\(version)-\(later ? "or-later" : "only")"
      let end = max(cursor - 1, position)
      findings.append(
        LicenseFinding(
          spdx: list.entry(spdx)?.id ?? spdx, method: .notice, confidence: pointer ? Self.pointerConfidence : 0.9,
          start: tokens.starts[position], end: tokens.ends[end]))
      position = cursor
    }
    return findings
  }

  /// GNU licences by abbreviation: "GPLv2", "GPL v3", "GPL-2", "LGPLv2.1", "LGPL version 3".
  /// Looked up for every word, so in open-addressing tables (see WordTable).
  private static let abbreviationList: [(word: String, id: String, major: String)] = [
    ("gplv1", "GPL", "1"), ("gplv2", "GPL", "2"), ("gplv3", "GPL", "3"), ("gpl2", "GPL", "2"), ("gpl3", "GPL", "3"),
    ("lgplv2", "LGPL", "2"), ("lgplv3", "LGPL", "3"), ("lgpl2", "LGPL", "2"), ("lgpl3", "LGPL", "3"),
    ("agplv3", "AGPL", "3"), ("agpl3", "AGPL", "3"),
  ]
  private static let shortNameList = [("gpl", "GPL"), ("lgpl", "LGPL"), ("agpl", "AGPL")]
  private static let abbreviations = WordTable(
    abbreviationList.map { (WordTokens.hash($0.word), (id: $0.id, major: $0.major)) })
  private static let shortNames = WordTable(shortNameList.map { (WordTokens.hash($0.0), $0.1) })
  private static let shortVersions: [String: [String: String]] = [
    "GPL": ["1": "1.0", "2": "2.0", "3": "3.0"], "LGPL": ["2": "2.0", "2 1": "2.1", "3": "3.0"], "AGPL": ["3": "3.0"],
  ]
  /// A GNU licence named with no version, as the object of a grant.
  private static let unversionedNames: [(words: [UInt64], id: String)] = [
    ("gnu general public license", "GPL"), ("gnu public license", "GPL"), ("gnu gpl", "GPL"), ("gpl", "GPL"),
    ("gnu lesser general public license", "LGPL"), ("gnu library general public license", "LGPL"), ("lgpl", "LGPL"),
  ].map { (NoticeRule.phrase($0.0), $0.1) }
  /// Whether the word at `position` is inside an SPDX-License-Identifier tag (the tag rules read
  /// those, "+" and all).
  private func inTag(_ tokens: WordTokens, at position: Int) -> Bool {
    find(Self.tagWords, tokens, from: max(0, position - 12), limit: position) != nil
  }
  private static let tagWords = NoticeRule.phrase("spdx license identifier")
  private static let compatibleWords: Set<UInt64> = [WordTokens.hash("compatible"), WordTokens.hash("compatibility")]

  /// "common-licenses/GPL-2", "gnu.org/licenses/gpl-2.0.html": a file name, not a grant (the
  /// pointer rules read those).
  private static let pathWords: Set<UInt64> = [WordTokens.hash("licenses"), WordTokens.hash("licences")]
  private static let grantEndings = ["under the terms of the", "under the"].map(NoticeRule.phrase)
  /// The words a short form or an unversioned name starts with.
  private static let shortFormTriggers = WordTable(
    (abbreviationList.map { WordTokens.hash($0.word) } + shortNameList.map { WordTokens.hash($0.0) }
      + unversionedNames.map { $0.words[0] }).map { ($0, true) })
  /// The first version of each family: a grant of a GNU licence that names none lets the
  /// recipient choose any version ever published (GPL-2 section 9, GPL-3 section 14).
  private static let firstVersions = ["GPL": "1.0", "LGPL": "2.0", "AGPL": "3.0"]

  /// GNU licences the full names do not give: abbreviations with their version ("GPLv2", "LGPL
  /// 2.1 or later"), and grants of one with no version ("licensed under the GPL"), read as the
  /// first version or later — only when the document names no version of that licence anywhere,
  /// since "see the GNU General Public License for more details" follows most versioned grants.
  private func gnuShortForms(
    _ tokens: WordTokens, bytes: UnsafeRawBufferPointer?, named: [LicenseFinding]
  ) -> [LicenseFinding] {
    var findings: [LicenseFinding] = []
    var unversioned: [(id: String, start: Int, end: Int)] = []
    let hashes = tokens.hashes
    let triggers = Self.shortFormTriggers
    var position = 0
    while position < tokens.count && findings.count < Self.maximumFindings {
      // One lookup per word; the rules below run only at the few words that can start a form.
      guard triggers[hashes[position]] != nil else {
        position += 1
        continue
      }
      var found: (id: String, major: String, next: Int)?
      if let abbreviation = Self.abbreviations[hashes[position]] {
        found = (abbreviation.id, abbreviation.major, position + 1)
      } else if let id = Self.shortNames[hashes[position]], position + 1 < tokens.count,
        position == 0 || !Self.pathWords.contains(hashes[position - 1]), !inTag(tokens, at: position)
      {
        var cursor = position + 1
        if hashes[cursor] == Self.versionWord || hashes[cursor] == Self.vWord { cursor += 1 }
        if cursor < tokens.count, let major = Self.vNumbers[hashes[cursor]] ?? Self.numbers[hashes[cursor]] {
          found = (id, major, cursor + 1)
        }
      }
      // "GPL2 compatible", "GPLv3-compatible": a statement about licences, not a grant.
      if let next = found?.next, next < tokens.count, Self.compatibleWords.contains(hashes[next]) { found = nil }
      if let (id, major, next) = found {
        var key = major
        var cursor = next
        if cursor < tokens.count, let minor = Self.numbers[hashes[cursor]] {
          if minor != "0" { key += " " + minor }
          cursor += 1
        }
        if let version = Self.shortVersions[id]?[key] ?? Self.shortVersions[id]?[major] {
          let end = tokens.ends[cursor - 1]
          let plus = bytes.map { end < $0.count && $0[end] == 0x2B } ?? false
          let pointer = Self.documentReferences.contains {
            position >= $0.count && matches($0, tokens, at: position - $0.count)
          }
          let later = plus || Self.laterPhrases.contains { find($0, tokens, from: cursor, limit: cursor + 8) != nil }
          let spdx = "\(id)-\(version)-\(later ? "or-later" : "only")"
          findings.append(
            LicenseFinding(
              spdx: list.entry(spdx)?.id ?? spdx, method: .notice, confidence: pointer ? Self.pointerConfidence : 0.8,
              start: tokens.starts[position], end: end))
        }
        position = cursor
        continue
      }
      if Self.grantEndings.contains(where: { position >= $0.count && matches($0, tokens, at: position - $0.count) }),
        let name = Self.unversionedNames.first(where: { matches($0.words, tokens, at: position) })
      {
        unversioned.append((name.id, tokens.starts[position], tokens.ends[position + name.words.count - 1]))
        position += name.words.count
        continue
      }
      position += 1
    }
    let versioned = Set((named + findings).map { Self.family(of: $0.spdx) })
    for grant in unversioned where !versioned.contains(grant.id) && findings.count < Self.maximumFindings {
      let spdx = "\(grant.id)-\(Self.firstVersions[grant.id] ?? "1.0")-or-later"
      findings.append(
        LicenseFinding(
          spdx: list.entry(spdx)?.id ?? spdx, method: .notice, confidence: 0.7, start: grant.start, end: grant.end))
    }
    return findings
  }

  // MARK: Creative Commons

  /// The words of Creative Commons names and URLs, hashed once.
  private enum CC {
    static let creative = WordTokens.hash("creative"), commons = WordTokens.hash("commons")
    static let attribution = WordTokens.hash("attribution"), noncommercial = WordTokens.hash("noncommercial")
    static let non = WordTokens.hash("non"), commercial = WordTokens.hash("commercial")
    static let sharealike = WordTokens.hash("sharealike"), share = WordTokens.hash("share")
    static let alike = WordTokens.hash("alike"), noderivatives = WordTokens.hash("noderivatives")
    static let noderivs = WordTokens.hash("noderivs"), no = WordTokens.hash("no")
    static let derivatives = WordTokens.hash("derivatives"), derivs = WordTokens.hash("derivs")
    static let creativecommons = WordTokens.hash("creativecommons"), org = WordTokens.hash("org")
    static let licenses = WordTokens.hash("licenses"), by = WordTokens.hash("by"), nc = WordTokens.hash("nc")
    static let sa = WordTokens.hash("sa"), nd = WordTokens.hash("nd"), cc = WordTokens.hash("cc")
    static let international = WordTokens.hash("international"), license = WordTokens.hash("license")
    static let version = WordTokens.hash("version"), v = WordTokens.hash("v")
    static let skipped: Set<UInt64> = [commercial, share, no, license, international, version, v]
  }

  /// "Creative Commons Attribution-NonCommercial-ShareAlike 4.0", "creativecommons.org/licenses/by-sa/3.0",
  /// "CC BY-ND 4.0": the elements named, then the version.
  private func creativeCommons(_ tokens: WordTokens) -> [LicenseFinding] {
    var findings: [LicenseFinding] = []
    var position = 0
    while position < tokens.count && findings.count < Self.maximumFindings {
      var cursor: Int
      let first = tokens.hashes[position]
      if first == CC.creative && matches([CC.creative, CC.commons, CC.attribution], tokens, at: position) {
        cursor = position + 3
      } else if first == CC.creativecommons
        && matches([CC.creativecommons, CC.org, CC.licenses, CC.by], tokens, at: position)
      {
        cursor = position + 4
      } else if first == CC.cc && matches([CC.cc, CC.by], tokens, at: position) {
        cursor = position + 2
      } else {
        position += 1
        continue
      }
      var nonCommercial = false
      var shareAlike = false
      var noDerivatives = false
      var version: String?
      let limit = min(cursor + 10, tokens.count)
      while cursor < limit {
        let hash = tokens.hashes[cursor]
        if hash == CC.noncommercial || hash == CC.nc
          || (hash == CC.non && cursor + 1 < limit && tokens.hashes[cursor + 1] == CC.commercial)
        {
          nonCommercial = true
        } else if hash == CC.sharealike || hash == CC.sa || hash == CC.alike {
          shareAlike = true
        } else if hash == CC.noderivatives || hash == CC.noderivs || hash == CC.nd || hash == CC.derivatives
          || hash == CC.derivs
        {
          noDerivatives = true
        } else if let major = Self.numbers[hash] {
          if cursor + 1 < tokens.count, let minor = Self.numbers[tokens.hashes[cursor + 1]] {
            version = "\(major).\(minor)"
            cursor += 1
          }
          cursor += 1
          break
        } else if !CC.skipped.contains(hash) {
          break
        }
        cursor += 1
      }
      var spdx = "CC-BY"
      if nonCommercial { spdx += "-NC" }
      if shareAlike { spdx += "-SA" } else if noDerivatives { spdx += "-ND" }
      if let version, let entry = list.entry("\(spdx)-\(version)") {
        findings.append(
          LicenseFinding(
            spdx: entry.id, method: .notice, confidence: 0.9, start: tokens.starts[position],
            end: tokens.ends[max(cursor - 1, position)]))
      }
      position = max(cursor, position + 1)
    }
    return findings
  }

  // MARK: Full licence texts

  private func texts(_ tokens: WordTokens) -> [LicenseFinding] {
    guard !references.isEmpty, tokens.count >= 2 else { return [] }
    var seen = references.map { [Bool](repeating: false, count: $0.bigrams.count) }
    var shared = [Int](repeating: 0, count: references.count)
    let hashes = tokens.hashes
    for position in 1..<hashes.count {
      guard let holders = referenceIndex[ReferenceText.bigram(hashes[position - 1], hashes[position])] else { continue }
      for holder in holders where !seen[holder.reference][holder.index] {
        seen[holder.reference][holder.index] = true
        shared[holder.reference] += 1
      }
    }
    // Dice needs the text's distinct bigrams; a text more than four times the largest reference
    // cannot reach the threshold, so its bigram count stands in for them.
    let textBigrams = hashes.count - 1 <= 4 * largestReference ? ReferenceText.bigrams(hashes).count : hashes.count - 1
    var findings: [LicenseFinding] = []
    for (number, reference) in references.enumerated() {
      let shared = shared[number]
      let dice = 2 * Double(shared) / Double(reference.bigrams.count + textBigrams)
      // A licence text inside a longer document (a copyright file, a README) is matched by how
      // much of the reference it contains; a text on its own by Dice over both.
      let contained = Double(shared) / Double(reference.bigrams.count)
      let ratio = max(dice, contained >= 0.95 ? contained : 0)
      if ratio >= Self.textThreshold {
        findings.append(
          LicenseFinding(
            spdx: reference.spdx, method: .text, confidence: (ratio * 1000).rounded() / 1000, start: 0,
            end: tokens.ends.last ?? 0))
      }
    }
    // Several versions of one licence share most of their text: keep the best match per family.
    return findings.sorted { $0.confidence > $1.confidence }.reduce(into: []) { kept, finding in
      let family = Self.family(of: finding.spdx)
      if !kept.contains(where: { Self.family(of: $0.spdx) == family }) { kept.append(finding) }
    }
  }

  static func family(of id: String) -> String {
    String(id.prefix { !$0.isNumber }).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
  }

  // MARK: Reduction

  /// One finding per (SPDX id, method), the most confident, at most `maximumFindings`; a licence text
  /// matched as `-only`, or a pointer to one, gives way to a notice that says `-or-later` for the
  /// same version (the text of a GNU licence does not say which).
  static func deduplicated(_ findings: [LicenseFinding]) -> [LicenseFinding] {
    // The most confident finding of each (id, method), the earliest among equals.
    var best: [String: LicenseFinding] = [:]
    for finding in findings {
      let key = "\(finding.spdx)|\(finding.method.rawValue)"
      if let current = best[key], (current.confidence, -current.start) >= (finding.confidence, -finding.start) {
        continue
      }
      best[key] = finding
    }
    var result = best.values.sorted {
      ($0.start, $0.method.rawValue, $0.spdx) < ($1.start, $1.method.rawValue, $1.spdx)
    }
    let laterNotices = Set(
      result.filter { $0.spdx.hasSuffix("-or-later") }.map { $0.spdx.replacingOccurrences(of: "-or-later", with: "") })
    result.removeAll {
      ($0.method == .text || $0.confidence <= pointerConfidence) && $0.spdx.hasSuffix("-only")
        && laterNotices.contains($0.spdx.replacingOccurrences(of: "-only", with: ""))
    }
    let specificPublicDomain = result.contains { $0.spdx == "Unlicense" || $0.spdx == "CC0-1.0" }
    if specificPublicDomain { result.removeAll { $0.spdx == NoticeRule.publicDomain } }
    return Array(result.prefix(maximumFindings))
  }

  /// The licence expression the findings support: tags win when present (the author's own
  /// statement); otherwise every licence found, joined by AND in order of appearance (a text
  /// that carries several licences is under all of them). nil when nothing was found.
  public static func expression(of findings: [LicenseFinding]) -> String? {
    let tags = findings.filter { $0.method == .tag }
    let chosen = tags.isEmpty ? findings : tags
    var parts: [String] = []
    for finding in chosen.sorted(by: { $0.start < $1.start }) where !parts.contains(finding.spdx) {
      parts.append(finding.spdx)
    }
    guard !parts.isEmpty else { return nil }
    if parts.count == 1 { return parts[0] }
    return parts.map { $0.contains(" ") ? "(\($0))" : $0 }.joined(separator: " AND ")
  }
}
