import CLibXML2
import Foundation
import HatcheryCore

/// The attributes of one element that the extractor uses, read in one pass over libxml2's
/// attribute list. `class` and `id` are classified from their bytes without building strings;
/// only the rarer link and meta attributes become strings.
struct ElementAttributes {
  var hint = BoilerplateHint.none
  /// The furniture word of a hint (`BoilerplateHint.strongWord`, `weakWord`), 0 for none.
  var hintWord: UInt8 = 0
  /// FNV-1a of the `class` value as written, 0 without one: a template's repeated parts share it.
  var classHash: UInt64 = 0
  /// `hidden`, or an inline style that hides the element.
  var isHidden = false
  /// ARIA landmark roles of page furniture (`navigation`, `banner`, `contentinfo`…).
  var isFurnitureRole = false
  /// `role="main"`: the page's own statement of where its main content is.
  var isMainRole = false
  var rel: String?
  var href: String?
  var lang: String?
  var name: String?
  /// Whether it has an `id`: on an anchor without `href`, HTML5's form of `name`.
  var hasID = false
  var content: String?

  private static let furnitureRoles: Set<String> = [
    "navigation", "banner", "contentinfo", "complementary", "search", "menu", "menubar", "dialog", "alertdialog",
    "toolbar", "tooltip",
  ]

  init(_ node: xmlNodePtr, scratch: ByteBuffer) {
    var attribute = node.pointee.properties
    scratch.removeAll()
    var positive = false
    while let current = attribute {
      attribute = current.pointee.next
      guard let name = current.pointee.name else { continue }
      let value = current.pointee.children?.pointee.content
      let key = Self.key(name)
      if key == Self.idKey { hasID = true }
      switch key {
      case Self.classKey:
        if let value {
          var hasher = FNV1a()
          var byte = value
          while byte.pointee != 0 {
            hasher.add(byte.pointee)
            byte += 1
          }
          classHash = hasher.value
        }
        fallthrough
      case Self.idKey:
        if let value {
          Self.appendLowercased(value, to: scratch)
          scratch.append([0x20])
        }
      case Self.roleKey:
        if let value {
          let role = String(cString: value).lowercased()
          if Self.furnitureRoles.contains(role) { isFurnitureRole = true }
          if role == "main" || role == "article" { positive = true }
          if role == "main" { isMainRole = true }
        }
      case Self.itempropKey:
        if let value, String(cString: value).lowercased().contains("articlebody") { positive = true }
      case Self.hiddenKey:
        isHidden = true
      case Self.styleKey:
        if let value, Self.hidesElement(value) { isHidden = true }
      case Self.relKey: rel = value.map { String(cString: $0) }
      case Self.hrefKey: href = value.map { String(cString: $0) }
      case Self.langKey: lang = value.map { String(cString: $0) }
      case Self.nameKey: self.name = value.map { String(cString: $0) }
      case Self.contentKey: content = value.map { String(cString: $0) }
      default: break
      }
    }
    if !scratch.bytes.isEmpty { hint = BoilerplateHint.of(UnsafeRawBufferPointer(scratch.bytes)) }
    if hint == .strongNegative { hintWord = BoilerplateHint.strongWord(UnsafeRawBufferPointer(scratch.bytes)) }
    if hint == .weakNegative { hintWord = BoilerplateHint.weakWord(UnsafeRawBufferPointer(scratch.bytes)) }
    // Schema.org and ARIA say outright where the article is; that outranks class names.
    if positive { hint = .positive }
  }

  /// The first 8 bytes of a lower-case attribute name packed into a word (names compared here
  /// are all at most 8 bytes; a longer name can only match if its first 8 do and is rejected by
  /// its ninth, non-zero byte below).
  private static func key(_ name: UnsafePointer<UInt8>) -> UInt64 {
    var key: UInt64 = 0
    var index = 0
    while name[index] != 0 {
      if index == 8 { return 0 }
      key |= UInt64(name[index] | 0x20) << (8 * UInt64(index))
      index += 1
    }
    return key
  }

  private static func pack(_ name: StaticString) -> UInt64 {
    var key: UInt64 = 0
    for index in 0..<name.utf8CodeUnitCount { key |= UInt64(name.utf8Start[index]) << (8 * UInt64(index)) }
    return key
  }

  private static let classKey = pack("class")
  private static let idKey = pack("id")
  private static let roleKey = pack("role")
  private static let itempropKey = pack("itemprop")
  private static let hiddenKey = pack("hidden")
  private static let styleKey = pack("style")
  private static let relKey = pack("rel")
  private static let hrefKey = pack("href")
  private static let langKey = pack("lang")
  private static let nameKey = pack("name")
  private static let contentKey = pack("content")

  private static func appendLowercased(_ value: UnsafePointer<UInt8>, to buffer: ByteBuffer) {
    let length = min(strlen(UnsafeRawPointer(value).assumingMemoryBound(to: CChar.self)), 512)
    buffer.reserve(buffer.count + length + 1)
    let out = buffer.freeSpace
    for index in 0..<length {
      let byte = value[index]
      out[index] = ASCII.lowercased(byte)
    }
    buffer.didAppend(length)
  }

  /// `display:none` or `visibility:hidden` in an inline style, spaces and case ignored.
  private static func hidesElement(_ style: UnsafePointer<UInt8>) -> Bool {
    var compact: [UInt8] = []
    var index = 0
    while style[index] != 0 && index < 1024 {
      let byte = style[index]
      if byte != 0x20 && byte != 0x09 && byte != 0x0A { compact.append(ASCII.lowercased(byte)) }
      index += 1
    }
    return compact.withUnsafeBytes { bytes in
      Self.contains(bytes, "display:none") || Self.contains(bytes, "visibility:hidden")
    }
  }

  private static func contains(_ bytes: UnsafeRawBufferPointer, _ needle: StaticString) -> Bool {
    let count = needle.utf8CodeUnitCount
    guard bytes.count >= count else { return false }
    for start in 0...(bytes.count - count)
    where memcmp(bytes.baseAddress! + start, needle.utf8Start, count) == 0 {
      return true
    }
    return false
  }
}
