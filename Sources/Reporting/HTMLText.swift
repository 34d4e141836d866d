/// The one HTML writer the reports share (the workspace report, the audit, ablation reports):
/// text escaped for an element or a double-quoted attribute, and a table of text cells.
public enum HTMLText {
  /// `text` with `&`, `<`, `>` and `"` as character references.
  public static func escape(_ text: String) -> String {
    guard text.utf8.contains(where: { $0 == 0x26 || $0 == 0x3C || $0 == 0x3E || $0 == 0x22 }) else { return text }
    var escaped: [UInt8] = []
    escaped.reserveCapacity(text.utf8.count + 16)
    for byte in text.utf8 {
      switch byte {
      case 0x26: escaped += "&amp;".utf8
      case 0x3C: escaped += "&lt;".utf8
      case 0x3E: escaped += "&gt;".utf8
      case 0x22: escaped += "&quot;".utf8
      default: escaped.append(byte)
      }
    }
    return String(decoding: escaped, as: UTF8.self)
  }

  /// A table of `header` and `rows`, every cell escaped; a table without rows says "none".
  public static func table(_ header: [String], _ rows: [[String]]) -> String {
    var text = "<table><thead><tr>" + header.map { "<th>\(escape($0))</th>" }.joined() + "</tr></thead><tbody>"
    for row in rows { text += "<tr>" + row.map { "<td>\(escape($0))</td>" }.joined() + "</tr>" }
    if rows.isEmpty { text += "<tr><td colspan=\"\(header.count)\">none</td></tr>" }
    return text + "</tbody></table>"
  }
}
