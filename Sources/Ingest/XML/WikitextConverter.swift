import HatcheryCore

/// Turns MediaWiki wikitext into plain text for pre-training: the prose a reader sees, with
/// headings as lines of their own. Dropped: HTML comments, templates and parser functions
/// (`{{…}}`, nested), tables (`{|…|}`), references (`<ref>`), files, images, categories and
/// interwiki links, behaviour switches (`__TOC__`), math, galleries and other extension tags.
/// Kept: link labels (`[[Paris|the capital]]` gives "the capital"), external link labels,
/// the text inside formatting tags, list items without their markers.
///
/// Three byte-level passes, each copying forward into a reused buffer: block constructs out,
/// then inline markup, then lines. Nothing is allocated per page beyond the buffers' growth.
public final class WikitextConverter {
  private var first: [UInt8] = []
  private var second: [UInt8] = []
  private var third: [UInt8] = []

  public init() {}

  /// The plain text of one page's wikitext.
  public func convert(_ wikitext: UnsafeRawBufferPointer) -> [UInt8] {
    first.removeAll(keepingCapacity: true)
    second.removeAll(keepingCapacity: true)
    third.removeAll(keepingCapacity: true)
    removeBlocks(wikitext, into: &first)
    first.withUnsafeBytes { convertInline($0, into: &second) }
    second.withUnsafeBytes { cleanLines($0, into: &third) }
    return third
  }

  // MARK: Pass 1: comments, templates, tables, references and extension tags

  /// Tags whose content is not prose: dropped with what they enclose.
  private static let droppedTags: Set<String> = [
    "ref", "math", "gallery", "timeline", "score", "syntaxhighlight", "source", "hiero", "chem", "graph",
    "mapframe", "maplink", "templatedata", "imagemap", "references", "nowiki", "ce", "inputbox", "categorytree",
    "charinsert", "poem-ignore", "templatestyles", "section", "indicator",
  ]

  private func removeBlocks(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
    output.reserveCapacity(input.count)
    var templateDepth = 0
    var tableDepth = 0
    var index = 0
    let count = input.count
    while index < count {
      let byte = input[index]
      let atLineStart = index == 0 || input[index - 1] == 0x0A
      if byte == 0x3C {  // <
        if Self.starts(input, at: index, "<!--") {
          index = Self.find(input, "-->", from: index + 4).map { $0 + 3 } ?? count
          continue
        }
        if let (name, end, selfClosing) = Self.tag(input, at: index), Self.droppedTags.contains(name) {
          if selfClosing {
            index = end
          } else {
            index = Self.closingTag(input, name: name, from: end) ?? end
          }
          continue
        }
      } else if byte == 0x7B && index + 1 < count && input[index + 1] == 0x7B {  // {{
        templateDepth += 1
        index += 2
        continue
      } else if byte == 0x7D && templateDepth > 0 && index + 1 < count && input[index + 1] == 0x7D {  // }}
        templateDepth -= 1
        index += 2
        continue
      } else if (byte == 0x7B || byte == 0x7C) && (atLineStart || Self.onlySpacesBefore(input, index)) {
        if byte == 0x7B && index + 1 < count && input[index + 1] == 0x7C {  // {| opens a table
          tableDepth += 1
          index += 2
          continue
        }
        if byte == 0x7C && tableDepth > 0 && index + 1 < count && input[index + 1] == 0x7D {  // |}
          tableDepth -= 1
          index += 2
          continue
        }
      }
      if templateDepth == 0 && tableDepth == 0 { output.append(byte) }
      index += 1
    }
  }

  // MARK: Pass 2: links, external links, bold and italics, tags, entities

  private static let droppedNamespaces: Set<String> = [
    "file", "image", "media", "category", "datei", "bild", "kategorie", "fichier", "catégorie", "archivo",
    "imagen", "categoría", "categoria", "arquivo", "ficheiro", "файл", "изображение", "категория", "картинка",
    "plik", "kategoria", "bestand", "categorie", "afbeelding", "ファイル", "画像", "カテゴリ", "文件", "图像",
    "分类", "分類",
  ]

