import Foundation
import HatcheryCore

/// Finds licence evidence in a text: SPDX tags, notices and grants, and full licence texts.
/// Every method is one pass over the text's words (or lines, for tags), so the time is linear in
/// the text, and the findings of one text are capped.
public final class LicenseDetector: Sendable {
  public static let maximumFindings = 64
  /// Full-text matches below this word-bigram similarity are not reported.
  public static let textThreshold = 0.8
  /// Tags, grants and licence texts are at least this confident; licences named in passing,
  /// abbreviations, macros, pointers and bare mentions less (see `TagStage`).
  public static let decisiveConfidence = 0.8

  let list: SPDXLicenseList
  let references: [ReferenceText]
  /// Every reference bigram → where its holders lie in `holders`, so a text is compared with all
  /// references in one pass over its own bigrams. A holder is a reference and a slot, its bigram's
  /// number among all references' (`slotCount` of them); plain integers, so a lookup neither
  /// allocates nor retains.
  let referenceIndex: WordTable<(start: Int32, count: Int32)>
  let holders: [(reference: Int32, slot: Int32)]
  let slotCount: Int
  let largestReference: Int
  let rulesByFirstWord: WordTable<[NoticeRule]>
  /// For each reference, the notices of other licence families its own text gives, and how many
  /// times (GPL-3's section 13 names the Affero GPL; the LGPL names the GPL it builds on).
  let selfNotices: [[String: Int]]
  /// Pairs of references (by index) where one holds at least `textThreshold` of the other's
  /// bigrams: a text matching two such versions of one licence is one of them (LGPL-2.0 and 2.1,
  /// GFDL-1.2 and 1.3).
  let overlapping: [[Bool]]
  /// The first words of listed licence ids written with a hyphen ("bsd" of BSD-Source-Code, "mit"
  /// of MIT-0), where `writtenID` looks for one (see `namedLicences`).
  let writtenIDStarts: WordTable<Bool>

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

  init(list: SPDXLicenseList, references: [ReferenceText], selfNotices: [[String: Int]]) {
    self.list = list
    self.selfNotices = selfNotices
    writtenIDStarts = WordTable(
      list.ids.filter { Self.readsWrittenID($0) && list.entry($0)?.isException == false }.map {
        (WordTokens.hash(String($0.lowercased().prefix { $0.isLetter || $0.isNumber })), true)
      })
    self.references = references
    var index: [UInt64: [(reference: Int, index: Int)]] = [:]
    for (number, reference) in references.enumerated() {
      for (position, bigram) in reference.bigrams.enumerated() { index[bigram, default: []].append((number, position)) }
    }
    var shared = [[Int]](repeating: [Int](repeating: 0, count: references.count), count: references.count)
    for holders in index.values where holders.count > 1 {
      for first in holders { for second in holders { shared[first.reference][second.reference] += 1 } }
    }
    overlapping = references.indices.map { first in
      references.indices.map { second in
        first != second
          && [first, second].contains {
            Double(shared[first][second]) >= Self.textThreshold * Double(references[$0].bigrams.count)
          }
      }
    }
    var slotStarts: [Int] = []
    var slotCount = 0
    for reference in references {
      slotStarts.append(slotCount)
      slotCount += reference.bigrams.count
    }
    var flat: [(reference: Int32, slot: Int32)] = []
    referenceIndex = WordTable(
      index.map { bigram, holders in
        let start = Int32(flat.count)
        flat += holders.map { (Int32($0.reference), Int32(slotStarts[$0.reference] + $0.index)) }
        return (bigram, (start, Int32(holders.count)))
      })
    holders = flat
    self.slotCount = slotCount
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
    // The Affero GPL's text is GPL-3's with section 13 rewritten (no reference here): under its
    // title, a match of GPL-3's text is the AGPL's, and so are that section's mentions of "version
    // 3 of the GNU General Public License", up to the end of its terms.
    if findings.contains(where: { $0.spdx.hasPrefix("AGPL-3.0") }),
      let title = find(NoticeRule.agplTitle, tokens, from: 0, limit: tokens.count)
    {
      texts.removeAll { $0.spdx.hasPrefix("GPL-3.0") }
      let termsEnd = find(NoticeRule.termsEnd, tokens, from: title, limit: tokens.count).map { tokens.starts[$0] }
      let span = tokens.starts[title]..<(termsEnd ?? tokens.starts[title] + NoticeRule.agplLength)
      findings.removeAll { $0.method == .notice && $0.spdx == "GPL-3.0-only" && span.contains($0.start) }
    }
    readBSDGrants(&findings, texts: &texts)
    findings += texts
    findings = withLLVMException(findings, bytes: bytes)
    if !findings.contains(where: { $0.confidence > Self.pointerConfidence }) { findings += moduleLicenses(bytes) }
    return Self.deduplicated(findings)
  }

