import Foundation
import HatcheryCore

/// Licences granted by name rather than by their text: "released under the MIT License",
/// "licensed under Apache-2.0", "the 2-clause BSD licence", "a dual BSD/GPLv2 license".
extension LicenseDetector {
  /// Names as they are written (SPDX ids read as words: "BSD-3-Clause" is "bsd 3 clause"). A bare
  /// "BSD" is the 3-clause licence, the one Debian ships as common-licenses/BSD; it is reported
  /// with less confidence, and gives way to the BSD grant when the text holds one (its clauses
  /// say the variant).
  static let licenceNameList: [(name: String, spdx: String, confidence: Double)] = [
    ("mit", "MIT", 0.7), ("mit no attribution", "MIT-0", 0.7), ("expat", "MIT", 0.7), ("mit x11", "MIT", 0.7),
    ("isc", "ISC", 0.7), ("zlib", "Zlib", 0.7),
    ("zlib libpng", "Zlib", 0.7), ("0bsd", "0BSD", 0.7), ("bsd zero clause", "0BSD", 0.7),
    ("zero clause bsd", "0BSD", 0.7), ("unlicense", "Unlicense", 0.7), ("wtfpl", "WTFPL", 0.7),
    ("bsd 2 clause", "BSD-2-Clause", 0.7), ("2 clause bsd", "BSD-2-Clause", 0.7), ("bsd 2", "BSD-2-Clause", 0.7),
    ("simplified bsd", "BSD-2-Clause", 0.7), ("freebsd", "BSD-2-Clause", 0.7),
    ("two clause bsd", "BSD-2-Clause", 0.7), ("bsd two clause", "BSD-2-Clause", 0.7),
    ("bsd 3 clause", "BSD-3-Clause", 0.7), ("3 clause bsd", "BSD-3-Clause", 0.7), ("bsd 3", "BSD-3-Clause", 0.7),
    ("three clause bsd", "BSD-3-Clause", 0.7), ("bsd three clause", "BSD-3-Clause", 0.7),
    ("bsd3", "BSD-3-Clause", 0.7), ("bsd2", "BSD-2-Clause", 0.7),
    ("new bsd", "BSD-3-Clause", 0.7), ("modified bsd", "BSD-3-Clause", 0.7), ("revised bsd", "BSD-3-Clause", 0.7),
    ("bsd 4 clause", "BSD-4-Clause", 0.7), ("4 clause bsd", "BSD-4-Clause", 0.7),
    ("original bsd", "BSD-4-Clause", 0.7), ("openib org bsd", "Linux-OpenIB", 0.7), ("bsd", "BSD-3-Clause", 0.6),
    ("apache 2 0", "Apache-2.0", 0.7), ("apache 2", "Apache-2.0", 0.7), ("apache v2", "Apache-2.0", 0.7),
    ("apache2", "Apache-2.0", 0.7), ("apache2 0", "Apache-2.0", 0.7),
    // With no version, the Apache licence is its current one, 2.0 (2004); the two before it by
    // their numbers.
    ("apache license", "Apache-2.0", 0.6), ("apache license 1 1", "Apache-1.1", 0.7),
    ("apache license version 1 1", "Apache-1.1", 0.7), ("apache software license 1 1", "Apache-1.1", 0.7),
    ("apache 1 1", "Apache-1.1", 0.7), ("apache license 1 0", "Apache-1.0", 0.7),
    ("apache license version 1 0", "Apache-1.0", 0.7), ("apache 1 0", "Apache-1.0", 0.7),
    ("apache license 2 0", "Apache-2.0", 0.7), ("apache license v2", "Apache-2.0", 0.7),
    ("apache software license 2 0", "Apache-2.0", 0.7), ("apache license version 2 0", "Apache-2.0", 0.7),
    ("apache license version 2", "Apache-2.0", 0.7), ("apache software license version 2", "Apache-2.0", 0.7),
    ("apache software license version 2 0", "Apache-2.0", 0.7),
    ("postgresql license", "PostgreSQL", 0.7), ("mpl 2 0", "MPL-2.0", 0.7), ("mpl 2", "MPL-2.0", 0.7),
    ("mplv2", "MPL-2.0", 0.7), ("mpl v2", "MPL-2.0", 0.7),
    ("mozilla public license 2 0", "MPL-2.0", 0.7),
    ("mpl 1 1", "MPL-1.1", 0.7), ("mozilla public license 1 1", "MPL-1.1", 0.7),
    ("epl 1 0", "EPL-1.0", 0.7), ("eclipse public license 1 0", "EPL-1.0", 0.7),
    ("epl 2 0", "EPL-2.0", 0.7), ("eclipse public license 2 0", "EPL-2.0", 0.7),
    ("sil open font license 1 1", "OFL-1.1", 0.7), ("open font license 1 1", "OFL-1.1", 0.7),
    ("sil open font license version 1 1", "OFL-1.1", 0.7), ("open font license version 1 1", "OFL-1.1", 0.7),
    ("ofl 1 1", "OFL-1.1", 0.7), ("openssl", "OpenSSL", 0.7),
    ("python software foundation", "PSF-2.0", 0.7), ("psf", "PSF-2.0", 0.7),
    ("boost software", "BSL-1.0", 0.7), ("bsl 1 0", "BSL-1.0", 0.7), ("cddl 1 0", "CDDL-1.0", 0.7),
    ("artistic 2 0", "Artistic-2.0", 0.7), ("zpl 2 1", "ZPL-2.1", 0.7),
    ("freetype project", "FTL", 0.7), ("freetype", "FTL", 0.7),
    // The kernel's dual module idents written as a file's licence ("License: Dual MIT/GPL"), read
    // as `moduleIdents` reads them.
    ("dual bsd gpl", "BSD-3-Clause OR GPL-2.0-only", 0.6), ("dual mit gpl", "MIT OR GPL-2.0-only", 0.6),
    ("dual mpl gpl", "MPL-1.1 OR GPL-2.0-only", 0.6),
  ]
  /// Every name's words, longest first within the names that start with the same word.
  static let licenceNames = WordTable(
    Dictionary(
      grouping: licenceNameList.map { (words: NoticeRule.phrase($0.name), spdx: $0.spdx, confidence: $0.confidence) },
      by: { $0.words[0] }
    ).map { ($0.key, $0.value.sorted { $0.words.count > $1.words.count }) })
  /// The word "licence" in its forms (WordTokens holds the British spellings as these).
  static let licenceWords: Set<UInt64> = Set(["license", "licensed", "licenses"].map(WordTokens.hash))
  /// "a BSD-style licence", "an MIT-like license".
  static let nameQualifiers: Set<UInt64> = Set(["style", "like", "type", "styled"].map(WordTokens.hash))
  static let openSource = NoticeRule.phrase("open source")
  /// Words right before a name that make it the object of a grant: "under the MIT", "under
  /// either the MIT or GPL 2", "dual MIT/GPL", "License: MIT", "Licensed MIT", "licensed with
  /// Apache 2.0", a changelog's "License changed to MIT".
  static let grantLeads: [[UInt64]] = [
    "under the", "under", "under either the", "under either", "dual", "dual licensed", "license", "licensed",
    "licensed with", "license changed to", "changed the license to", "your choice of", "your choice of the",
  ].map(NoticeRule.phrase)
  static let joinWords: Set<UInt64> = [orWord, andWord]
  static let orWord = WordTokens.hash("or")
  static let andWord = WordTokens.hash("and")
  /// How a name is joined to the one granted before it.
  enum Join { case choice, both }
  static let statementWords: Set<UInt64> = Set(
    ["compatible", "compatibility", "incompatible", "unlike", "not"].map(WordTokens.hash))
  static let macroWords = NoticeRule.phrase("module license")
  static let bsdWord = WordTokens.hash("bsd")

