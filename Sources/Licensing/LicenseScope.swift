import Foundation
import HatcheryCore

/// What licence files and package metadata in a source's tree say about the files around them.
/// A licence file (LICENSE, LICENCE, COPYING, COPYRIGHT, Debian's `copyright`, with suffixes such
/// as `.txt`, `.md`, `-MIT`) covers the documents of its directory and those below it; the
/// nearest one wins. A machine-readable Debian copyright file (DEP-5) gives each covered file
/// the licence of its last matching `Files` paragraph; package metadata (PKG-INFO/METADATA,
/// `package.json`, `Cargo.toml`, `pyproject.toml`) gives its package's licence. Within one
/// directory DEP-5 comes first, then package metadata, then licence texts (several: all of
/// them, AND). Paths are relative to the source's input root, so a scope never leaves its
/// input folder, and each source has its own scope.
public struct LicenseScope: Sendable {
  /// The licence a covering file gives a document, as evidence.
  public struct Cover: Sendable, Equatable {
    public var expression: SPDXExpression
    /// The covering file, relative to the input root.
    public var file: String
    /// Where in it: "Files: * (line 15)", "License-Expression (line 4)", "licence text".
    public var detail: String

    public var evidence: String { "scope: \(file), \(detail): \(expression)" }
  }

  /// One covering file in a directory.
  public struct Entry: Sendable {
    public enum Kind: Int, Sendable {
      case dep5 = 0
      case metadata = 1
      case text = 2
    }
    public var kind: Kind
    public var file: String
    /// For `.metadata` and `.text`: the licence and where it was read.
    public var expression: SPDXExpression?
    public var detail: String
    public var dep5: DEP5File?
    /// For `.dep5`: each stanza's licence, in `dep5.stanzas`' order.
    public var stanzaLicenses: [StanzaLicense] = []
  }

  /// A DEP-5 stanza's licence as SPDX (nil where its field names none) and where it was read.
  public struct StanzaLicense: Sendable {
    public var expression: SPDXExpression?
    /// "Files: * (line 15)", and for each short name read from its text, where that text is.
    public var detail: String
  }

  /// Per source, the covering files by directory.
  private var directories: [Int64: [String: [Entry]]] = [:]
  /// How many directory levels above a document a covering file may be (nil: up to the root).
  public var maximumDepth: Int?

  public init(maximumDepth: Int? = nil) { self.maximumDepth = maximumDepth }

  public var isEmpty: Bool { directories.isEmpty }
  public var fileCount: Int { directories.values.reduce(0) { $0 + $1.values.reduce(0) { $0 + $1.count } } }

  // MARK: Paths

  /// The directory part of a relative path ("" at the top); paths use "/".
  static func directory(of path: String) -> String {
    guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
    return String(path[..<slash])
  }

  /// The last component of a relative path.
  static func name(of path: String) -> String {
    guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
    return String(path[path.utf8.index(after: slash)...])
  }

  // MARK: Which files count

  /// LICENSE, LICENCE, COPYING, COPYRIGHT (any case), alone or followed by `.`, `-` or `_` and a
  /// suffix (LICENSE.txt, COPYING.LESSER, LICENSE-MIT), but not source code (license_check.c).
  public static func isLicenseFile(_ path: String) -> Bool {
    let name = Self.name(of: path).uppercased()
    for stem in ["LICENSE", "LICENCE", "COPYING", "COPYRIGHT", "UNLICENSE"] where name.hasPrefix(stem) {
      let rest = name.dropFirst(stem.count)
      guard rest.isEmpty || rest.first == "." || rest.first == "-" || rest.first == "_" else { continue }
      if let dot = rest.lastIndex(of: "."), codeExtensions.contains(String(rest[rest.index(after: dot)...])) {
        return false
      }
      return true
    }
    return false
  }

