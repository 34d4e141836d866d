import Foundation
import HatcheryCore

/// How a README states its licence: a licence section's first line ("## License\n\nMIT © …")
/// and a licence badge.
extension LicenseDetector {
  /// Whether the word at `position` starts a line (after list or code markup) at the top of a
  /// README's licence section: below a heading that is only "License" (Markdown's "## License",
  /// an underlined or bold one, "License:"), with at most copyright lines and blank lines between
  /// ("## License\n\nMIT © …", "License\n=======\n\nCopyright (c) …\n\nMIT OR Apache-2.0").
  static func opensLicenceSection(_ tokens: WordTokens, at position: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
    var lineStart = tokens.starts[position]
    while lineStart > 0, lineMarkup.contains(bytes[lineStart - 1]) { lineStart -= 1 }
    guard lineStart > 0, bytes[lineStart - 1] == 0x0A else { return false }
    var end = lineStart - 1  // the line break ending the line above
    var underlined = false
    for _ in 0..<8 {
      var start = end
      while start > 0, bytes[start - 1] != 0x0A { start -= 1 }
      var first = start
      var last = end
      while first < last, ASCII.isWhitespace(bytes[first]) { first += 1 }
      while last > first, ASCII.isWhitespace(bytes[last - 1]) { last -= 1 }
      let line = UnsafeRawBufferPointer(rebasing: bytes[first..<last])
      if line.count >= 3, let rule = line.first, underlines.contains(rule), line.allSatisfy({ $0 == rule }) {
        guard !underlined else { return false }
        underlined = true
      } else if !line.isEmpty {
        if isLicenceHeading(line) { return true }
        guard !underlined, startsWithCopyright(line) else { return false }
      }
      guard start > 0 else { return false }
      end = start - 1
    }
    return false
  }
  /// Bytes a list item or inline markup puts before a line's first word: blanks, "-", "*", "+",
  /// "`", "[", "(", ">", "_".
  static let lineMarkup: Set<UInt8> = Set(" \t-*+`[(>_".utf8)
  static let underlines: Set<UInt8> = Set("=-~^".utf8)
  static let licenceHeadings: Set<String> = ["license", "licence", "licenses", "licences", "licensing"]

  /// A line that is a licence section's heading: the word alone, with Markdown's "#"s, bold or
  /// italic marks, or a closing ":" around it.
  static func isLicenceHeading(_ line: UnsafeRawBufferPointer) -> Bool {
    let marks: Set<UInt8> = Set("# *_:".utf8)
    var first = 0
    var last = line.count
    while first < last, marks.contains(line[first]) { first += 1 }
    while last > first, marks.contains(line[last - 1]) { last -= 1 }
    guard last - first <= 9 else { return false }
    let word = String(decoding: UnsafeRawBufferPointer(rebasing: line[first..<last]), as: UTF8.self).lowercased()
    return licenceHeadings.contains(word)
  }

  /// Whether a line starts with "Copyright", "©" or "(c)".
  static func startsWithCopyright(_ line: UnsafeRawBufferPointer) -> Bool {
    let prefixes = [Array("copyright".utf8), Array("\u{00A9}".utf8), Array("(c)".utf8)]
    return prefixes.contains { prefix in
      line.count >= prefix.count && (0..<prefix.count).allSatisfy { ASCII.lowercased(line[$0]) == prefix[$0] }
    }
  }

  /// Licences a README's badges name: shields.io's static badge, `https://img.shields.io/badge/
  /// LABEL-MESSAGE-COLOUR`, labelled "license" ("license-MIT-blue.svg", "License-Apache%202.0-
  /// blue", "license-MIT%2FApache--2.0-green"). Its message is read as a "License:" field's value
  /// is; the badge service's escapes are undone ("--" is "-", "_" a space, "__" "_", %-escapes).
  /// A badge whose message the service fills in from the project's metadata
  /// (`shields.io/crates/l/NAME.svg`) names nothing here.
  func badgeLicences(_ bytes: UnsafeRawBufferPointer) -> [LicenseFinding] {
    var findings: [LicenseFinding] = []
    var index = 0
    while findings.count < Self.maximumFindings,
      let found = Self.offset(of: Self.badgePath, anchor: 10, in: bytes, from: index)
    {
      let start = found + Self.badgePath.count
      var end = start
      while end < bytes.count, end - start < 200, !Self.badgeEnds.contains(bytes[end]) { end += 1 }
      index = end
      var pathEnd = end
      // The image's format: "license-MIT-blue.svg".
      if let dot = (max(start, end - 5)..<end).last(where: { bytes[$0] == 0x2E }),
        (dot + 1..<end).allSatisfy({ ASCII.isAlphanumeric(bytes[$0]) && !ASCII.isDigit(bytes[$0]) })
      {
        pathEnd = dot
      }
      guard let message = Self.badgeMessage(UnsafeRawBufferPointer(rebasing: bytes[start..<pathEnd])) else { continue }
      // Spaced, a "/" between names is no URL's ("Apache2.0/MIT").
      let field = Array("License: ".utf8) + message.flatMap { $0 == 0x2F ? [0x20, 0x2F, 0x20] : [$0] }
      field.withUnsafeBytes { fieldBytes in
        let tokens = WordTokens(fieldBytes)
        for finding in namedLicences(tokens, bytes: fieldBytes, bsdGrantRead: false) {
          findings.append(
            LicenseFinding(spdx: finding.spdx, method: .notice, confidence: 0.8, start: found, end: end))
        }
      }
    }
    return findings
  }
  static let badgePath = Array("shields.io/badge/".utf8)
  /// Bytes that end a badge's URL: blanks, quotes, brackets and "?" (its query).
  static let badgeEnds: Set<UInt8> = Set(" \t\r\n\"'()<>[]?".utf8)

  /// The message of a static badge's path (LABEL-MESSAGE-COLOUR) whose label is "license" or
  /// "licence", unescaped; nil for another label.
  static func badgeMessage(_ path: UnsafeRawBufferPointer) -> [UInt8]? {
    // Split at single dashes: "--" is an escaped dash.
    var parts: [[UInt8]] = [[]]
    var index = 0
    while index < path.count {
      if path[index] == 0x2D {
        if index + 1 < path.count, path[index + 1] == 0x2D {
          parts[parts.count - 1].append(0x2D)
          index += 2
          continue
        }
        parts.append([])
      } else {
        parts[parts.count - 1].append(path[index])
      }
      index += 1
    }
    guard parts.count == 3 else { return nil }
    let label = String(decoding: unescaped(parts[0]), as: UTF8.self).lowercased()
    guard ["license", "licence", "licenses"].contains(label) else { return nil }
    return unescaped(parts[1])
  }

  /// A badge's text with its escapes undone: "%2F" is "/", "_" a space, "__" "_".
  static func unescaped(_ text: [UInt8]) -> [UInt8] {
    var result: [UInt8] = []
    var index = 0
    while index < text.count {
      let byte = text[index]
      if byte == 0x25, index + 2 < text.count, let high = Hex.digitValue(text[index + 1]),
        let low = Hex.digitValue(text[index + 2])
      {
        result.append(high << 4 | low)
        index += 3
      } else if byte == 0x5F {
        let doubled = index + 1 < text.count && text[index + 1] == 0x5F
        result.append(doubled ? 0x5F : 0x20)
        index += doubled ? 2 : 1
      } else {
        result.append(byte)
        index += 1
      }
    }
    return result
  }
}