  /// A package manifest's licence field written as an SPDX expression: Cargo.toml's `license =
  /// "MIT OR Apache-2.0"`, package.json's `"license": "(MIT OR Apache-2.0)"`, pyproject's, a
  /// gemspec's `s.license = 'MIT'`. The field's name, `=` or `:`, then a quoted value on the same
  /// line that parses as an expression of listed ids (a free-form value, "BSD", is left to the
  /// name rules).
  func manifestExpressions(_ tokens: WordTokens, bytes: UnsafeRawBufferPointer) -> [LicenseFinding] {
    var findings = FindingList()
    let field = Self.licenseWord
    for position in 0..<tokens.count where tokens.hashes[position] == field && !findings.isFull {
      // `proprietary_license = '…'` is a variable, not the field.
      guard !Self.inIdentifier(start: tokens.starts[position], end: tokens.ends[position], bytes) else { continue }
      var index = tokens.ends[position]
      if index < bytes.count, bytes[index] == 0x22 || bytes[index] == 0x27 { index += 1 }
      guard let sign = Self.skippingBlanks(bytes, from: index), bytes[sign] == 0x3D || bytes[sign] == 0x3A,
        let quote = Self.skippingBlanks(bytes, from: sign + 1), bytes[quote] == 0x22 || bytes[quote] == 0x27
      else { continue }
      var end = quote + 1
      while end < bytes.count, end - quote <= 256, bytes[end] != bytes[quote], bytes[end] != 0x0A { end += 1 }
      guard end < bytes.count, bytes[end] == bytes[quote],
        let expression = try? SPDXExpression.parse(
          String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(quote + 1)..<end]), as: UTF8.self), list: list)
      else { continue }
      findings.append(
        LicenseFinding(
          spdx: expression.description, method: .notice, confidence: 0.9, start: tokens.starts[position],
          end: end + 1))
    }
    return findings.items
  }
  static let licenseWord = WordTokens.hash("license")

  /// Whether the word at `start` is a segment of a URL's path ("opensource.org/licenses/bsd-license.php"):
  /// right after a "/" in a run of non-blank bytes holding a dot, so a file name, not a grant
  /// ("a BSD/MIT license" has no dot).
  static func inURL(start: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
    guard start > 0, bytes[start - 1] == 0x2F else { return false }
    var index = start - 1
    while index > max(0, start - 200) {
      switch bytes[index - 1] {
      case 0x20, 0x09, 0x0A, 0x0D, 0x22, 0x27, 0x28, 0x3C: return false
      case 0x2E: return true
      default: index -= 1
      }
    }
    return false
  }

  /// Whether the word at `position` is the value of a documentation comment's `@license` tag
  /// (phpDocumentor's "@license [URL] [name]", JSDoc's "@license name"): the tag right before it,
  /// or, `throughURL`, the tag, one URL (a run of non-blank bytes holding "/" and "."), then the
  /// word. A GNU licence named with no version is not read through a URL, which may give the
  /// version the name leaves out ("@license http://www.horde.org/licenses/lgpl21 LGPL").
  func licenseTagLeads(
    _ tokens: WordTokens, at position: Int, _ bytes: UnsafeRawBufferPointer, throughURL: Bool = true
  ) -> Bool {
    func blanksBefore(_ end: Int) -> Int {
      var start = end
      while start > 0, bytes[start - 1] == 0x20 || bytes[start - 1] == 0x09 { start -= 1 }
      return start
    }
    func tagEnds(at end: Int) -> Bool {
      Self.hasPrefix(Self.licenseTag, bytes, at: end - Self.licenseTag.count)
    }
    let start = tokens.starts[position]
    let end = blanksBefore(start)
    guard end < start else { return false }
    if tagEnds(at: end) { return true }
    guard throughURL else { return false }
    var url = end
    var slash = false
    var dot = false
    while url > 0, end - url < 300, !ASCII.isWhitespace(bytes[url - 1]) {
      url -= 1
      slash = slash || bytes[url] == 0x2F
      dot = dot || bytes[url] == 0x2E
    }
    let beforeURL = blanksBefore(url)
    return slash && dot && beforeURL < url && tagEnds(at: beforeURL)
  }
  static let licenseTag = Array("@license".utf8)

  /// Whether the word at `position` is inside `MODULE_LICENSE("…")` (its idents are two words
  /// at most before the licence's: "Dual BSD/GPL"). With the bytes, the two words must be joined
  /// by "_": a README's "… for this module\n\n## License\n\nMIT" is no macro.
  func inModuleMacro(_ tokens: WordTokens, at position: Int, _ bytes: UnsafeRawBufferPointer? = nil) -> Bool {
    (2...3).contains { distance in
      position >= distance && matches(Self.macroWords, tokens, at: position - distance)
        && (bytes.map { $0[tokens.ends[position - distance]] == UInt8(ascii: "_") } ?? true)
    }
  }

  /// The listed licence id written from the word at `position` (letters, digits, ".", "+" and
  /// "-", with at least one "-", up to a blank or other punctuation; a sentence's closing "." left
  /// out) and the position of the word after it; nil when the bytes there are no such id.
  func writtenID(_ tokens: WordTokens, at position: Int, _ bytes: UnsafeRawBufferPointer) -> (id: String, next: Int)? {
    let start = tokens.starts[position]
    let end = Self.writtenIDEnd(bytes, from: start)
    guard start == 0 || !Self.idByte(bytes[start - 1]) else { return nil }
    let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    guard Self.readsWrittenID(text), let entry = list.entry(text), !entry.isException,
      entry.id.caseInsensitiveCompare(text) == .orderedSame
    else { return nil }
    let next = Self.word(tokens, startingFrom: end, after: position)
    // "Apache-2.0 WITH LLVM-exception": the exception written after it belongs to the expression.
    if next + 1 < tokens.count, tokens.hashes[next] == Self.withWord {
      let exceptionStart = tokens.starts[next + 1]
      let exceptionEnd = Self.writtenIDEnd(bytes, from: exceptionStart)
      let written = String(
        decoding: UnsafeRawBufferPointer(rebasing: bytes[exceptionStart..<exceptionEnd]), as: UTF8.self)
      if let exception = list.entry(written), exception.isException,
        exception.id.caseInsensitiveCompare(written) == .orderedSame
      {
        return (entry.id + " WITH " + exception.id, Self.word(tokens, startingFrom: exceptionEnd, after: next + 1))
      }
    }
    return (entry.id, next)
  }
  static let withWord = WordTokens.hash("with")

  /// The end of an id written from `start`: its bytes, less a sentence's "." or a dash after it.
  static func writtenIDEnd(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
    var end = idEnd(bytes, from: start, limit: 64)
    while end > start, bytes[end - 1] == 0x2E || bytes[end - 1] == 0x2D { end -= 1 }
    return end
  }

  /// The end of the run of licence-id bytes (and "+") from `start`, at most `limit` bytes long.
  static func idEnd(_ bytes: UnsafeRawBufferPointer, from start: Int, limit: Int) -> Int {
    var end = start
    while end < bytes.count, end - start < limit, idByte(bytes[end]) || bytes[end] == 0x2B { end += 1 }
    return end
  }

  /// The offset past a Markdown link's target ("](…)") that starts at `end`, if one does (at most
  /// 300 bytes, on one line).
  static func linkTargetEnd(after end: Int, _ bytes: UnsafeRawBufferPointer) -> Int? {
    guard end + 1 < bytes.count, bytes[end] == UInt8(ascii: "]"), bytes[end + 1] == UInt8(ascii: "(") else {
      return nil
    }
    var index = end + 2
    while index < min(bytes.count, end + 300) {
      switch bytes[index] {
      case UInt8(ascii: ")"): return index + 1
      case 0x0A, 0x20: return nil
      default: index += 1
      }
    }
    return nil
  }

  /// The first word after word `position` that starts at or after byte `end`.
  static func word(_ tokens: WordTokens, startingFrom end: Int, after position: Int) -> Int {
    var next = position
    while next < tokens.count && tokens.starts[next] < end { next += 1 }
    return next
  }

  /// A licence given as its page on the SPDX list or the OSI's (whose pages are named by SPDX
  /// id): DOAP's `<license rdf:resource="https://spdx.org/licenses/LGPL-2.0+.html"/>`, a field
  /// `License: https://spdx.org/licenses/MIT.html`, a doc comment's `@license
  /// http://www.opensource.org/licenses/MIT`; the word at `position` is "spdx" or "opensource".
  /// Not a link in prose (a table of licences and their pages names many), nor an OSI page not
  /// named by an id ("bsd-license.php" was one page for more than one BSD licence).
  func licencePage(
    _ tokens: WordTokens, at position: Int, _ bytes: UnsafeRawBufferPointer
  ) -> (finding: LicenseFinding, next: Int)? {
    let hashes = tokens.hashes
    guard let path = Self.licencePagePaths.first(where: { matches($0, tokens, at: position) }) else { return nil }
    var scheme = position - 1
    if scheme >= 0, hashes[scheme] == Self.wwwWord { scheme -= 1 }
    guard scheme >= 1, hashes[scheme] == Self.httpsWord || hashes[scheme] == Self.httpWord,
      hashes[scheme - 1] == Self.licenseWord
        || scheme >= 3 && matches(Self.doapLicence, tokens, at: scheme - 3),
      position + path.count < tokens.count
    else { return nil }
    let idWord = position + path.count
    let end = Self.idEnd(bytes, from: tokens.starts[idWord], limit: 80)
    var text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[tokens.starts[idWord]..<end]), as: UTF8.self)
    while text.hasSuffix(".") { text.removeLast() }  // the sentence's
    for suffix in [".html", ".json"] where text.lowercased().hasSuffix(suffix) { text.removeLast(suffix.count) }
    guard let entry = list.entry(text), !entry.isException else { return nil }
    return (
      LicenseFinding(spdx: entry.id, method: .notice, confidence: 0.9, start: tokens.starts[scheme], end: end),
      Self.word(tokens, startingFrom: end, after: idWord)
    )
  }
  static let spdxWord = WordTokens.hash("spdx")
  static let opensourceWord = WordTokens.hash("opensource")
  static let licencePagePaths = [NoticeRule.phrase("spdx org licenses"), NoticeRule.phrase("opensource org licenses")]
  static let wwwWord = WordTokens.hash("www")
  static let doapLicence = NoticeRule.phrase("license rdf resource")

  /// Ids read as written: those with a hyphen, but not the GNU licences' (their own rules read
  /// versions and "or later"; see `gnuFamilies`).
  static func readsWrittenID(_ id: String) -> Bool {
    id.contains("-") && !["GPL-", "LGPL-", "AGPL-", "GFDL-"].contains { id.uppercased().hasPrefix($0) }
  }

  /// A letter, digit, "-" or ".": the bytes of a licence id.
  static func idByte(_ byte: UInt8) -> Bool {
    ASCII.isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
  }

  /// Licences named as the object of a grant: the name followed by "license" (or "-style
  /// license"), or right after "under (the)", "dual" or "License:". Not a name inside an SPDX tag
  /// (the tag rules read those) or a kernel `MODULE_LICENSE` macro (see `moduleLicenses`), nor one
  /// said to be compatible, or not, with the text's licence.
  func namedLicences(
    _ tokens: WordTokens, bytes: UnsafeRawBufferPointer? = nil, bsdGrantRead: Bool
  ) -> [LicenseFinding] {
    var findings = FindingList()
    let hashes = tokens.hashes
    // One lookup per word; the rest runs only at the few words that can start a name.
    let names = Self.licenceNames
    // The last word of the last name granted (-2 when that finding was not kept as the last): a
    // name joined to it by "or", "and" (either with "the") or "/" is granted too ("under MIT or
    // the UNLICENSE", "licensed under `MIT/Apache-2.0`"); joined by "or" or "/" it is a choice
    // between the two, by "and" both.
    var lastGranted = -2
    func joinToGrant(_ position: Int) -> Join? {
      guard lastGranted >= 0 else { return nil }
      var join = position - 1
      if join > lastGranted + 1, hashes[join] == Self.theWord { join -= 1 }
      if join == lastGranted + 1 {
        return hashes[join] == Self.orWord ? .choice : hashes[join] == Self.andWord ? .both : nil
      }
      // Only a "/" between the two names, blanks aside ("MIT / Apache 2.0").
      guard join == lastGranted, let bytes else { return nil }
      let between = UnsafeRawBufferPointer(rebasing: bytes[tokens.ends[join]..<tokens.starts[position]])
      return between.filter { $0 == 0x2F }.count == 1 && between.allSatisfy { $0 == 0x2F || $0 == 0x20 }
        ? .choice : nil
    }
    func grant(_ finding: LicenseFinding, lastWord: Int, join: Join?) {
      if join == .choice {
        findings.offerAsChoice(finding)
      } else if !findings.append(finding) {
        lastGranted = -2
        return
      }
      lastGranted = lastWord
    }
    var position = 0
    while position < tokens.count && !findings.isFull {
      // A listed id written out ("under BSD-Source-Code License", "the MIT-0 license") is that
      // licence, not the name its first words make ("BSD", "MIT"). Its first word is followed by
      // a hyphen, checked first: few words are.
      if let bytes, tokens.ends[position] < bytes.count, bytes[tokens.ends[position]] == 0x2D,
        writtenIDStarts.contains(hashes[position]), let written = writtenID(tokens, at: position, bytes)
      {
        let after = written.next
        let licenceAfter = after < tokens.count && Self.licenceWords.contains(hashes[after])
        let join = joinToGrant(position)
        let section = Self.opensLicenceSection(tokens, at: position, bytes)
        let led =
          Self.grantLeads.contains { position >= $0.count && matches($0, tokens, at: position - $0.count) }
          || licenseTagLeads(tokens, at: position, bytes) || join != nil || section
          || written.id.contains(" WITH ")  // an expression as SPDX writes it
        // Under a licence heading, the words before the heading are another section's.
        let nearby = (section ? position : max(0, position - 4))..<min(tokens.count, after + 3)
        if (licenceAfter || led) && !nearby.contains(where: { Self.statementWords.contains(hashes[$0]) })
          && !inTag(tokens, at: position) && !inModuleMacro(tokens, at: position, bytes)
          && !Self.inURL(start: tokens.starts[position], bytes)
        {
          grant(
            LicenseFinding(
              spdx: written.id, method: .notice, confidence: 0.7, start: tokens.starts[position],
              end: tokens.ends[licenceAfter ? after : after - 1]), lastWord: licenceAfter ? after : after - 1,
            join: join)
        }
        position = after
        continue
      }
      if hashes[position] == Self.spdxWord || hashes[position] == Self.opensourceWord, let bytes,
        let page = licencePage(tokens, at: position, bytes)
      {
        findings.append(page.finding)
        position = page.next
        continue
      }
      guard let candidates = names[hashes[position]],
        let name = candidates.first(where: { matches($0.words, tokens, at: position) })
      else {
        position += 1
        continue
      }
      var after = position + name.words.count
      if after < tokens.count, Self.nameQualifiers.contains(hashes[after]) { after += 1 }
      // "the MIT open-source licence".
      if after + 1 < tokens.count, matches(Self.openSource, tokens, at: after) { after += 2 }
      // A Markdown link's text: the words after it follow its target ("the [MIT](https://…) license").
      if let bytes, let target = Self.linkTargetEnd(after: tokens.ends[after - 1], bytes) {
        after = Self.word(tokens, startingFrom: target, after: after - 1)
      }
      let bareBSD = name.words.count == 1 && name.words[0] == Self.bsdWord
      // A bare "BSD" is weak evidence: it needs "licence" in the next words ("a dual BSD/GPLv2
      // license"), not only "dual" before it (`license = "Dual BSD/GPL"` in code is a value).
      if bareBSD,
        let licence = (after..<min(tokens.count, after + 3)).first(where: {
          Self.licenceWords.contains(hashes[$0])
        })
      {
        after = licence
      }
      // A full name ("Mozilla Public License 2.0") says "licence" itself.
      let licenceAfter = after < tokens.count && Self.licenceWords.contains(hashes[after])
      // "the MIT or new BSD license", "MIT/GPL2 Licensed": joined to another licence's name by
      // "or", "and" or "/", a name takes the "license" after that one ("psf/requests licensed
      // under" joins a path's next segment, no name).
      var next = after
      if next < tokens.count, Self.joinWords.contains(hashes[next]) {
        next += 1
      } else if !(bytes.map { tokens.ends[after - 1] < $0.count && $0[tokens.ends[after - 1]] == 0x2F } ?? false) {
        next = tokens.count
      }
      let joined =
        !licenceAfter && next < tokens.count
        && (Self.licenceNames[hashes[next]] != nil || Self.shortFormTriggers[hashes[next]] != nil)
        && (next..<min(tokens.count, next + 4)).contains { Self.licenceWords.contains(hashes[$0]) }
      let followed = licenceAfter || joined || name.words.contains(where: Self.licenceWords.contains)
      let join = joinToGrant(position)
      let section = bytes.map { Self.opensLicenceSection(tokens, at: position, $0) } ?? false
      let led =
        !bareBSD
        && (Self.grantLeads.contains { position >= $0.count && matches($0, tokens, at: position - $0.count) }
          || bytes.map { licenseTagLeads(tokens, at: position, $0) } ?? false || section || join != nil)
      let nearby = (section ? position : max(0, position - 4))..<min(tokens.count, after + 3)
      let statement = nearby.contains { Self.statementWords.contains(hashes[$0]) }
      if (followed || led) && !statement && !inModuleMacro(tokens, at: position, bytes) && !(bareBSD && bsdGrantRead)
        && !inTag(tokens, at: position) && !(bytes.map { Self.inURL(start: tokens.starts[position], $0) } ?? false)
      {
        let end = licenceAfter ? after : position + name.words.count - 1
        grant(
          LicenseFinding(
            spdx: name.spdx, method: .notice, confidence: name.confidence, start: tokens.starts[position],
            end: tokens.ends[end]), lastWord: end, join: join)
      }
      position += name.words.count
    }
    return findings.items
  }
}