  private static let codeExtensions: Set<String> = [
    "C", "H", "CC", "CPP", "HPP", "PY", "JS", "TS", "GO", "RS", "JAVA", "KT", "SWIFT", "RB", "PL", "PM", "PHP", "SH",
    "CS", "M", "SCALA",
    "XML", "JSON", "YAML", "YML", "TOML", "CSS", "PNG", "JPG", "SVG", "PDF",
  ]

  /// Package metadata files whose licence field covers their tree.
  public static func isPackageMetadata(_ path: String) -> Bool {
    ["PKG-INFO", "METADATA", "package.json", "Cargo.toml", "pyproject.toml"].contains(Self.name(of: path))
  }

  // MARK: Building

  /// Adds the file at `path` (relative to the input root) of source `source`, whose text is
  /// `text`; `detector` reads licence texts. Files that say nothing usable are left out.
  public mutating func add(source: Int64, path: String, text: String, detector: LicenseDetector) {
    let directory = Self.directory(of: path)
    var entry: Entry?
    if Self.isPackageMetadata(path) {
      if let (expression, detail) = PackageMetadata.license(
        fileName: Self.name(of: path), text: text, detector: detector)
      {
        entry = Entry(kind: .metadata, file: path, expression: expression, detail: detail)
      }
    } else if Self.isLicenseFile(path) {
      if let dep5 = DEP5File.parse(text), !dep5.stanzas.isEmpty {
        entry = Entry(
          kind: .dep5, file: path, expression: nil, detail: "", dep5: dep5,
          stanzaLicenses: Self.stanzaLicenses(dep5, detector: detector))
      } else if let text = LicenseDetector.expression(of: detector.detect(text)).flatMap({
        try? SPDXExpression.parse($0)
      }) {
        entry = Entry(kind: .text, file: path, expression: text, detail: "licence text")
      }
    }
    guard let entry else { return }
    directories[source, default: [:]][directory, default: []].append(entry)
  }

  /// The public-domain notice rules' dedications ("is in the public domain" and stronger).
  static let dedicationConfidence = 0.6

  /// Each stanza's licence. A short name with no SPDX equivalent ("PD", "MIT/X11", "Tcl-BSDish")
  /// is read from its text with `detector` — the stanza's own when its field is that one name,
  /// else the name's standalone `License` paragraph — so the file's words decide rather than a
  /// label no policy can place; a text that reads as nothing keeps `LicenseRef-Debian-<name>`.
  /// A reading needs one decisive finding (a grant, a licence text; `LicenseDetector.decisiveConfidence`)
  /// or a public-domain dedication ("placed in the public domain", not a bare mention): a licence
  /// named in passing ("parts were once under the MIT License") does not make a text that licence.
  /// The other findings then join it, so a weak mention can only add a licence to satisfy.
  static func stanzaLicenses(_ file: DEP5File, detector: LicenseDetector) -> [StanzaLicense] {
    func read(_ text: String) -> SPDXExpression? {
      let findings = detector.detect(text)
      guard
        findings.contains(where: {
          $0.confidence >= LicenseDetector.decisiveConfidence
            || ($0.spdx == NoticeRule.publicDomain && $0.confidence >= dedicationConfidence)
        })
      else { return nil }
      return LicenseDetector.expression(of: findings).flatMap { try? SPDXExpression.parse($0) }
    }
    var standalone: [String: SPDXExpression?] = [:]
    return file.stanzas.map { stanza in
      var notes: [String] = []
      let expression = DebianLicenseNames.spdx(stanza.license) { name in
        let key = name.lowercased()
        let field = stanza.license.trimmingCharacters(in: .whitespaces).lowercased()
        // "X with Y exception" may name its paragraph's text, or a standalone one, in full.
        if !stanza.text.isEmpty, field == key || field.hasPrefix(key + " with ") {
          let found = read(stanza.text)
          if found != nil { notes.append("\(name) read from its text in this paragraph") }
          return found
        }
        let paragraph =
          file.licenseTexts[key] != nil ? key : file.licenseTexts.keys.filter { $0.hasPrefix(key + " with ") }.min()
        guard let paragraph, let text = file.licenseTexts[paragraph] else { return nil }
        let found: SPDXExpression?
        if let cached = standalone[paragraph] {
          found = cached
        } else {
          found = read(text.text)
          standalone[paragraph] = found
        }
        if found != nil { notes.append("\(name) read from its License paragraph (line \(text.line))") }
        return found
      }
      let detail = "Files: \(stanza.patterns.joined(separator: " ")) (line \(stanza.line))"
      return StanzaLicense(
        expression: expression, detail: notes.isEmpty ? detail : detail + "; " + notes.joined(separator: "; "))
    }
  }

