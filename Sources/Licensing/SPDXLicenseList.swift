/// The SPDX License List: which ids exist, which are exceptions, which are deprecated and what
/// replaces them, and each licence's category.
public struct SPDXLicenseList: Sendable {
  public struct Entry: Sendable {
    /// The id as SPDX spells it.
    public let id: String
    public let isException: Bool
    public let isDeprecated: Bool
    /// ScanCode LicenseDB's category: permissive, copyleft, copyleft-limited, public-domain, ...
    public let category: String
  }

  /// Entries by lower-cased id (SPDX ids match case-insensitively).
  private let entries: [String: Entry]
  /// Former ids (lower-cased) → the id that now means the same (`GPL-2.0+` → `GPL-2.0-or-later`).
  private let replacements: [String: String]

  public static let shared = SPDXLicenseList(table: SPDXLicenseData.table)

  init(table: String) {
    var entries: [String: Entry] = [:]
    var replacements: [String: String] = [:]
    for line in table.split(separator: "\n") {
      let fields = line.split(separator: "|", omittingEmptySubsequences: false).map(String.init)
      guard fields.count == 5 else { continue }
      let entry = Entry(
        id: fields[0], isException: fields[1] == "e", isDeprecated: fields[3] == "d", category: fields[2])
      entries[fields[0].lowercased()] = entry
      for alias in fields[4].split(separator: ",") where !alias.isEmpty {
        replacements[alias.lowercased()] = fields[0]
      }
    }
    self.entries = entries
    self.replacements = replacements
  }

  /// The entry for `id` after deprecated ids are mapped to their replacement.
  public func entry(_ id: String) -> Entry? {
    let lowered = id.lowercased()
    if let replacement = replacements[lowered], let entry = entries[replacement.lowercased()] { return entry }
    return entries[lowered]
  }
}