  private func convertInline(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
    output.reserveCapacity(input.count)
    var index = 0
    let count = input.count
    while index < count {
      let byte = input[index]
      switch byte {
      case 0x5B:  // [
        if index + 1 < count && input[index + 1] == 0x5B {
          let end = Self.matchingLinkEnd(input, from: index + 2) ?? count
          appendLink(UnsafeRawBufferPointer(rebasing: input[(index + 2)..<min(end, count)]), into: &output)
          index = min(end + 2, count)
          continue
        }
        if Self.startsExternalLink(input, at: index + 1) {
          let close = Self.find(input, "]", from: index + 1) ?? count
          let lineEnd = Self.find(input, "\n", from: index + 1) ?? count
          if close < lineEnd {
            let inner = UnsafeRawBufferPointer(rebasing: input[(index + 1)..<close])
            if let space = inner.firstIndex(of: 0x20) {
              convertInline(UnsafeRawBufferPointer(rebasing: inner[(space + 1)...]), into: &output)
            }
            index = close + 1
            continue
          }
        }
      case 0x27 where index + 1 < count && input[index + 1] == 0x27:  // '' and ''' and '''''
        var end = index
        while end < count && input[end] == 0x27 { end += 1 }
        index = end
        continue
      case 0x3C:  // <
        if let (name, end, _) = Self.tag(input, at: index) ?? Self.closing(input, at: index) {
          if name == "br" || name == "p" || name == "div" || name == "li" { output.append(0x0A) }
          index = end
          continue
        }
      case 0x26:  // &
        if let (scalar, end) = Self.entity(input, at: index) {
          Self.appendUTF8(scalar, to: &output)
          index = end
          continue
        }
      default: break
      }
      output.append(byte)
      index += 1
    }
  }

  /// `[[target]]`, `[[target|label]]`, `[[target]]s` (the trail is plain text, kept by the
  /// caller); files, categories and interwiki links give nothing.
  private func appendLink(_ inner: UnsafeRawBufferPointer, into output: inout [UInt8]) {
    let bar = inner.firstIndex(of: 0x7C)
    let target = UnsafeRawBufferPointer(rebasing: inner[..<(bar ?? inner.count)])
    if let colon = target.firstIndex(of: 0x3A), colon > 0 {
      let prefix = String(decoding: UnsafeRawBufferPointer(rebasing: target[..<colon]), as: UTF8.self)
        .trimmingCharacters(in: .whitespaces).lowercased()
      if Self.droppedNamespaces.contains(prefix) || Self.isLanguageCode(prefix) { return }
    }
    if let bar {
      convertInline(UnsafeRawBufferPointer(rebasing: inner[(bar + 1)...]), into: &output)
    } else {
      var shown = target
      if shown.first == 0x3A { shown = UnsafeRawBufferPointer(rebasing: shown[1...]) }  // [[:Category:X]]
      convertInline(shown, into: &output)
    }
  }

  /// Interwiki prefixes: `fr`, `de`, `zh-yue`, `simple`…: lower-case letters and hyphens,
  /// 2–12 characters, where a main-namespace title would have a capital.
  private static func isLanguageCode(_ prefix: String) -> Bool {
    guard (2...12).contains(prefix.utf8.count) else { return false }
    return prefix.utf8.allSatisfy { ASCII.isLowercase($0) || $0 == 0x2D }
      && (prefix.utf8.count <= 3 || prefix.contains("-") || prefix == "simple")
  }

  // MARK: Pass 3: headings, list markers, switches, spacing