  /// The Apache licence the LLVM exception amends is that licence with the exception: a text of
  /// it around the exception (LLVM's LICENSE.TXT) and the findings inside that text, or a notice
  /// shortly before it (within `clauseReach`, as for a BSD variant's clause) in the same paragraph
  /// group — no empty line between them, the break between a copyright file's stanzas. Apache-2.0
  /// elsewhere in the document stays. The exception's own mentions of the GPLv2 are not grants.
  func withLLVMException(_ findings: [LicenseFinding], bytes: UnsafeRawBufferPointer) -> [LicenseFinding] {
    let spans = findings.filter { $0.method == .notice && $0.spdx == NoticeRule.llvmException }.map {
      $0.start..<$0.end
    }
    guard !spans.isEmpty else { return findings }
    let amendedTexts = findings.filter { text in
      text.spdx == "Apache-2.0" && spans.contains { (text.start..<text.end).contains($0.lowerBound) }
    }
    return findings.filter { finding in
      if finding.spdx == "Apache-2.0" {
        let inAmendedText = amendedTexts.contains { ($0.start..<$0.end).contains(finding.start) }
        let before = spans.contains { span in
          finding.start <= span.lowerBound && span.lowerBound - finding.start < NoticeRule.clauseReach
            && !Self.holdsEmptyLine(bytes, from: finding.start, to: span.lowerBound)
        }
        return !inAmendedText && !before
      }
      guard finding.method == .notice, Self.family(of: finding.spdx) == "GPL" else { return true }
      return !spans.contains { $0.contains(finding.start) }
    }
  }

  /// Whether a line of only blanks lies within `from..<to`.
  static func holdsEmptyLine(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int) -> Bool {
    var lineBlank = false
    for offset in from..<min(to, bytes.count) {
      switch bytes[offset] {
      case 0x0A:
        if lineBlank { return true }
        lineBlank = true
      case 0x20, 0x09, 0x0D: continue
      default: lineBlank = false
      }
    }
    return false
  }

  /// Which licence each BSD grant is. Licences written on the grant (the Zope Public License,
  /// OpenSSL's, HDF5's) have it under their title, and a variant's clause further on is theirs too
  /// (HDF5's terms end with LBNL's clause on enhancements); LBNL's variant has its own clause after
  /// the grant and its three. Word bigrams cannot tell any of these from the 3-clause reference
  /// (they differ by a clause or a title), so a BSD text match gives way to what the grants' clauses
  /// and titles say.
  func readBSDGrants(_ findings: inout [LicenseFinding], texts: inout [LicenseFinding]) {
    func starts(_ ids: Set<String>) -> [Int] { findings.filter { ids.contains($0.spdx) }.map(\.start) }
    let titles = starts(NoticeRule.writtenOnTheBSDGrant)
    if !titles.isEmpty {
      findings.removeAll { finding in
        finding.method == .notice && NoticeRule.clauseAfterTheBSDGrant.contains(finding.spdx)
          && titles.contains {
            $0 < finding.start && finding.start - $0 < NoticeRule.titleReach + NoticeRule.clauseReach
          }
      }
    }
    let clauses = starts(NoticeRule.clauseAfterTheBSDGrant)
    if !titles.isEmpty || !clauses.isEmpty {
      findings.removeAll { finding in
        finding.method == .notice && NoticeRule.bsdVariants.contains(finding.spdx)
          && (titles.contains { $0 < finding.start && finding.start - $0 < NoticeRule.titleReach }
            || clauses.contains { finding.start < $0 && $0 - finding.start < NoticeRule.clauseReach })
      }
    }
    let readings = Set(
      findings.filter { $0.method == .notice && NoticeRule.bsdGrantReadings.contains($0.spdx) }.map(\.spdx))
    if !readings.isEmpty {
      texts.removeAll { NoticeRule.bsdVariants.contains($0.spdx) && !readings.contains($0.spdx) }
    }
  }

