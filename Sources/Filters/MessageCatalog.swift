import Foundation
import HatcheryCore

/// GNU gettext message catalogues (`.mo`): the translated strings of a program, the multilingual
/// text every Debian machine carries under /usr/share/locale (GNU gettext manual, "The Format of
/// GNU MO Files": magic 0x950412de, then counts and offsets of the original and translated
/// string tables).
enum MessageCatalog {
  /// The (original, translation) pairs of a catalogue; plural forms and contexts are split off.
  static func entries(path: String) throws -> [(original: String, translation: String)] {
    guard let data = FileManager.default.contents(atPath: path), data.count >= 28 else {
      throw FilterError.badFile(path: path, reason: "not a message catalogue")
    }
    return try data.withUnsafeBytes { bytes -> [(String, String)] in
      let magic = bytes.loadUnaligned(fromByteOffset: 0, as: UInt32.self)
      let swapped: Bool
      switch magic {
      case 0x9504_12DE: swapped = false
      case 0xDE12_0495: swapped = true
      default: throw FilterError.badFile(path: path, reason: "not a message catalogue (bad magic number)")
      }
      func word(_ offset: Int) throws -> Int {
        guard offset + 4 <= bytes.count else {
          throw FilterError.badFile(path: path, reason: "truncated message catalogue")
        }
        let value = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        return Int(swapped ? value.byteSwapped : value)
      }
      func string(_ table: Int, _ index: Int) throws -> String {
        let length = try word(table + index * 8)
        let offset = try word(table + index * 8 + 4)
        guard offset + length <= bytes.count else {
          throw FilterError.badFile(path: path, reason: "truncated message catalogue")
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + length]), as: UTF8.self)
      }
      let count = try word(8)
      let originals = try word(12)
      let translations = try word(16)
      var entries: [(String, String)] = []
      for index in 0..<count {
        // "context\u{4}msgid" and "singular\0plural": keep the message text only.
        let original = try string(originals, index).split(separator: "\u{4}").last.map(String.init) ?? ""
        let translation = try string(translations, index)
        guard !original.isEmpty else { continue }  // the header entry
        entries.append(
          (original.replacingOccurrences(of: "\0", with: "\n"), translation.replacingOccurrences(of: "\0", with: "\n")))
      }
      return entries
    }
  }
}