/// The Linux kernel's `MODULE_LICENSE("…")` idents, as include/linux/module.h defined them until
/// Linux 4.18 ("GPL" was "GNU Public License v2 or later", "GPL v2" version 2, "GPL and
/// additional rights" "GNU Public License v2 rights and more", a dual ident "GPL v2 or the other
/// licence"); since then it says neither string tells "only" from "or later", so the first
/// meaning is the one the idents were written with. The "more" is not named, so only its GPL is
/// read. "BSD" there is the 3-clause text, as a bare "BSD" is above; the Mozilla licence of the
/// 2000s is MPL 1.1.
extension LicenseDetector {
  static let moduleIdents: [String: String] = [
    "GPL": "GPL-2.0-or-later", "GPL v2": "GPL-2.0-only", "GPL and additional rights": "GPL-2.0-only",
    "Dual BSD/GPL": "BSD-3-Clause OR GPL-2.0-only",
    "Dual MIT/GPL": "MIT OR GPL-2.0-only", "Dual MPL/GPL": "MPL-1.1 OR GPL-2.0-only",
  ]
  /// A BPF program's licence string (`char _license[] SEC("license") = "GPL";`), checked by the
  /// kernel with the module idents. It tells the verifier only that the program may call
  /// GPL-only helpers (Documentation/bpf/bpf_licensing.rst), not a version, so "GPL" is read as
  /// the kernel's own GPL-2.0-only (its COPYING), as `EXPORT_SYMBOL_GPL` below is.
  static let bpfIdents = moduleIdents.merging(["GPL": "GPL-2.0-only"]) { $1 }
  static let moduleMacro = Array("MODULE_LICENSE".utf8)
  /// The licence section as libbpf's macro names it.
  static let bpfSection = Array("SEC(\"license\")".utf8)
  /// The end of every GPL-only export macro's name: EXPORT_SYMBOL_GPL, EXPORT_SYMBOL_NS_GPL,
  /// EXPORT_TRACEPOINT_SYMBOL_GPL, EXPORT_PER_CPU_SYMBOL_GPL.
  static let gplExports = ["SYMBOL_GPL(", "SYMBOL_NS_GPL("].map { Array($0.utf8) }

