import Foundation
import HatcheryCore

/// GNU licences (GPL, LGPL, AGPL, GFDL) named in notices: the family, its version, and
/// whether "or any later version" follows.
extension LicenseDetector {
  func gnuFamilies(_ tokens: WordTokens, bytes: UnsafeRawBufferPointer?) -> [LicenseFinding] {
    var findings = FindingList()
    var position = 0
    let gnu = Self.gnuWord
    while position < tokens.count && !findings.isFull {
      // Every family's name starts with "gnu": one comparison per word.
      guard tokens.hashes[position] == gnu,
        let family = Self.families.first(where: { matches($0.name, tokens, at: position) })
      else {
        position += 1
        continue
      }
      let nameEnd = position + family.name.count
      // "GNU GPL: means the GNU General Public License version 2 or any later version": a licence
      // text defining the licences it cites (CeCILL's; the Eclipse licence's "Secondary License"
      // means either the GNU …), not a grant — the term or its meaning.
      if Self.definitionLeads.contains(where: {
        position >= $0.count && matches($0, tokens, at: position - $0.count)
      }) || nameEnd < tokens.count && tokens.hashes[nameEnd] == Self.definitionLeads[0][0] {
        position = nameEnd
        continue
      }
      // "the complete text of the GNU GPL version 2 can be found in ...": a pointer to the
      // licence document. It names the version but not whether later ones apply, so it is
      // reported with less confidence and gives way to an -or-later grant (see `deduplicated`).
      var pointer = Self.documentReferences.contains {
        position >= $0.count && matches($0, tokens, at: position - $0.count)
      }
      var cursor = nameEnd
      var version: String?
      // The version within sixteen words: "version 2", "version 2.1", "v. 3", "v3.0", or a bare
      // number right after the name ("GNU GPL 2"). A link's URL after the name ("[GNU General
      // Public License](https://www.gnu.org/licenses/gpl-3.0.html) as published by …") is not
      // among them.
      var limit = min(cursor + 16, tokens.count)
      while cursor < limit {
        if cursor > position, Self.noticeEnds(after: cursor - 1, tokens, bytes: bytes) { break }
        if let bytes, let urlEnd = Self.urlEnd(tokens, at: cursor, bytes) {
          let first = cursor
          while cursor < tokens.count && tokens.starts[cursor] < urlEnd { cursor += 1 }
          limit = min(limit + cursor - first, tokens.count)
          continue
        }
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
      // "version 2 of the GNU General Public License", "version 2.1 of the GNU Lesser …": the
      // version before the name.
      if version == nil, position >= 4, matches(Self.ofThe, tokens, at: position - 2) {
        var start = position - 4
        var key: String?
        if tokens.hashes[start] == Self.versionWord, let major = Self.numbers[tokens.hashes[position - 3]] {
          key = major
        } else if position >= 5, tokens.hashes[position - 5] == Self.versionWord,
          let major = Self.numbers[tokens.hashes[position - 4]], let minor = Self.numbers[tokens.hashes[position - 3]]
        {
          start = position - 5
          key = minor == "0" ? major : major + " " + minor
        }
        if let key, let found = family.versions[key] {
          version = found
          cursor = nameEnd
          // "the complete text of version 1 of the GNU General Public License": a pointer too.
          pointer = Self.documentReferences.contains {
            start >= $0.count && matches($0, tokens, at: start - $0.count)
          }
        }
      }
      guard let version, !citesSection(tokens, start: position, end: cursor) else {
        position = version == nil ? position + family.name.count : cursor
        continue
      }
      // "GNU General Public License v3.0+": the "+" after the version is "or later", as in the
      // short forms below.
      let plus =
        cursor > nameEnd
        && bytes.map { tokens.ends[cursor - 1] < $0.count && $0[tokens.ends[cursor - 1]] == 0x2B } ?? false
      let later = !pointer && (plus || laterFollows(tokens, from: cursor, words: 40, bytes: bytes))
      let invariants = family.id == "GFDL" && !pointer ? gfdlInvariants(tokens, from: cursor) : ""
      let spdx = "\(family.id)-\(version)\(invariants)-\(later ? "or-later" : "only")"
      let end = max(cursor - 1, position)
      findings.append(
        LicenseFinding(
          spdx: list.entry(spdx)?.id ?? spdx, method: .notice, confidence: pointer ? Self.pointerConfidence : 0.9,
          start: tokens.starts[position], end: tokens.ends[end]))
      position = cursor
    }
    return findings.items
  }

  /// Whether "or (at your option) any later version" follows a version within `words` words, in
  /// the same notice: not past a comment's end or a blank line, where the words are code's or
  /// another paragraph's ("// 128 or later belong to non us-ascii character set").
  func laterFollows(_ tokens: WordTokens, from cursor: Int, words: Int, bytes: UnsafeRawBufferPointer?) -> Bool {
    var limit = min(cursor + words, tokens.count)
    for index in max(cursor - 1, 0)..<limit where Self.noticeEnds(after: index, tokens, bytes: bytes) {
      limit = index + 1
      break
    }
    return Self.laterPhrases.contains { find($0, tokens, from: cursor, limit: limit) != nil }
  }

  /// The byte after a URL whose scheme is the word at `position` ("https://…"), up to the first
  /// blank, quote, bracket or parenthesis closing it; nil when no URL starts there.
  static func urlEnd(_ tokens: WordTokens, at position: Int, _ bytes: UnsafeRawBufferPointer) -> Int? {
    let hash = tokens.hashes[position]
    guard hash == httpWord || hash == httpsWord else { return nil }
    var index = tokens.ends[position]
    guard index + 3 <= bytes.count, bytes[index] == 0x3A, bytes[index + 1] == 0x2F, bytes[index + 2] == 0x2F else {
      return nil
    }
    let limit = min(bytes.count, index + 300)
    while index < limit {
      switch bytes[index] {
      case 0x20, 0x09, 0x0A, 0x0D, 0x22, 0x27, 0x29, 0x3E, 0x5D: return index
      default: index += 1
      }
    }
    return index
  }
  static let httpWord = WordTokens.hash("http"), httpsWord = WordTokens.hash("https")

  /// SPDX names the GFDL granted "with no Invariant Sections, no Front-Cover Texts, and no
  /// Back-Cover Texts" apart (`-no-invariants-`, Debian's GFDL-NIV); a grant that lists cover
  /// texts or sections ("with the Front-Cover Texts being …") is not that licence, and one that
  /// says nothing of them stays the plain id. Read in the grant's sentence after its version.
  func gfdlInvariants(_ tokens: WordTokens, from cursor: Int) -> String {
    guard find(Self.noInvariantSections, tokens, from: cursor, limit: cursor + 40) != nil else { return "" }
    let listed = Self.sectionsListed.contains { find($0, tokens, from: cursor, limit: cursor + 48) != nil }
    return listed ? "" : "-no-invariants"
  }
  static let noInvariantSections = NoticeRule.phrase("no invariant sections")
  static let sectionsListed = ["cover texts being", "cover text being", "invariant sections being"].map(
    NoticeRule.phrase)

  /// GNU licences by abbreviation: "GPLv2", "GPL v3", "GPL-2", "LGPLv2.1", "LGPL version 3".
  /// Looked up for every word, so in open-addressing tables (see WordTable).
  static let abbreviationList: [(word: String, id: String, major: String)] = [
    ("gplv1", "GPL", "1"), ("gplv2", "GPL", "2"), ("gplv3", "GPL", "3"), ("gpl2", "GPL", "2"), ("gpl3", "GPL", "3"),
    ("lgplv2", "LGPL", "2"), ("lgplv3", "LGPL", "3"), ("lgpl2", "LGPL", "2"), ("lgpl3", "LGPL", "3"),
    ("agplv3", "AGPL", "3"), ("agpl3", "AGPL", "3"),
  ]
  static let shortNameList = [("gpl", "GPL"), ("lgpl", "LGPL"), ("agpl", "AGPL")]
  static let afferoWord = WordTokens.hash("affero")
  static let abbreviations = WordTable(
    abbreviationList.map { (WordTokens.hash($0.word), (id: $0.id, major: $0.major)) })
  static let shortNames = WordTable(shortNameList.map { (WordTokens.hash($0.0), $0.1) })
  static let shortVersions: [String: [String: String]] = [
    "GPL": ["1": "1.0", "2": "2.0", "3": "3.0"], "LGPL": ["2": "2.0", "2 1": "2.1", "3": "3.0"], "AGPL": ["3": "3.0"],
  ]
  /// A GNU licence named with no version, as the object of a grant, and the first version that
  /// name covers: the Library GPL became the Lesser GPL with version 2.1, so "the GNU Lesser General
  /// Public License" with no version is 2.1 or later.
  static let unversionedNames: [(words: [UInt64], id: String, first: String)] = [
    ("gnu general public license", "GPL", "1.0"), ("gnu public license", "GPL", "1.0"), ("gnu gpl", "GPL", "1.0"),
    ("gpl", "GPL", "1.0"), ("gnu lesser general public license", "LGPL", "2.1"),
    ("gnu library general public license", "LGPL", "2.0"), ("lgpl", "LGPL", "2.0"),
  ].map { (NoticeRule.phrase($0.0), $0.1, $0.2) }
  /// Whether the word at `position` is inside an SPDX-License-Identifier tag (the tag rules read
  /// those, "+" and all).
  func inTag(_ tokens: WordTokens, at position: Int) -> Bool {
    find(Self.tagWords, tokens, from: max(0, position - 12), limit: position) != nil
  }
  static let tagWords = NoticeRule.phrase("spdx license identifier")
  static let compatibleWords: Set<UInt64> = [WordTokens.hash("compatible"), WordTokens.hash("compatibility")]
  static let sectionWord = WordTokens.hash("section")
  static let ofWord = WordTokens.hash("of")
  static let theWord = WordTokens.hash("the")
  static let insteadWord = WordTokens.hash("instead")
  static let definitionLeads = [NoticeRule.phrase("means the"), NoticeRule.phrase("means either the")]

  /// Whether the licence named from `start` (its version ending before `end`) is a section of it
  /// cited, not granted: "Additional permission under GNU GPL version 3 section 7" (the GPL's own
  /// form for an exception), "Under Section 7 of GPL version 3, you are granted …".
  func citesSection(_ tokens: WordTokens, start: Int, end: Int) -> Bool {
    let hashes = tokens.hashes
    if end + 1 < tokens.count, hashes[end] == Self.sectionWord, Self.numbers[hashes[end + 1]] != nil { return true }
    var before = start
    if before >= 1, hashes[before - 1] == Self.theWord { before -= 1 }
    return before >= 3 && hashes[before - 1] == Self.ofWord && Self.numbers[hashes[before - 2]] != nil
      && hashes[before - 3] == Self.sectionWord
  }

  /// "common-licenses/GPL-2", "gnu.org/licenses/gpl-2.0.html": a file name, not a grant (the
  /// pointer rules read those).
  static let pathWords: Set<UInt64> = [WordTokens.hash("licenses"), WordTokens.hash("licences")]
  static let grantEndings = [
    "under the terms of the", "under the terms of", "under the", "under", "covered by the", "covered by",
    // A choice of licences ("under the terms of either: the GNU General Public License …; or the
    // Artistic License"), each granted.
    "under the terms of either the", "under either the",
  ].map(NoticeRule.phrase)
  /// The second licence of a choice ("either the Artistic License or the GNU General Public
  /// License"): "license or the" right before it and "either" a few words before that; without
  /// "either" it is as often a licence named in passing ("a free licence? … the CC-BY licence or
  /// the LGPL").
  static let choiceEnding = NoticeRule.phrase("license or the")
  static let eitherWord = WordTokens.hash("either")
  static let choiceReach = 8
  /// "… WITHOUT ANY WARRANTY … See the GNU General Public License for more details": the
  /// disclaimer of a GNU notice, left where the grant above it was cut (a file given an SPDX tag
  /// in its place). It names the family, not always rightly (LGPL notices say "See the GNU
  /// General Public License"), so it counts only in a text that names no GNU licence otherwise.
  static let disclaimerEnding = NoticeRule.phrase("see the")
  /// The words a short form or an unversioned name starts with.
  static let shortFormTriggers = WordTable(
    (abbreviationList.map { WordTokens.hash($0.word) } + shortNameList.map { WordTokens.hash($0.0) }
      + unversionedNames.map { $0.words[0] }).map { ($0, true) })
  static let kernelCopying = NoticeRule.phrase("copying in the main directory of this archive")
  /// Whether the word at `start..<end` is joined to another by "_" (`is_gpl`, `lgpl_2_1`).
  static func inIdentifier(start: Int, end: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
    (start > 0 && bytes[start - 1] == 0x5F) || (end < bytes.count && bytes[end] == 0x5F)
  }
  /// The GNU families a grant names without a version; such a grant lets the recipient choose any
  /// version ever published under that name (GPL-2 section 9, GPL-3 section 14), hence each
  /// unversioned name's first version, or later.
  static let grantedFamilies: Set<String> = ["GPL", "LGPL", "AGPL"]

  /// GNU licences the full names do not give: abbreviations with their version ("GPLv2", "LGPL
  /// 2.1 or later"), and grants of one with no version ("licensed under the GPL"), read as the
  /// first version or later — only when the document names no version of that licence anywhere,
  /// since "see the GNU General Public License for more details" follows most versioned grants.
  func gnuShortForms(
    _ tokens: WordTokens, bytes: UnsafeRawBufferPointer?, named: [LicenseFinding]
  ) -> [LicenseFinding] {
    var findings = FindingList()
    var unversioned: [(id: String, first: String, start: Int, end: Int)] = []
    var disclaimers: [(id: String, first: String, start: Int, end: Int)] = []
    let hashes = tokens.hashes
    let triggers = Self.shortFormTriggers
    var position = 0
    while position < tokens.count && !findings.isFull {
      // One lookup per word; the rules below run only at the few words that can start a form.
      guard triggers[hashes[position]] != nil else {
        position += 1
        continue
      }
      var found: (id: String, major: String, next: Int)?
      // A word joined to others by "_" is part of an identifier (`prog->gpl_compatible = is_gpl ?
      // 1 : 0`), not a licence's name.
      if let bytes, Self.inIdentifier(start: tokens.starts[position], end: tokens.ends[position], bytes) {
        position += 1
        continue
      }
      if let abbreviation = Self.abbreviations[hashes[position]] {
        found = (abbreviation.id, abbreviation.major, position + 1)
      } else if let id = Self.shortNames[hashes[position]], position + 1 < tokens.count,
        position == 0 || !Self.pathWords.contains(hashes[position - 1]), !inTag(tokens, at: position),
        !inModuleMacro(tokens, at: position, bytes)
      {
        var cursor = position + 1
        if hashes[cursor] == Self.versionWord || hashes[cursor] == Self.vWord { cursor += 1 }
        // The version is in the same notice: not the number after a comment's end or a blank
        // line (`MODULE_LICENSE("GPL");` then a comment listing "1 Basic, 2 …").
        if cursor < tokens.count,
          !(position..<cursor).contains(where: { Self.noticeEnds(after: $0, tokens, bytes: bytes) }),
          let major = Self.vNumbers[hashes[cursor]] ?? Self.numbers[hashes[cursor]]
        {
          // "the Affero GPL 3.0" is the AGPL.
          let affero = id == "GPL" && position > 0 && hashes[position - 1] == Self.afferoWord
          found = (affero ? "AGPL" : id, major, cursor + 1)
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
        if let version = Self.shortVersions[id]?[key] ?? Self.shortVersions[id]?[major],
          !citesSection(tokens, start: position, end: cursor)
        {
          let end = tokens.ends[cursor - 1]
          let plus = bytes.map { end < $0.count && $0[end] == 0x2B } ?? false
          let pointer = Self.documentReferences.contains {
            position >= $0.count && matches($0, tokens, at: position - $0.count)
          }
          let later = plus || laterFollows(tokens, from: cursor, words: 8, bytes: bytes)
          let spdx = "\(id)-\(version)-\(later ? "or-later" : "only")"
          findings.append(
            LicenseFinding(
              spdx: list.entry(spdx)?.id ?? spdx, method: .notice, confidence: pointer ? Self.pointerConfidence : 0.7,
              start: tokens.starts[position], end: end))
        }
        position = cursor
        continue
      }
      // "… the GNU General Public License. See the file COPYING in the main directory of this
      // archive": the Linux kernel's own notice (its uapi headers ship everywhere), which leaves
      // the version to the kernel's COPYING — version 2 only.
      if let name = Self.unversionedNames.first(where: { $0.id == "GPL" && matches($0.words, tokens, at: position) }),
        find(Self.kernelCopying, tokens, from: position + name.words.count, limit: position + name.words.count + 8)
          != nil
      {
        findings.append(
          LicenseFinding(
            spdx: "GPL-2.0-only", method: .notice, confidence: 0.7, start: tokens.starts[position],
            end: tokens.ends[position + name.words.count - 1]))
        position += name.words.count
        continue
      }
      let ending = Self.choiceEnding.count
      let granted =
        Self.grantEndings.contains { position >= $0.count && matches($0, tokens, at: position - $0.count) }
        || position >= ending && matches(Self.choiceEnding, tokens, at: position - ending)
          && hashes[max(0, position - ending - Self.choiceReach)..<(position - ending)].contains(Self.eitherWord)
        || bytes.map { licenseTagLeads(tokens, at: position, $0, throughURL: false) } ?? false
      let disclaimer = !granted && position >= 2 && matches(Self.disclaimerEnding, tokens, at: position - 2)
      if granted || disclaimer,
        let name = Self.unversionedNames.first(where: { matches($0.words, tokens, at: position) })
      {
        let end = tokens.ends[position + name.words.count - 1]
        // "under GNU GPL version 3 section 7": a versioned name, cited (see `citesSection`).
        let after = position + name.words.count
        // "(Some other Free Software Foundation software is covered by the GNU Library General
        // Public License instead.)": another work's licence, set against this one's.
        let cited =
          after + 2 < tokens.count && tokens.hashes[after] == Self.versionWord
          && Self.numbers[tokens.hashes[after + 1]] != nil && citesSection(tokens, start: position, end: after + 2)
          || after < tokens.count && tokens.hashes[after] == Self.insteadWord
        if !cited && granted {
          unversioned.append((name.id, name.first, tokens.starts[position], end))
        } else if !cited {
          disclaimers.append((name.id, name.first, tokens.starts[position], end))
        }
        position += name.words.count
        continue
      }
      position += 1
    }
    let versioned = Set((named + findings.items).map { Self.family(of: $0.spdx) })
    if versioned.isDisjoint(with: Self.grantedFamilies) && unversioned.isEmpty {
      unversioned = Array(disclaimers.prefix(1))
    }
    for grant in unversioned where !versioned.contains(grant.id) && !findings.isFull {
      let spdx = "\(grant.id)-\(grant.first)-or-later"
      findings.append(
        LicenseFinding(
          spdx: list.entry(spdx)?.id ?? spdx, method: .notice, confidence: 0.7, start: grant.start, end: grant.end))
    }
    return findings.items
  }
}
