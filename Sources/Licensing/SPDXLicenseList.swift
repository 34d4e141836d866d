import Foundation

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

  /// The list as the detector ships it: `Resources/spdx-licenses.txt`, the SPDX License List
  /// (3.27) as ScanCode LicenseDB indexes it (CC-BY-4.0, via the `license-expression` package),
  /// one line per id — `id|l or e|category|d if deprecated|former ids` — written by
  /// scripts/generate-spdx-licenses, which records its inputs in `spdx-licenses.json`.
  public static let shared: SPDXLicenseList = {
    guard let url = shippedFile, let table = try? String(contentsOf: url, encoding: .utf8) else {
      // A build whose resources folder was not copied with the binary: no licence can be named.
      fatalError(
        "Hatchery_Licensing.resources/spdx-licenses.txt is not beside the hatchery binary; copy that folder with it")
    }
    return SPDXLicenseList(table: table)
  }()

  static var shippedFile: URL? { Bundle.module.url(forResource: "spdx-licenses", withExtension: "txt") }

  /// The SHA-256 of `spdx-licenses.txt`, as its record says (a test checks both).
  static let shippedSHA256 = "fec6c76cdf6450beee163f869eae621019021d067b99a22204ddba16e82004d0"

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

  /// Every listed id, licences and exceptions.
  public var ids: [String] { entries.values.map(\.id) }

  /// The entry for `id` after deprecated ids are mapped to their replacement.
  public func entry(_ id: String) -> Entry? {
    let lowered = id.lowercased()
    if let replacement = replacements[lowered], let entry = entries[replacement.lowercased()] { return entry }
    return entries[lowered]
  }
}