  /// The licences a module's macros declare. A macro is the weakest statement a file can make
  /// (module.h: it "does neither replace the proper license identifiers in the corresponding
  /// source file nor amends them"), so `detect` reads them only when the text grants nothing
  /// (pointers and bare mentions, "based on public domain code", at most). With no
  /// `MODULE_LICENSE` either, a BPF program's licence string, and then a symbol exported only to
  /// GPL modules (`EXPORT_SYMBOL_GPL`), marks kernel code, under the kernel's default licence,
  /// GPL-2.0-only (its COPYING file), with less confidence; beside `MODULE_LICENSE("GPL")` too,
  /// whose version 2 may be either.
  func moduleLicenses(_ bytes: UnsafeRawBufferPointer) -> [LicenseFinding] {
    var findings: [LicenseFinding] = []
    var index = 0
    // `MODULE_LICENSE("GPL")`, `MODULE_LICENSE ( "GPL" )`.
    while findings.count < Self.maximumFindings,
      let found = Self.offset(of: Self.moduleMacro, anchor: 6, in: bytes, from: index)
    {
      index = found + Self.moduleMacro.count
      guard let open = Self.skippingBlanks(bytes, from: index), bytes[open] == 0x28,
        let quote = Self.skippingBlanks(bytes, from: open + 1)
      else { continue }
      if let (spdx, end) = Self.ident(bytes, quote: quote, in: Self.moduleIdents) {
        findings.append(LicenseFinding(spdx: spdx, method: .notice, confidence: 0.5, start: found, end: end))
        index = end
      }
    }
    index = 0
    // `char _license[] SEC("license") = "GPL";`
    while findings.isEmpty, let found = Self.offset(of: Self.bpfSection, anchor: 3, in: bytes, from: index) {
      index = found + Self.bpfSection.count
      var cursor = index
      while cursor < min(index + 16, bytes.count), bytes[cursor] != 0x3D, bytes[cursor] != 0x3B { cursor += 1 }
      guard cursor < bytes.count, bytes[cursor] == 0x3D, let quote = Self.skippingBlanks(bytes, from: cursor + 1),
        let (spdx, end) = Self.ident(bytes, quote: quote, in: Self.bpfIdents)
      else { continue }
      findings.append(LicenseFinding(spdx: spdx, method: .notice, confidence: 0.5, start: found, end: end))
    }
    // The "GPL" ident is GPL version 2 with no word on "only" or "or later" (license-rules.rst):
    // read or-later as module.h has it, it leaves the export's GPL-2.0-only standing beside it.
    if findings.allSatisfy({ $0.spdx == Self.moduleIdents["GPL"] }),
      let (export, length) = Self.gplExports.lazy.compactMap({ pattern in
        Self.offset(of: pattern, anchor: 6, in: bytes, from: 0).map { ($0, pattern.count) }
      }).first
    {
      findings.append(
        LicenseFinding(
          spdx: "GPL-2.0-only", method: .notice, confidence: findings.isEmpty ? 0.3 : findings[0].confidence,
          start: export, end: export + length))
    }
    return findings
  }