  private func cleanLines(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) {
    output.reserveCapacity(input.count)
    var lineStart = 0
    var blankLines = 0
    while lineStart <= input.count {
      let lineEnd = Self.find(input, "\n", from: lineStart) ?? input.count
      var start = lineStart
      var end = lineEnd
      while start < end && ASCII.isLineSpace(input[start]) { start += 1 }
      while end > start && ASCII.isLineSpace(input[end - 1]) { end -= 1 }
      // Headings: "== Title ==".
      if end - start >= 2 && input[start] == 0x3D && input[end - 1] == 0x3D {
        while start < end && input[start] == 0x3D { start += 1 }
        while end > start && input[end - 1] == 0x3D { end -= 1 }
      } else {
        // List and indentation markers: *, #, :, ;.
        while start < end
          && (input[start] == 0x2A || input[start] == 0x23 || input[start] == 0x3A || input[start] == 0x3B)
        {
          start += 1
        }
      }
      while start < end && ASCII.isLineSpace(input[start]) { start += 1 }
      while end > start && ASCII.isLineSpace(input[end - 1]) { end -= 1 }
      let line = UnsafeRawBufferPointer(rebasing: input[start..<end])
      let isRule = !line.isEmpty && line.allSatisfy { $0 == 0x2D } && line.count >= 4
      if line.isEmpty || isRule || Self.isBehaviourSwitch(line) {
        blankLines += 1
      } else {
        if !output.isEmpty { output.append(contentsOf: blankLines > 0 ? [0x0A, 0x0A] : [0x0A]) }
        Self.appendCollapsingSpaces(line, to: &output)
        blankLines = 0
      }
      lineStart = lineEnd + 1
    }
  }

  private static func isBehaviourSwitch(_ line: UnsafeRawBufferPointer) -> Bool {
    line.count > 4 && line.starts(with: [0x5F, 0x5F]) && line.reversed().starts(with: [0x5F, 0x5F])
      && !line.contains(0x20)
  }

  private static func appendCollapsingSpaces(_ line: UnsafeRawBufferPointer, to output: inout [UInt8]) {
    var previousSpace = false
    for byte in line {
      let space = ASCII.isLineSpace(byte)
      if space && previousSpace { continue }
      output.append(space ? 0x20 : byte)
      previousSpace = space
    }
  }

  // MARK: Scanning helpers

  private static func onlySpacesBefore(_ input: UnsafeRawBufferPointer, _ index: Int) -> Bool {
    var position = index - 1
    while position >= 0 {
      if input[position] == 0x0A { return true }
      if !ASCII.isLineSpace(input[position]) { return false }
      position -= 1
    }
    return true
  }

  static func starts(_ input: UnsafeRawBufferPointer, at index: Int, _ prefix: StaticString) -> Bool {
    let length = prefix.utf8CodeUnitCount
    guard index + length <= input.count else { return false }
    for offset in 0..<length where input[index + offset] != prefix.utf8Start[offset] { return false }
    return true
  }

  static func find(_ input: UnsafeRawBufferPointer, _ needle: StaticString, from start: Int) -> Int? {
    var index = start
    let first = needle.utf8Start[0]
    while index < input.count {
      if input[index] == first && starts(input, at: index, needle) { return index }
      index += 1
    }
    return nil
  }

  private static func startsExternalLink(_ input: UnsafeRawBufferPointer, at index: Int) -> Bool {
    starts(input, at: index, "http://") || starts(input, at: index, "https://") || starts(input, at: index, "//")
      || starts(input, at: index, "ftp://") || starts(input, at: index, "mailto:")
  }

  /// The `]]` that closes a link whose content starts at `start`, skipping nested links.
  private static func matchingLinkEnd(_ input: UnsafeRawBufferPointer, from start: Int) -> Int? {
    var depth = 0
    var index = start
    while index + 1 < input.count {
      if input[index] == 0x5B && input[index + 1] == 0x5B {
        depth += 1
        index += 2
      } else if input[index] == 0x5D && input[index + 1] == 0x5D {
        if depth == 0 { return index }
        depth -= 1
        index += 2
      } else if input[index] == 0x0A && input[index + 1] == 0x0A {
        return nil  // a paragraph break: the link was never closed
      } else {
        index += 1
      }
    }
    return nil
  }

