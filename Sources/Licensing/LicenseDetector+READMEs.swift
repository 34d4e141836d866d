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
    // Or it ends a copyright line's "All rights reserved." ("Copyright (c) 2018, Yelp, Inc. All
    // Rights reserved. Apache v2"): that line then opens the section.
    if lineStart > 0, bytes[lineStart - 1] != 0x0A, position >= 3,
      (0..<3).allSatisfy({ tokens.hashes[position - 3 + $0] == rightsReserved[$0] })
    {
      lineStart = tokens.starts[position - 3]
      while lineStart > 0, bytes[lineStart - 1] != 0x0A { lineStart -= 1 }
      var first = lineStart
      while first < tokens.starts[position], ASCII.isWhitespace(bytes[first]) { first += 1 }
      guard startsWithCopyright(UnsafeRawBufferPointer(rebasing: bytes[first..<tokens.starts[position]])) else {
        return false
      }
    }
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
  static let rightsReserved = NoticeRule.phrase("all rights reserved")
  /// rST's heading underlines, those Python's documentation uses among them ("#", "*", "=", "-",
  /// "^", '"') and "~".
  static let underlines: Set<UInt8> = Set("#*=-~^\"".utf8)
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
    return prefixes.contains { hasPrefix($0, line, at: 0) }
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
      let end = Self.badgeURLEnd(from: start, limit: 200, bytes)
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
  /// Where the URL whose path goes on at `start` ends: at one of `badgeEnds`, at most `limit` bytes on.
  static func badgeURLEnd(from start: Int, limit: Int, _ bytes: UnsafeRawBufferPointer) -> Int {
    var end = start
    while end < bytes.count, end - start < limit, !badgeEnds.contains(bytes[end]) { end += 1 }
    return end
  }

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

/// A link labelled as the licence whose target is a licence's own page.
extension LicenseDetector {
  /// Licences named by the target of a link or image whose label says "license": a badge the
  /// service fills in, linked to the licence (`[![License](https://img.shields.io/pypi/l/NAME)](
  /// https://opensource.org/licenses/MIT)`), rST's `.. |licence| image:: …` with `:target:
  /// https://www.gnu.org/licenses/gpl-3.0.html`, HTML's `<a href="…"><img alt="License" …></a>`.
  /// The pages read are those that name one licence: the OSI's and SPDX's named by id, the GNU
  /// licences' by file name (`gpl-3.0.html`, `old-licenses/lgpl-2.1.html`, read without "or
  /// later", which a page does not say) and the Apache licence's (`LICENSE-2.0`). A page linked
  /// from other words (a list of licences and their pages) names nothing here.
  func licencePageLinks(_ bytes: UnsafeRawBufferPointer) -> [LicenseFinding] {
    var findings: [LicenseFinding] = []
    var index = 0
    while findings.count < Self.maximumFindings,
      let found = Self.offset(of: Self.licencesPath, anchor: 0, in: bytes, from: index)
    {
      let pathStart = found + Self.licencesPath.count
      let end = Self.badgeURLEnd(from: pathStart, limit: 80, bytes)
      index = end
      guard let (host, urlStart) = Self.licencePageHost(before: found, bytes),
        Self.linkLabelSaysLicence(urlStart: urlStart, urlEnd: end, bytes),
        let id = licencePageID(host: host, UnsafeRawBufferPointer(rebasing: bytes[pathStart..<end]))
      else { continue }
      // A GNU licence's page does not say "or later": it gives way to a grant that does.
      let confidence = host == .gnu ? Self.pointerConfidence : 0.8
      findings.append(LicenseFinding(spdx: id, method: .notice, confidence: confidence, start: urlStart, end: end))
    }
    return findings
  }
  static let licencesPath = Array("/licenses/".utf8)
  static let schemes = [Array("https://".utf8), Array("http://".utf8)]
  static let www = Array("www.".utf8)
  enum LicencePageHost: CaseIterable {
    case opensource, spdx, gnu, apache
    var name: [UInt8] {
      switch self {
      case .opensource: Array("opensource.org".utf8)
      case .spdx: Array("spdx.org".utf8)
      case .gnu: Array("gnu.org".utf8)
      case .apache: Array("apache.org".utf8)
      }
    }
  }