  /// Orders every directory's entries (kind, then path), so the result does not depend on the
  /// order files were added in.
  public mutating func finish() {
    for (source, byDirectory) in directories {
      for (directory, entries) in byDirectory {
        directories[source]![directory] = entries.sorted { ($0.kind.rawValue, $0.file) < ($1.kind.rawValue, $1.file) }
      }
    }
  }

  // MARK: Lookup

  /// The licence covering the document at `path` of `source`: from the nearest directory,
  /// upwards, with a file that gives it one. A covering file does not cover itself.
  public func cover(source: Int64, path: String) -> Cover? {
    guard let byDirectory = directories[source] else { return nil }
    var directory = Self.directory(of: path)
    var level = 0
    while true {
      if let entries = byDirectory[directory],
        let cover = Self.cover(entries.filter { $0.file != path }, path: path, directory: directory)
      {
        return cover
      }
      if directory.isEmpty { return nil }
      level += 1
      if let maximumDepth, level > maximumDepth { return nil }
      directory = Self.directory(of: directory)
    }
  }

  private static func cover(_ entries: [Entry], path: String, directory: String) -> Cover? {
    let relative = directory.isEmpty ? path : String(path.dropFirst(directory.count + 1))
    for entry in entries where entry.kind == .dep5 {
      if let index = entry.dep5?.stanzaIndex(for: relative), entry.stanzaLicenses.indices.contains(index),
        let expression = entry.stanzaLicenses[index].expression
      {
        return Cover(expression: expression, file: entry.file, detail: entry.stanzaLicenses[index].detail)
      }
    }
    if let metadata = entries.first(where: { $0.kind == .metadata }), let expression = metadata.expression {
      return Cover(expression: expression, file: metadata.file, detail: metadata.detail)
    }
    let texts = entries.filter { $0.kind == .text }
    guard !texts.isEmpty else { return nil }
    let expressions = texts.compactMap(\.expression)
    let combined: SPDXExpression = expressions.count == 1 ? expressions[0] : .and(expressions)
    return Cover(
      expression: (try? SPDXExpression.parse(combined.description)) ?? combined,
      file: texts.map(\.file).joined(separator: " + "),
      detail: "licence text")
  }
}

/// The licence field of package metadata.
public enum PackageMetadata {
  /// Trove classifiers with one SPDX meaning ("BSD License" names no one licence and is left out).
  static let classifiers: [String: String] = [
    "MIT License": "MIT", "MIT No Attribution License (MIT-0)": "MIT-0", "Apache Software License": "Apache-2.0",
    "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
    "GNU General Public License v2 or later (GPLv2+)": "GPL-2.0-or-later",
    "GNU General Public License v3 (GPLv3)": "GPL-3.0-only",
    "GNU General Public License v3 or later (GPLv3+)": "GPL-3.0-or-later",
    "GNU Lesser General Public License v2 (LGPLv2)": "LGPL-2.0-only",
    "GNU Lesser General Public License v2 or later (LGPLv2+)": "LGPL-2.0-or-later",
    "GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only",
    "GNU Lesser General Public License v3 or later (LGPLv3+)": "LGPL-3.0-or-later",
    "GNU Affero General Public License v3": "AGPL-3.0-only",
    "GNU Affero General Public License v3 or later (AGPLv3+)": "AGPL-3.0-or-later",
    "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0", "ISC License (ISCL)": "ISC",
    "Python Software Foundation License": "PSF-2.0",
    "The Unlicense (Unlicense)": "Unlicense", "zlib/libpng License": "Zlib",
    "Boost Software License 1.0 (BSL-1.0)": "BSL-1.0",
    "Eclipse Public License 2.0 (EPL-2.0)": "EPL-2.0", "European Union Public Licence 1.2 (EUPL 1.2)": "EUPL-1.2",
  ]

