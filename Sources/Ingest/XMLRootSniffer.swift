/// Tells XML formats apart by their root element, without parsing the file.
enum XMLRootSniffer {
  /// The format of the first element in the first 64 KiB that is not a processing instruction,
  /// comment or doctype; nil when there is none or it is not one of the known roots.
  static func format(of input: UnsafeRawBufferPointer) -> MarkupFormat? {
    // UTF-16 files (a byte-order mark first): their ASCII markup is every other byte.
    if input.starts(with: [0xFF, 0xFE]) || input.starts(with: [0xFE, 0xFF]) {
      let low = input.first == 0xFF ? 0 : 1
      let ascii = stride(from: 2 + low, to: min(input.count, 1 << 17), by: 2).map { input[$0] }
      return ascii.withUnsafeBytes { format(of: $0) }
    }
    let bytes = input
    let limit = min(bytes.count, 1 << 16)
    var index = 0
    while index + 1 < limit {
      if bytes[index] == 0x3C {
        let next = bytes[index + 1]
        if next != 0x3F && next != 0x21 {
          var end = index + 1
          while end < limit, bytes[end] > 0x20, bytes[end] != 0x3E, bytes[end] != 0x2F { end += 1 }
          let name = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[(index + 1)..<end]), as: UTF8.self)
          switch name.split(separator: ":").last.map(String.init) ?? name {
          case "mediawiki", "page": return .mediawiki
          case "article": return .jats
          case "TEI", "TEI.2", "teiCorpus": return .tei
          case "html": return .html
          default: return nil
          }
        }
      }
      index += 1
    }
    return nil
  }
}