  /// The host a "/licenses/" path at `path` is on, when it is one of the licence pages' and the
  /// URL starts with its scheme ("https://www.gnu.org"), and where the URL starts.
  static func licencePageHost(before path: Int, _ bytes: UnsafeRawBufferPointer) -> (LicencePageHost, Int)? {
    for host in LicencePageHost.allCases {
      let name = host.name
      var start = path - name.count
      guard hasPrefix(name, bytes, at: start) else { continue }
      if hasPrefix(www, bytes, at: start - www.count) { start -= www.count }
      for scheme in schemes where hasPrefix(scheme, bytes, at: start - scheme.count) {
        return (host, start - scheme.count)
      }
      return nil
    }
    return nil
  }

  /// Whether the URL at `urlStart..<urlEnd` is the target of a licence badge — an image whose
  /// label or address says "license" — or of a link labelled only "License": Markdown's
  /// `[![License](…)](URL)`, rST's `:target: URL` under an image directive, HTML's `<a
  /// href="URL"><img alt="License" …></a>`. A link labelled with a licence's name is read by
  /// the name rules, with the words around it ("[GNU General Public License](…gpl-3.0.html) …
  /// or any later version").
  static func linkLabelSaysLicence(urlStart: Int, urlEnd: Int, _ bytes: UnsafeRawBufferPointer) -> Bool {
    guard let (label, image) = linkLabel(urlStart: urlStart, urlEnd: urlEnd, bytes) else { return false }
    if image { return saysLicence(label) }
    let word = String(decoding: label, as: UTF8.self).trimmingCharacters(in: .whitespaces).lowercased()
    return licenceHeadings.contains(word)
  }

  /// The label of the link whose target is the URL at `urlStart..<urlEnd`, and whether it is an
  /// image, if the URL is a link's target.
  static func linkLabel(
    urlStart: Int, urlEnd: Int, _ bytes: UnsafeRawBufferPointer
  ) -> (label: UnsafeRawBufferPointer, image: Bool)? {
    let reach = 300
    // Markdown: the label in the brackets before "](", an image in it nested.
    if urlStart >= 2, bytes[urlStart - 1] == UInt8(ascii: "("), bytes[urlStart - 2] == UInt8(ascii: "]") {
      var depth = 0
      var cursor = urlStart - 2
      while cursor >= max(0, urlStart - reach) {
        if bytes[cursor] == UInt8(ascii: "]") { depth += 1 }
        if bytes[cursor] == UInt8(ascii: "[") {
          depth -= 1
          if depth == 0 {
            let image =
              cursor + 2 < urlStart && bytes[cursor + 1] == UInt8(ascii: "!") && bytes[cursor + 2] == UInt8(ascii: "[")
            return (UnsafeRawBufferPointer(rebasing: bytes[cursor + 1..<urlStart - 2]), image)
          }
        }
        cursor -= 1
      }
      return nil
    }
    var before = urlStart
    while before > 0, bytes[before - 1] == 0x20 || bytes[before - 1] == 0x09 { before -= 1 }
    // rST: ":target: URL" among an image directive's options ("..  |licence| image:: …", ":alt: License").
    if before >= rstTarget.count, hasPrefix(rstTarget, bytes, at: before - rstTarget.count) {
      var lineStart = before - rstTarget.count
      for _ in 0..<6 {
        guard lineStart > 0 else { return nil }
        var start = lineStart - 1
        while start > 0, bytes[start - 1] != 0x0A { start -= 1 }
        var first = start
        while first < lineStart, bytes[first] == 0x20 || bytes[first] == 0x09 { first += 1 }
        if first + 1 < lineStart, bytes[first] == 0x2E, bytes[first + 1] == 0x2E {
          let directive = UnsafeRawBufferPointer(rebasing: bytes[first..<lineStart])
          let image = rstImages.contains { name in
            directive.count >= name.count
              && (0...(directive.count - name.count)).contains { hasPrefix(name, directive, at: $0) }
          }
          return (UnsafeRawBufferPointer(rebasing: bytes[start..<before]), image)
        }
        guard first > start else { return nil }  // an option line is indented
        lineStart = start
      }
      return nil
    }
    // HTML: `href="URL"`, then the anchor's content up to "</a>".
    guard before >= htmlHref.count + 1, bytes[before - 1] == 0x22 || bytes[before - 1] == 0x27,
      hasPrefix(htmlHref, bytes, at: before - 1 - htmlHref.count),
      let tagEnd = (urlEnd..<min(bytes.count, urlEnd + 40)).first(where: { bytes[$0] == UInt8(ascii: ">") })
    else { return nil }
    var cursor = tagEnd + 1
    while cursor + htmlClosing.count <= min(bytes.count, tagEnd + reach) {
      if hasPrefix(htmlClosing, bytes, at: cursor) {
        let content = UnsafeRawBufferPointer(rebasing: bytes[tagEnd + 1..<cursor])
        let image =
          content.count >= htmlImage.count
          && (0...(content.count - htmlImage.count)).contains {
            hasPrefix(htmlImage, content, at: $0)
          }
        return (content, image)
      }
      cursor += 1
    }
    return nil
  }
  static let rstTarget = Array(":target:".utf8)
  static let rstImages = [Array("image::".utf8), Array("figure::".utf8)]
  static let htmlHref = Array("href=".utf8)
  static let htmlClosing = Array("</a".utf8)
  static let htmlImage = Array("<img".utf8)