  /// The licence and where it was read; nil when the file names none.
  public static func license(fileName: String, text: String, detector: LicenseDetector) -> (SPDXExpression, String)? {
    func expression(_ value: String) -> SPDXExpression? {
      let value = value.trimmingCharacters(in: .whitespaces)
      guard !value.isEmpty, value.utf8.count <= SPDXExpression.maximumLength else { return nil }
      if let parsed = try? SPDXExpression.parse(value) { return parsed }
      return LicenseDetector.expression(of: detector.detect(value)).flatMap { try? SPDXExpression.parse($0) }
    }
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
    }
    switch fileName {
    case "PKG-INFO", "METADATA":
      // Core metadata: License-Expression (PEP 639) first, then License, then classifiers; the
      // header ends at the first empty line.
      let header = lines.prefix { !$0.isEmpty }
      func field(_ name: String) -> (String, Int)? {
        header.enumerated().first { $0.element.hasPrefix(name + ":") }.map {
          (String($0.element.dropFirst(name.count + 1)), $0.offset + 1)
        }
      }
      if let (value, line) = field("License-Expression"), let parsed = expression(value) {
        return (parsed, "License-Expression (line \(line))")
      }
      if let (value, line) = field("License"), value.trimmingCharacters(in: .whitespaces) != "UNKNOWN",
        let parsed = expression(value)
      {
        return (parsed, "License (line \(line))")
      }
      let found = header.enumerated().compactMap { item -> (String, Int)? in
        guard item.element.hasPrefix("Classifier: License ::") else { return nil }
        let name = item.element.split(separator: ":").last.map { $0.trimmingCharacters(in: .whitespaces) } ?? ""
        return classifiers[name].map { ($0, item.offset + 1) }
      }
      guard let first = found.first else { return nil }
      let ids = Array(Set(found.map(\.0))).sorted()
      let joined = ids.count == 1 ? ids[0] : ids.joined(separator: " OR ")
      return (try? SPDXExpression.parse(joined)).map { ($0, "Classifier (line \(first.1))") }
    case "package.json":
      guard let object = (try? JSONParser.parse(text))?.objectValue else { return nil }
      if let value = object["license"]?.stringValue, let parsed = expression(value) { return (parsed, "\"license\"") }
      if let value = object["license"]?.objectValue?["type"]?.stringValue, let parsed = expression(value) {
        return (parsed, "\"license\".type")
      }
      if case .array(let items)? = object["licenses"] {
        let ids = items.compactMap { $0.objectValue?["type"]?.stringValue }.compactMap(expression)
        if !ids.isEmpty { return (ids.count == 1 ? ids[0] : .or(ids), "\"licenses\"") }
      }
      return nil
    case "Cargo.toml", "pyproject.toml":
      // `license = "…"` (or pyproject's `license = { text = "…" }`) in [package] or [project].
      var section = ""
      for (index, line) in lines.enumerated() {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("[") {
          section = trimmed
          continue
        }
        guard section == "[package]" || section == "[project]", trimmed.hasPrefix("license"),
          let equals = trimmed.firstIndex(of: "="), trimmed[..<equals].trimmingCharacters(in: .whitespaces) == "license"
        else { continue }
        var value = trimmed[trimmed.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        if value.hasPrefix("{"), let text = value.range(of: "text") {
          value = String(value[text.upperBound...]).trimmingCharacters(in: CharacterSet(charactersIn: " ={}"))
        }
        let unquoted = value.trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
        if let parsed = expression(unquoted) { return (parsed, "license (line \(index + 1))") }
      }
      return nil
    default:
      return nil
    }
  }
}
