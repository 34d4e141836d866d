import Foundation

/// A machine-readable Debian copyright file (DEP-5, copyright-format 1.0): its `Files`
/// paragraphs, each with its patterns, the licence's short name and the paragraph's line, and
/// the texts its standalone `License` paragraphs give the short names.
/// https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
public struct DEP5File: Sendable, Equatable {
  public struct Stanza: Sendable, Equatable {
    public var patterns: [String]
    /// The `License` field's first line: short names joined by `or`, `and`, commas, `with`.
    public var license: String
    /// 1-based line of the `Files` field.
    public var line: Int
    /// The `License` field's continuation lines (its licence text; often empty), "." lines empty.
    public var text: String = ""
  }

  /// A standalone `License` paragraph: the text of one short name.
  public struct LicenseText: Sendable, Equatable {
    public var text: String
    /// 1-based line of its `License` field.
    public var line: Int
  }

  public var stanzas: [Stanza]
  /// Standalone `License` paragraphs by their short name, lowercased (the first of a name wins).
  public var licenseTexts: [String: LicenseText] = [:]

  /// Parses `text`; nil when it is not machine-readable (its first paragraph has no `Format`
  /// field naming the copyright format).
  public static func parse(_ text: String) -> DEP5File? {
    var paragraphs: [[(name: String, value: [String], line: Int)]] = []
    var current: [(name: String, value: [String], line: Int)] = []
    var lineNumber = 0
    // Split on the byte: as Characters, "\r\n" is one that is not "\n".
    for bytes in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
      lineNumber += 1
      let raw = String(decoding: bytes, as: UTF8.self)
      let line = raw.hasSuffix("\r") ? raw.dropLast() : raw[...]
      if line.allSatisfy({ $0 == " " || $0 == "\t" }) {
        if !current.isEmpty { paragraphs.append(current) }
        current = []
        continue
      }
      if line.first == " " || line.first == "\t" {
        // A continuation line; " ." stands for an empty line.
        guard !current.isEmpty else { continue }
        let value = String(trimmed(line))
        current[current.count - 1].value.append(value == "." ? "" : value)
        continue
      }
      guard let colon = line.firstIndex(of: ":") else { continue }
      let name = trimmed(line[..<colon]).lowercased()
      let value = String(trimmed(line[line.index(after: colon)...]))
      current.append((name, [value], lineNumber))
    }
    if !current.isEmpty { paragraphs.append(current) }
    guard let header = paragraphs.first,
      let format = header.first(where: { $0.name == "format" })?.value.first,
      format.contains("copyright-format") || format.lowercased().contains("dep5")
        || format.lowercased().contains("dep-5")
    else { return nil }
    var file = DEP5File(stanzas: [])
    for paragraph in paragraphs.dropFirst() {
      guard let license = paragraph.first(where: { $0.name == "license" }), let name = license.value.first,
        !name.isEmpty
      else { continue }
      let text = license.value.dropFirst().joined(separator: "\n")
      guard let files = paragraph.first(where: { $0.name == "files" }) else {
        let key = name.lowercased()
        if !text.isEmpty, file.licenseTexts[key] == nil {
          file.licenseTexts[key] = LicenseText(text: text, line: license.line)
        }
        continue
      }
      let patterns = files.value.joined(separator: " ").split(whereSeparator: { $0 == " " || $0 == "\t" }).map(
        String.init)
      file.stanzas.append(Stanza(patterns: patterns, license: name, line: files.line, text: text))
    }
    return file
  }

  /// `text` without its leading and trailing spaces and tabs (Foundation's trimming is slow here).
  private static func trimmed(_ text: Substring) -> Substring {
    let blank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    guard let first = text.firstIndex(where: { !blank($0) }), let last = text.lastIndex(where: { !blank($0) }) else {
      return ""
    }
    return text[first...last]
  }

  /// The paragraph that applies to `path` (relative to the tree the file describes): the last
  /// one with a matching pattern, as the format says.
  public func stanza(for path: String) -> Stanza? {
    stanzaIndex(for: path).map { stanzas[$0] }
  }

  /// The index in `stanzas` of `stanza(for:)`.
  public func stanzaIndex(for path: String) -> Int? {
    stanzas.lastIndex { stanza in stanza.patterns.contains { Self.matches(pattern: $0, path: path) } }
  }

  /// The format's wildcards: `*` any characters and `?` one, both matching `/` and leading
  /// dots; `\` takes the magic from the next character. Patterns start at the tree's root. A
  /// pattern ending in `/` names a directory and matches everything under it.
  public static func matches(pattern: String, path: String) -> Bool {
    var pattern = Array(pattern.utf8)
    if pattern.last == UInt8(ascii: "/") { pattern.append(UInt8(ascii: "*")) }
    let path = Array(path.utf8)
    // Iterative matching with one backtrack point for the last `*` (linear in practice).
    var p = 0
    var s = 0
    var star: Int?
    var starMatch = 0
    while s < path.count {
      if p < pattern.count {
        let c = pattern[p]
        if c == UInt8(ascii: "*") {
          star = p
          starMatch = s
          p += 1
          continue
        }
        if c == UInt8(ascii: "?") {
          p += 1
          s += 1
          continue
        }
        var literal = c
        var width = 1
        if c == UInt8(ascii: "\\"), p + 1 < pattern.count {
          literal = pattern[p + 1]
          width = 2
        }
        if literal == path[s] {
          p += width
          s += 1
          continue
        }
      }
      guard let star else { return false }
      p = star + 1
      starMatch += 1
      s = starMatch
    }
    while p < pattern.count, pattern[p] == UInt8(ascii: "*") { p += 1 }
    return p == pattern.count
  }
}