  /// Whether `bytes` at `offset` start with `prefix` (lower case), in any case.
  static func hasPrefix(_ prefix: [UInt8], _ bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool {
    offset >= 0 && offset + prefix.count <= bytes.count
      && (0..<prefix.count).allSatisfy { ASCII.lowercased(bytes[offset + $0]) == prefix[$0] }
  }

  /// Whether `text` holds "licen" ("License", "licence", "LICENSE-MIT"), in any case.
  static func saysLicence(_ text: UnsafeRawBufferPointer) -> Bool {
    text.count >= licen.count && (0...(text.count - licen.count)).contains { hasPrefix(licen, text, at: $0) }
  }
  static let licen = Array("licen".utf8)

  /// The licence a page's path after "/licenses/" names on `host`, if one.
  func licencePageID(host: LicencePageHost, _ path: UnsafeRawBufferPointer) -> String? {
    var text = String(decoding: path, as: UTF8.self)
    while text.hasSuffix(".") || text.hasSuffix("/") { text.removeLast() }
    for suffix in [".en.html", ".html", ".php", ".txt", ".json"] where text.lowercased().hasSuffix(suffix) {
      text.removeLast(suffix.count)
      break
    }
    switch host {
    case .opensource, .spdx:
      guard let entry = list.entry(text), !entry.isException else { return nil }
      return entry.id
    case .gnu:
      if text.hasPrefix("old-licenses/") { text.removeFirst("old-licenses/".count) }
      let parts = text.lowercased().split(separator: "-", maxSplits: 1)
      guard parts.count == 2, let family = Self.gnuPageFamilies[String(parts[0])],
        parts[1].split(separator: ".").count == 2, parts[1].allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }),
        let entry = list.entry("\(family)-\(parts[1])-only")
      else { return nil }
      return entry.id
    case .apache:
      guard text.uppercased().hasPrefix("LICENSE-"),
        let entry = list.entry("Apache-" + text.dropFirst("LICENSE-".count))
      else { return nil }
      return entry.id
    }
  }
  static let gnuPageFamilies = ["gpl": "GPL", "lgpl": "LGPL", "agpl": "AGPL", "fdl": "GFDL"]
}