  /// An opening tag at `index`: its lower-case name, the index after `>`, whether it is `/>`.
  static func tag(_ input: UnsafeRawBufferPointer, at index: Int) -> (String, Int, Bool)? {
    var position = index + 1
    let nameStart = position
    while position < input.count, isNameByte(input[position]) { position += 1 }
    guard position > nameStart, position < input.count else { return nil }
    let name = String(decoding: UnsafeRawBufferPointer(rebasing: input[nameStart..<position]), as: UTF8.self)
      .lowercased()
    let limit = min(input.count, position + 2048)
    while position < limit && input[position] != 0x3E && input[position] != 0x3C { position += 1 }
    guard position < limit, input[position] == 0x3E else { return nil }
    return (name, position + 1, input[position - 1] == 0x2F)
  }

  /// A closing tag `</name>` at `index`.
  private static func closing(_ input: UnsafeRawBufferPointer, at index: Int) -> (String, Int, Bool)? {
    guard index + 2 < input.count, input[index + 1] == 0x2F else { return nil }
    var position = index + 2
    let nameStart = position
    while position < input.count, isNameByte(input[position]) { position += 1 }
    guard position > nameStart else { return nil }
    while position < input.count && ASCII.isLineSpace(input[position]) { position += 1 }
    guard position < input.count, input[position] == 0x3E else { return nil }
    let name = String(decoding: UnsafeRawBufferPointer(rebasing: input[nameStart..<(position)]), as: UTF8.self)
    return (name.trimmingCharacters(in: .whitespaces).lowercased(), position + 1, false)
  }

  /// The index after `</name>` following `from`, case-insensitive; nil if it never closes.
  private static func closingTag(_ input: UnsafeRawBufferPointer, name: String, from start: Int) -> Int? {
    var index = start
    while index + 1 < input.count {
      if input[index] == 0x3C && input[index + 1] == 0x2F, let (closed, end, _) = closing(input, at: index),
        closed == name
      {
        return end
      }
      index += 1
    }
    return nil
  }

  private static func isNameByte(_ byte: UInt8) -> Bool {
    ASCII.isAlphanumeric(byte)
  }

  private static let namedEntities: [String: UInt32] = [
    "nbsp": 0x20, "amp": 0x26, "lt": 0x3C, "gt": 0x3E, "quot": 0x22, "apos": 0x27, "ndash": 0x2013,
    "mdash": 0x2014, "minus": 0x2212, "times": 0xD7, "deg": 0xB0, "hellip": 0x2026, "thinsp": 0x2009,
    "shy": 0xAD, "middot": 0xB7, "lsquo": 0x2018, "rsquo": 0x2019, "ldquo": 0x201C, "rdquo": 0x201D,
    "euro": 0x20AC, "pound": 0xA3, "copy": 0xA9, "zwj": 0x200D, "zwnj": 0x200C,
  ]

  /// An HTML entity at `index` (`&nbsp;`, `&#8212;`, `&#x2014;`): its scalar and the index after it.
  private static func entity(_ input: UnsafeRawBufferPointer, at index: Int) -> (UInt32, Int)? {
    let limit = min(input.count, index + 12)
    guard let semicolon = (index + 1..<limit).first(where: { input[$0] == 0x3B }) else { return nil }
    let body = String(decoding: UnsafeRawBufferPointer(rebasing: input[(index + 1)..<semicolon]), as: UTF8.self)
    if body.hasPrefix("#x") || body.hasPrefix("#X") {
      guard let value = UInt32(body.dropFirst(2), radix: 16), Unicode.Scalar(value) != nil else { return nil }
      return (value, semicolon + 1)
    }
    if body.hasPrefix("#") {
      guard let value = UInt32(body.dropFirst()), Unicode.Scalar(value) != nil else { return nil }
      return (value, semicolon + 1)
    }
    return namedEntities[body].map { ($0, semicolon + 1) }
  }

  private static func appendUTF8(_ value: UInt32, to output: inout [UInt8]) {
    guard let scalar = Unicode.Scalar(value) else { return }
    output.append(contentsOf: Array(String(Character(scalar)).utf8))
  }
}