  /// Notices, grants, GNU family names and abbreviations, pointers to common licence files,
  /// Creative Commons. `bytes`, when given, are the text the tokens were read from (a "+" after a
  /// version is not a word, yet says "or later").
  func noticeFindings(_ tokens: WordTokens, bytes: UnsafeRawBufferPointer? = nil) -> [LicenseFinding] {
    var bsdGrantRead = false
    let notices = notices(tokens, bsdGrantRead: &bsdGrantRead)
    // A version named anywhere, in a pointer to the licence's file too, is the version of an
    // unversioned grant of the same licence (see `gnuShortForms`).
    let gnu = gnuFamilies(tokens, bytes: bytes) + commonLicensePointers(tokens)
    let named = namedLicences(tokens, bytes: bytes, bsdGrantRead: bsdGrantRead)
    // A choice read by names spans its options: another rule's reading of one of them there
    // ("the MIT or Apache 2.0 license": "Apache 2.0 license" is a notice too) is that option.
    let choices = named.filter { $0.spdx.contains(" OR ") }
    func offered(_ finding: LicenseFinding) -> Bool {
      choices.contains { choice in
        choice.start <= finding.start && finding.start < choice.end
          && choice.spdx.split(separator: " ").contains(Substring(finding.spdx))
      }
    }
    var findings =
      (notices + gnu + gnuShortForms(tokens, bytes: bytes, named: gnu) + creativeCommons(tokens)
      + creativeCommonsLegalCodes(tokens)).filter { choices.isEmpty || !offered($0) } + named
    guard let bytes else { return findings }
    // A badge's message is read whole, not its words again as the URL's ("license-MIT%2FApache--2.0").
    let badges = badgeLicences(bytes) + licencePageLinks(bytes)
    if !badges.isEmpty {
      findings =
        badges + findings.filter { finding in !badges.contains { $0.start <= finding.start && finding.start < $0.end } }
    }
    let manifests = manifestExpressions(tokens, bytes: bytes)
    guard !manifests.isEmpty else { return findings }
    // A manifest's value is one expression, not its ids read again one by one.
    return manifests
      + findings.filter { finding in !manifests.contains { $0.start <= finding.start && finding.start < $0.end } }
  }