  /// The first offset at or after `from` that is not a space or a tab, if the text goes on.
  static func skippingBlanks(_ bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
    var index = from
    while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x09 { index += 1 }
    return index < bytes.count ? index : nil
  }

  /// The licence of the quoted ident at `quote` (at most 32 bytes), and the offset past its
  /// closing quote.
  static func ident(
    _ bytes: UnsafeRawBufferPointer, quote: Int, in idents: [String: String]
  ) -> (spdx: String, end: Int)? {
    guard bytes[quote] == 0x22 else { return nil }
    var end = quote + 1
    while end < bytes.count, end - quote <= 32, bytes[end] != 0x22 { end += 1 }
    guard end < bytes.count, bytes[end] == 0x22,
      let spdx = idents[String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(quote + 1)..<end]), as: UTF8.self)]
    else { return nil }
    return (spdx, end + 1)
  }

  /// The first offset at or after `from` where `pattern` starts. Every text without a licence is
  /// searched for the macros, so libc's vectorised `memchr` finds the byte at `anchor`, one that
  /// is rare in prose ("_", "("): a common one (the "S" of "SEC") would make a call per hit.
  static func offset(of pattern: [UInt8], anchor: Int, in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
    guard let base = bytes.baseAddress, anchor < pattern.count else { return nil }
    var index = from
    while index + pattern.count <= bytes.count {
      guard
        let hit = memchr(base + index + anchor, Int32(pattern[anchor]), bytes.count - pattern.count + 1 - index)
      else {
        return nil
      }
      let found = base.distance(to: UnsafeRawPointer(hit)) - anchor
      // The next byte first: most hits end there, without a call.
      if anchor + 1 == pattern.count || bytes[found + anchor + 1] == pattern[anchor + 1],
        pattern.withUnsafeBytes({ memcmp(base + found, $0.baseAddress!, pattern.count) == 0 })
      {
        return found
      }
      index = found + 1
    }
    return nil
  }
}
