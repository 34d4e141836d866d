import Foundation
import HatcheryCore

/// Turns the bytes of a web page or XML file into UTF-8, choosing the character set as browsers
/// do, in this order: byte-order mark, the HTTP `Content-Type` header (from a WARC record),
/// a `charset=` in a `<meta>` tag of the first 4 KiB, then UTF-8 if the bytes are valid UTF-8,
/// else Windows-1252. ISO-8859-1 and ASCII labels mean Windows-1252 (WHATWG Encoding Standard).
/// Unlike browsers, bytes that are valid UTF-8 beyond ASCII are UTF-8 whatever the label says.
final class CharsetDecoder {
  struct Decoded {
    /// Valid UTF-8, without a byte-order mark; valid until the next call.
    let text: UnsafeMutableRawBufferPointer
    /// The character set used, lower case.
    let charset: String
    /// Invalid sequences replaced by U+FFFD.
    let replaced: Int
  }

  private let output = ByteBuffer(capacity: 1 << 16)
  private let normalizer = TextNormalizer()
  private static let metaPrescanBytes = 4096

  /// `declared`: the charset of an HTTP header, if any. `sniffMeta`: look for `<meta charset>`.
  func decode(_ input: UnsafeRawBufferPointer, declared: String?, sniffMeta: Bool) -> Decoded {
    var bytes = input
    var label: String?
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
      bytes = UnsafeRawBufferPointer(rebasing: bytes[3...])
      label = "utf-8"
    } else if bytes.starts(with: [0xFF, 0xFE]) {
      label = "utf-16le"
    } else if bytes.starts(with: [0xFE, 0xFF]) {
      label = "utf-16be"
    }
    if label == nil, let declared { label = Self.canonical(declared) }
    if label == nil, sniffMeta { label = Self.metaCharset(bytes).map(Self.canonical) }
    // A legacy label on UTF-8 text (a server's default ISO-8859-1, a template's stale meta tag)
    // would turn every accented letter into two; text in a legacy encoding is valid UTF-8 by
    // chance almost never once it holds a byte above ASCII, so such bytes are read as UTF-8.
    if let legacy = label, legacy != "utf-8", !legacy.hasPrefix("utf-16"), Self.isUTF8BeyondASCII(bytes) {
      return copied(bytes)
    }
    switch label {
    case "utf-8": return repairedUTF8(bytes, charset: "utf-8")
    case "windows-1252": return windows1252(bytes)
    case .some(let other):
      if let converted = iconvToUTF8(bytes, from: other) { return converted }
      return guessed(bytes)
    case nil: return guessed(bytes)
    }
  }

  static func isUTF8BeyondASCII(_ bytes: UnsafeRawBufferPointer) -> Bool {
    bytes.contains { $0 >= 0x80 } && TextNormalizer.firstInvalidRange(bytes) == nil
  }

  /// Undeclared bytes: UTF-8 when they are valid UTF-8 (copied as they are: already checked),
  /// else Windows-1252.
  private func guessed(_ bytes: UnsafeRawBufferPointer) -> Decoded {
    guard TextNormalizer.firstInvalidRange(bytes) == nil else { return windows1252(bytes) }
    return copied(bytes)
  }

  /// Bytes already checked to be valid UTF-8, copied as they are.
  private func copied(_ bytes: UnsafeRawBufferPointer) -> Decoded {
    output.removeAll()
    output.append(bytes)
    return Decoded(text: output.bytes, charset: "utf-8", replaced: 0)
  }

  private func repairedUTF8(_ bytes: UnsafeRawBufferPointer, charset: String) -> Decoded {
    output.removeAll()
    output.append(bytes)
    let repaired = normalizer.repairUTF8(output.bytes)
    return Decoded(text: repaired.text, charset: charset, replaced: repaired.replaced)
  }

  /// Code points of bytes 0x80–0x9F in Windows-1252 (0 where the byte is undefined and kept as
  /// the C1 control of the same number, as browsers do); other bytes are their Latin-1 value.
  private static let windows1252High: [UInt16] = [
    0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D,
    0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A,
    0x0153, 0x9D, 0x017E, 0x0178,
  ]

  private func windows1252(_ bytes: UnsafeRawBufferPointer) -> Decoded {
    output.removeAll()
    output.reserve(bytes.count * 3)
    let out = output.freeSpace
    var written = 0
    for byte in bytes {
      if byte < 0x80 {
        out[written] = byte
        written += 1
        continue
      }
      let point = byte < 0xA0 ? UInt32(Self.windows1252High[Int(byte) - 0x80]) : UInt32(byte)
      if point < 0x800 {
        out[written] = UInt8(0xC0 | (point >> 6))
        out[written + 1] = UInt8(0x80 | (point & 0x3F))
        written += 2
      } else {
        out[written] = UInt8(0xE0 | (point >> 12))
        out[written + 1] = UInt8(0x80 | ((point >> 6) & 0x3F))
        out[written + 2] = UInt8(0x80 | (point & 0x3F))
        written += 3
      }
    }
    output.didAppend(written)
    return Decoded(text: output.bytes, charset: "windows-1252", replaced: 0)
  }

  /// Any other character set through the C library's iconv; nil when it does not know the name.
  private func iconvToUTF8(_ bytes: UnsafeRawBufferPointer, from charset: String) -> Decoded? {
    let converter = iconv_open("UTF-8", charset.uppercased())
    guard converter != iconv_t(bitPattern: -1) else { return nil }
    defer { iconv_close(converter) }
    output.removeAll()
    output.reserve(bytes.count * 2 + 16)
    var replaced = 0
    var inputPointer = UnsafeMutablePointer(mutating: bytes.baseAddress?.assumingMemoryBound(to: CChar.self))
    var inputLeft = bytes.count
    while inputLeft > 0 {
      if output.freeSpace.count < 16 { output.reserve(output.capacity * 2) }
      let free = output.freeSpace
      var outputPointer: UnsafeMutablePointer<CChar>? = free.baseAddress!.assumingMemoryBound(to: CChar.self)
      var outputLeft = free.count
      let status = iconv(converter, &inputPointer, &inputLeft, &outputPointer, &outputLeft)
      output.didAppend(free.count - outputLeft)
      if status == -1 {
        switch errno {
        case E2BIG: output.reserve(output.capacity * 2)
        case EILSEQ, EINVAL:
          // An invalid or cut-off sequence: one replacement character, then go on after it.
          output.append(Self.replacement)
          replaced += 1
          inputPointer = inputPointer.map { $0 + 1 }
          inputLeft -= 1
        default: return nil
        }
      }
    }
    let repaired = normalizer.repairUTF8(output.bytes)
    return Decoded(text: repaired.text, charset: charset, replaced: replaced + repaired.replaced)
  }

  private static let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]

  /// The label a page or header names, in the few spellings the decoder treats specially. As the
  /// WHATWG Encoding Standard has browsers do, a legacy label names the superset that pages
  /// labelled so are written in: "gb2312" pages use GBK's characters (the standard's GBK decoder
  /// is its gb18030 decoder), "shift_jis" pages Windows-31J's, "euc-kr" pages Windows-949's,
  /// "big5" pages Big5-HKSCS's, "iso-8859-9" Windows-1254's, "tis-620" Windows-874's.
  static func canonical(_ label: String) -> String {
    let lowered = label.trimmingCharacters(in: .whitespaces).lowercased()
    switch lowered {
    case "utf-8", "utf8", "unicode-1-1-utf-8": return "utf-8"
    case "iso-8859-1", "iso8859-1", "latin1", "latin-1", "l1", "ascii", "us-ascii", "windows-1252", "cp1252",
      "x-cp1252", "iso_8859-1", "cp819", "ibm819":
      return "windows-1252"
    case "gb2312", "gb_2312", "gb_2312-80", "gbk", "x-gbk", "chinese", "csgb2312", "csiso58gb231280", "iso-ir-58",
      "gb18030":
      return "gb18030"
    case "shift_jis", "shift-jis", "sjis", "x-sjis", "ms932", "ms_kanji", "csshiftjis", "windows-31j": return "cp932"
    case "euc-kr", "cseuckr", "csksc56011987", "iso-ir-149", "korean", "ks_c_5601-1987", "ks_c_5601-1989", "ksc5601",
      "ksc_5601", "windows-949":
      return "cp949"
    case "big5", "big5-hkscs", "cn-big5", "csbig5", "x-x-big5": return "big5-hkscs"
    case "iso-8859-9", "iso8859-9", "iso88599", "iso_8859-9", "iso_8859-9:1989", "iso-ir-148", "l5", "latin5",
      "csisolatin5", "windows-1254", "cp1254", "x-cp1254":
      return "cp1254"
    case "tis-620", "iso-8859-11", "iso8859-11", "iso885911", "dos-874", "windows-874": return "cp874"
    default: return lowered
    }
  }

  /// The `charset=` value inside a `<meta …>` tag in the first bytes of a page, if any; covers
  /// both `<meta charset="x">` and `<meta http-equiv="Content-Type" content="…; charset=x">`.
  static func metaCharset(_ bytes: UnsafeRawBufferPointer) -> String? {
    let limit = min(bytes.count, metaPrescanBytes)
    var index = 0
    while index + 5 < limit {
      if bytes[index] == 0x3C, matchesLowercased(bytes, at: index + 1, "meta") {
        var end = index + 5
        while end < limit && bytes[end] != 0x3E { end += 1 }
        if let value = charsetValue(UnsafeRawBufferPointer(rebasing: bytes[index..<end])) { return value }
        index = end
      }
      index += 1
    }
    return nil
  }

  /// The value after `charset` `=` inside one tag.
  static func charsetValue(_ tag: UnsafeRawBufferPointer) -> String? {
    var index = 0
    while index + 7 <= tag.count {
      if matchesLowercased(tag, at: index, "charset") {
        var position = index + 7
        while position < tag.count && ASCII.isBlank(tag[position]) { position += 1 }
        if position < tag.count && tag[position] == 0x3D {
          position += 1
          while position < tag.count && (tag[position] == 0x20 || tag[position] == 0x22 || tag[position] == 0x27) {
            position += 1
          }
          let start = position
          while position < tag.count, isLabelByte(tag[position]) { position += 1 }
          if position > start {
            return String(decoding: UnsafeRawBufferPointer(rebasing: tag[start..<position]), as: UTF8.self)
          }
        }
      }
      index += 1
    }
    return nil
  }

  private static func isLabelByte(_ byte: UInt8) -> Bool {
    ASCII.isAlphanumeric(byte) || byte == 0x2D || byte == 0x5F
      || byte == 0x2E || byte == 0x3A
  }

  static func matchesLowercased(_ bytes: UnsafeRawBufferPointer, at offset: Int, _ word: StaticString) -> Bool {
    guard offset + word.utf8CodeUnitCount <= bytes.count else { return false }
    let pointer = word.utf8Start
    for index in 0..<word.utf8CodeUnitCount where bytes[offset + index] | 0x20 != pointer[index] { return false }
    return true
  }
}