  /// A matched licence text's own mentions of other licences are part of that text, not notices
  /// of the document: a notice of another family is dropped when the document holds it no more
  /// times than the matched texts themselves do (GPL-3's text names the Affero GPL once; a
  /// document that also grants the AGPL says so again).
  func withoutSelfNotices(_ findings: [LicenseFinding], texts: [LicenseFinding]) -> [LicenseFinding] {
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

  /// The end of a tag's marker at `index` ("SPDX-License-Identifier:", in any case), if one starts
  /// there. A misspelling seen in released code reads as the marker too: meson's
  /// `SPDX-License-Identifer: Apache-2.0`.
  static func tagMarkerEnd(_ bytes: UnsafeRawBufferPointer, at index: Int) -> Int? {
    var cursor = index
    func take(_ part: [UInt8]) -> Bool {
      guard cursor + part.count <= bytes.count else { return false }
      for (offset, byte) in part.enumerated() where ASCII.lowercased(bytes[cursor + offset]) != byte { return false }
      cursor += part.count
      return true
    }
    guard take(tagParts[0]) else { return nil }
    _ = take(tagParts[1])
    return take(tagParts[2]) ? cursor : nil
  }
  static let tagParts = ["spdx-license-identif", "i", "er:"].map { Array($0.utf8) }

  func tags(_ bytes: UnsafeRawBufferPointer) -> [LicenseFinding] {
    var findings = FindingList()
    var index = 0
    while index < bytes.count && !findings.isFull {
      // Case-insensitive search for the marker's first byte, then the rest.
      guard bytes[index] | 0x20 == 0x73, let markerEnd = Self.tagMarkerEnd(bytes, at: index) else {
        index += 1
        continue
      }
      let valueStart = markerEnd
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
    return findings.items
  }

  // MARK: Notices

  func matches(_ phrase: [UInt64], _ tokens: WordTokens, at position: Int) -> Bool {
    guard position + phrase.count <= tokens.count else { return false }
    for (offset, word) in phrase.enumerated() where tokens.hashes[position + offset] != word { return false }
    return true
  }

  /// The first position at or after `from`, before `limit`, where `phrase` starts.
  func find(_ phrase: [UInt64], _ tokens: WordTokens, from: Int, limit: Int) -> Int? {
    var position = from
    while position < min(limit, tokens.count) {
      if matches(phrase, tokens, at: position) { return position }
      position += 1
    }
    return nil
  }

  /// The end of the BSD grant's words at `position`: "Redistribution and use in source and binary
  /// forms", or with a few words between ("Redistribution and use of this software in source and
  /// binary forms", assimp's).
  func bsdGrantEnd(_ tokens: WordTokens, at position: Int) -> Int? {
    guard matches(NoticeRule.bsdGrantStart, tokens, at: position) else { return nil }
    let after = position + NoticeRule.bsdGrantStart.count
    return (after...after + 4).first { matches(NoticeRule.bsdGrantForms, tokens, at: $0) }.map {
      $0 + NoticeRule.bsdGrantForms.count
    }
  }

  /// Where the clause on source code every BSD variant has starts, under the grant.
  func sourceClause(_ tokens: WordTokens, from: Int, limit: Int) -> Int? {
    NoticeRule.bsdSourceClause.lazy.compactMap { self.find($0, tokens, from: from, limit: limit) }.first
  }

  /// Whether the MIT grant read up to `from` ends ("… is furnished to do so.") right before the
  /// disclaimer, with no condition: the MIT No Attribution licence.
  func withoutAttribution(_ tokens: WordTokens, from: Int) -> Bool {
    guard let grantEnd = find(NoticeRule.mitGrantEnd, tokens, from: from, limit: from + 60) else { return false }
    return matches(NoticeRule.mitDisclaimer, tokens, at: grantEnd + NoticeRule.mitGrantEnd.count)
  }

  /// The licence a grant read by `rule` (ending before `end`) is, told by what follows it: MIT's
  /// grant straight into its disclaimer is MIT No Attribution; the ISC grant straight into its
  /// disclaimer, with no condition, is the BSD Zero Clause licence; the ISC grant with its
  /// condition, then the MIT licence's disclaimer, is curl's licence.
  func variant(of rule: NoticeRule, _ tokens: WordTokens, end: Int) -> String {
    switch rule.spdx {
    case "MIT": return withoutAttribution(tokens, from: end) ? "MIT-0" : "MIT"
    case "ISC":
      guard
        let granted = find(NoticeRule.herebyGranted, tokens, from: end - NoticeRule.herebyGranted.count, limit: end + 4)
      else { return "ISC" }
      let after = granted + NoticeRule.herebyGranted.count
      if matches(NoticeRule.iscDisclaimer, tokens, at: after) { return "0BSD" }
      if matches(NoticeRule.iscCondition, tokens, at: after),
        matches(NoticeRule.mitDisclaimer, tokens, at: after + NoticeRule.iscCondition.count)
      {
        return "curl"
      }
      return "ISC"
    default: return rule.spdx
    }
  }

  /// Notices and grants; `bsdGrantRead` is set when the text holds the BSD grant, whether or
  /// not its clauses say a variant.
  func notices(_ tokens: WordTokens, bsdGrantRead: inout Bool) -> [LicenseFinding] {
    var findings = FindingList()
    var position = 0
    while position < tokens.count && !findings.isFull {
      if let formsEnd = bsdGrantEnd(tokens, at: position),
        let permitted = (formsEnd..<min(formsEnd + 12, tokens.count))
          .first(where: { tokens.hashes[$0] == NoticeRule.bsdPermitted })
      {
        let end = permitted + 1
        bsdGrantRead = true
        // The clauses are read up to the next grant, so two BSD texts in a row are told apart.
        let window = find(NoticeRule.bsdGrantStart, tokens, from: end, limit: end + 400) ?? end + 400
        let spdx: String
        // Without the clause on binary forms, a grant of "source and binary forms" may keep only
        // the clause on source code, then the disclaimer (BSD-1-Clause) or the endorsement clause
        // (BSD-Source-Code); other clauses between them make another licence (bzip2's).
        let binaryClause = NoticeRule.bsdBinaryClause.contains { find($0, tokens, from: end, limit: window) != nil }
        let source = sourceClause(tokens, from: end, limit: min(window, end + 40))
        let nextClause = source.map { $0..<min(window, $0 + NoticeRule.bsdClauseWords) }
        if find(NoticeRule.bsdAdvertising, tokens, from: end, limit: window) != nil {
          spdx = "BSD-4-Clause"
        } else if NoticeRule.bsdEndorsement.contains(where: { find($0, tokens, from: end, limit: window) != nil }) {
          let endorsementNext = nextClause.map { next in
            NoticeRule.bsdEndorsement.contains {
              find($0, tokens, from: next.lowerBound, limit: next.upperBound) != nil
            }
          }
          spdx = !binaryClause && endorsementNext == true ? "BSD-Source-Code" : "BSD-3-Clause"
        } else if find(NoticeRule.mitDisclaimer, tokens, from: end, limit: min(window, end + 80)) != nil {
          // The two clauses (~50 words) right under the MIT licence's disclaimer: the OpenIB.org
          // BSD licence. Further on, the disclaimer is another licence's (an MIT text after it).
          spdx = "Linux-OpenIB"
        } else if let nextClause {
          let disclaimerNext =
            find(NoticeRule.bsdDisclaimer, tokens, from: nextClause.lowerBound, limit: nextClause.upperBound) != nil
          spdx = !binaryClause && disclaimerNext ? "BSD-1-Clause" : "BSD-2-Clause"
        } else {
          // A grant with none of the BSD clauses ("are permitted only as authorized by the
          // OpenLDAP Public License", "provided that this entire copyright notice is duplicated"):
          // no BSD licence, and not the bare name's elsewhere either — unless the grant itself
          // names it ("are permitted under the terms of the BSD license"): the bare name's text.
          if let named = find(NoticeRule.bsdNamed, tokens, from: end, limit: end + 6) {
            findings.append(
              LicenseFinding(
                spdx: "BSD-3-Clause", method: .notice, confidence: 0.6, start: tokens.starts[position],
                end: tokens.ends[named + NoticeRule.bsdNamed.count - 1]))
          }
          position = end
          continue
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
            spdx: variant(of: rule, tokens, end: end), method: .notice,
            confidence: rule.confidence, start: tokens.starts[position], end: tokens.ends[end - 1]))
        position = end
        continue
      }
      position += 1
    }
    return findings.items
  }

  /// GNU licences: the name, then a version within a few words, then "or (at your option) any
  /// later version" (or "or later") within the next sentence decides `-or-later` over `-only`.
  static let families: [(name: [UInt64], id: String, versions: [String: String])] = [
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
  static let gnuWord = WordTokens.hash("gnu")
  /// Findings from a pointer to a licence's text (not a grant) carry this confidence.
  static let pointerConfidence = 0.5

  /// Debian's `/usr/share/common-licenses/NAME`: the file names that follow "common licenses".
  static let commonLicenses: [(words: [UInt64], spdx: String)] = [
    ("gpl 1", "GPL-1.0-only"), ("gpl 2", "GPL-2.0-only"), ("gpl 3", "GPL-3.0-only"), ("lgpl 2 1", "LGPL-2.1-only"),
    ("lgpl 2", "LGPL-2.0-only"), ("lgpl 3", "LGPL-3.0-only"), ("gfdl 1 2", "GFDL-1.2-only"),
    ("gfdl 1 3", "GFDL-1.3-only"), ("apache 2 0", "Apache-2.0"), ("artistic", "Artistic-1.0-Perl"),
    ("bsd", "BSD-3-Clause"), ("cc0 1 0", "CC0-1.0"), ("mpl 1 1", "MPL-1.1"), ("mpl 2 0", "MPL-2.0"),
  ].map { (NoticeRule.phrase($0.0), $0.1) }
  static let commonLicensesWords = NoticeRule.phrase("common licenses")

  func commonLicensePointers(_ tokens: WordTokens) -> [LicenseFinding] {
    var findings = FindingList()
    var position = 0
    while let found = find(Self.commonLicensesWords, tokens, from: position, limit: tokens.count),
      !findings.isFull
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
    return findings.items
  }

  static let documentReferences = ["text of the", "text of", "copy of the", "copies of the"].map(
    NoticeRule.phrase)
  static let versionWord = WordTokens.hash("version")
  static let ofThe = NoticeRule.phrase("of the")
  static let vWord = WordTokens.hash("v")
  /// "v1", "v2", "v3" and the GPL's own abbreviations carry their major version.
  static let vNumbers = WordTable((1...3).map { (WordTokens.hash("v\($0)"), String($0)) })
  static let laterPhrases = ["any later version", "or later", "or any later", "or newer"].map(NoticeRule.phrase)
  static let numbers = WordTable((0...9).map { (WordTokens.hash(String($0)), String($0)) })

  /// Whether a comment closes ("*/", "-->") or a blank line falls between word `index` and the
  /// next: the end of a notice, past which its version is not looked for.
  static func noticeEnds(after index: Int, _ tokens: WordTokens, bytes: UnsafeRawBufferPointer?) -> Bool {
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
}