/// Debian's licence short names (copyright-format 1.0, "License specification") as SPDX.
public enum DebianLicenseNames {
  static let table: [String: String] = [
    "gpl-1": "GPL-1.0-only", "gpl-1+": "GPL-1.0-or-later", "gpl-2": "GPL-2.0-only", "gpl-2+": "GPL-2.0-or-later",
    "gpl-3": "GPL-3.0-only", "gpl-3+": "GPL-3.0-or-later", "gpl": "GPL-1.0-or-later", "gpl+": "GPL-1.0-or-later",
    "lgpl-2": "LGPL-2.0-only", "lgpl-2+": "LGPL-2.0-or-later", "lgpl-2.0": "LGPL-2.0-only",
    "lgpl-2.0+": "LGPL-2.0-or-later",
    "lgpl-2.1": "LGPL-2.1-only", "lgpl-2.1+": "LGPL-2.1-or-later", "lgpl-3": "LGPL-3.0-only",
    "lgpl-3+": "LGPL-3.0-or-later",
    "lgpl-3.0": "LGPL-3.0-only", "lgpl-3.0+": "LGPL-3.0-or-later", "agpl-3": "AGPL-3.0-only",
    "agpl-3+": "AGPL-3.0-or-later",
    "gpl-2.0": "GPL-2.0-only", "gpl-2.0+": "GPL-2.0-or-later", "gpl-3.0": "GPL-3.0-only",
    "gpl-3.0+": "GPL-3.0-or-later",
    "gfdl-1.2": "GFDL-1.2-only", "gfdl-1.2+": "GFDL-1.2-or-later", "gfdl-1.3": "GFDL-1.3-only",
    "gfdl-1.3+": "GFDL-1.3-or-later",
    "gfdl-nis-1.2": "GFDL-1.2-no-invariants-only", "gfdl-nis-1.3": "GFDL-1.3-no-invariants-only",
    "gfdl-1.1": "GFDL-1.1-only", "gfdl-1.1+": "GFDL-1.1-or-later",
    // GFDL-NIV: "with no invariant sections" (copyright-format 1.0's short names).
    "gfdl-niv-1.1": "GFDL-1.1-no-invariants-only", "gfdl-niv-1.1+": "GFDL-1.1-no-invariants-or-later",
    "gfdl-niv-1.2": "GFDL-1.2-no-invariants-only", "gfdl-niv-1.2+": "GFDL-1.2-no-invariants-or-later",
    "gfdl-niv-1.3": "GFDL-1.3-no-invariants-only", "gfdl-niv-1.3+": "GFDL-1.3-no-invariants-or-later",
    "expat": "MIT", "mit": "MIT", "bsd-2-clause": "BSD-2-Clause", "bsd-3-clause": "BSD-3-Clause",
    "bsd-4-clause": "BSD-4-Clause",
    "isc": "ISC", "apache-2.0": "Apache-2.0", "apache-2": "Apache-2.0", "apache-1.1": "Apache-1.1",
    "mpl-1.1": "MPL-1.1",
    "mpl-2.0": "MPL-2.0", "zlib": "Zlib", "public-domain": "LicenseRef-public-domain", "cc0-1.0": "CC0-1.0",
    "cc0": "CC0-1.0",
    "artistic": "Artistic-1.0-Perl", "artistic-1.0": "Artistic-1.0", "artistic-2.0": "Artistic-2.0", "psf-2": "PSF-2.0",
    "psf-2.0": "PSF-2.0", "python-2.0": "Python-2.0", "unlicense": "Unlicense", "bsl-1.0": "BSL-1.0",
    "boost-1.0": "BSL-1.0",
    "cc-by-3.0": "CC-BY-3.0", "cc-by-4.0": "CC-BY-4.0", "cc-by-sa-3.0": "CC-BY-SA-3.0", "cc-by-sa-4.0": "CC-BY-SA-4.0",
    "epl-1.0": "EPL-1.0", "epl-2.0": "EPL-2.0", "wtfpl": "WTFPL", "ofl-1.1": "OFL-1.1", "x11": "X11", "curl": "curl",
    "openssl": "OpenSSL", "ssleay": "SSLeay", "libpng": "Libpng", "ftl": "FTL", "zope-2.1": "ZPL-2.1",
    "cddl-1.0": "CDDL-1.0",
    "lppl-1.3c": "LPPL-1.3c", "unicode-dfs-2016": "Unicode-DFS-2016", "0bsd": "0BSD", "bsd-0-clause": "0BSD",
  ]

  /// Exceptions whose Debian names SPDX lists, by the words after "with" ("Apache-2.0 with LLVM
  /// exception"), and names that hold one (llvm-toolchain's `APACHE-2-LLVM-EXCEPTIONS`).
  static let exceptions: [String: String] = ["llvm exception": "LLVM-exception", "llvm exceptions": "LLVM-exception"]
  static let namesWithAnException: [String: (id: String, exception: String)] = [
    "apache-2-llvm-exceptions": ("Apache-2.0", "LLVM-exception")
  ]

  /// The SPDX expression of a `License` field's first line: `or` and `and` as in SPDX (`and`
  /// binding tighter), commas as the loosest `and`, `with … exception` kept where SPDX lists the
  /// exception (see `exceptions`) and otherwise dropped to its licence (most of Debian's exception
  /// names are not SPDX's). A name with no SPDX equivalent is what `reading` gives it (the
  /// licence its text was read as), else `LicenseRef-Debian-<name>`. Nil for an empty field, and
  /// for one whose expression would be longer than `SPDXExpression.maximumLength`.
  public static func spdx(_ field: String, reading: (String) -> SPDXExpression? = { _ in nil }) -> SPDXExpression? {
    // No real field comes near the limit; a longer one (a broken file) names no licence.
    guard field.utf8.count <= SPDXExpression.maximumLength else { return nil }
    let commaTerms = field.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    let terms = commaTerms.compactMap { term -> SPDXExpression? in
      let alternatives = split(term, on: "or").compactMap { alternative -> SPDXExpression? in
        let conjuncts = split(alternative, on: "and").compactMap { single($0, reading: reading) }
        return conjuncts.isEmpty ? nil : conjuncts.count == 1 ? conjuncts[0] : .and(conjuncts)
      }
      return alternatives.isEmpty ? nil : alternatives.count == 1 ? alternatives[0] : .or(alternatives)
    }
    let expression = terms.isEmpty ? nil : terms.count == 1 ? terms[0] : .and(terms)
    return expression.flatMap { $0.description.utf8.count <= SPDXExpression.maximumLength ? $0 : nil }
  }

  private static func split(_ text: String, on word: String) -> [String] {
    var parts: [String] = []
    var current: [Substring] = []
    for token in text.split(separator: " ", omittingEmptySubsequences: true) {
      if token.lowercased() == word {
        parts.append(current.joined(separator: " "))
        current = []
      } else {
        current.append(token)
      }
    }
    parts.append(current.joined(separator: " "))
    return parts.filter { !$0.isEmpty }
  }

  private static func single(_ name: String, reading: (String) -> SPDXExpression?) -> SPDXExpression? {
    var name = name.trimmingCharacters(in: .whitespaces)
    if let named = namesWithAnException[name.lowercased()] {
      return .with(.license(named.id), exception: named.exception)
    }
    var exception: String?
    if let with = name.range(of: " with ", options: .caseInsensitive) {
      exception = exceptions[name[with.upperBound...].lowercased().trimmingCharacters(in: .whitespaces)]
      name = String(name[..<with.lowerBound])
    }
    guard !name.isEmpty else { return nil }
    if let exception, let base = single(name, reading: reading), case .license = base {
      return .with(base, exception: exception)
    }
    if let id = table[name.lowercased()] {
      return id.hasPrefix("LicenseRef-") ? .reference(id) : .license(id)
    }
    if let parsed = try? SPDXExpression.parse(name) { return parsed }
    if let read = reading(name) { return read }
    // An SPDX idstring is ASCII letters, digits, "-" and "."; a name longer than any real one is cut.
    let safe = String(
      name.unicodeScalars.prefix(64).map { scalar -> Character in
        scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == ".")
          ? Character(scalar) : "-"
      })
    return .reference("LicenseRef-Debian-" + safe)
  }
}
