/// What a licence lets a corpus builder do, coarsely: the categories policies allow or deny.
/// Ordered from least to most restrictive, so the category of `A AND B` is the larger one and
/// that of `A OR B` the smaller.
public enum LicenseCategory: String, Sendable, CaseIterable, Comparable {
  case publicDomain = "public-domain"
  case permissive
  case weakCopyleft = "weak-copyleft"
  case strongCopyleft = "strong-copyleft"
  case other
  case noDerivatives = "no-derivatives"
  case nonCommercial = "non-commercial"
  case unknown

  public static func < (lhs: LicenseCategory, rhs: LicenseCategory) -> Bool {
    allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
  }

  /// The category of one licence id: Creative Commons NC and ND variants by name, the public
  /// domain dedications, then ScanCode LicenseDB's category (copyleft → strong, copyleft-limited
  /// → weak); ids not on the SPDX list are unknown.
  public static func of(id: String, list: SPDXLicenseList = .shared) -> LicenseCategory {
    let base = id.hasSuffix("+") ? String(id.dropLast()) : id
    if base.contains("-NC") && base.hasPrefix("CC-") { return .nonCommercial }
    if base.contains("-ND") && base.hasPrefix("CC-") { return .noDerivatives }
    if base == NoticeRule.publicDomain { return .publicDomain }
    guard let entry = list.entry(base) else { return .unknown }
    switch entry.category {
    case "public-domain": return .publicDomain
    case "permissive": return .permissive
    case "copyleft-limited": return .weakCopyleft
    case "copyleft": return .strongCopyleft
    default: return .other
    }
  }

  public static func of(_ expression: SPDXExpression, list: SPDXLicenseList = .shared) -> LicenseCategory {
    switch expression {
    case .license(let id), .reference(let id): return of(id: id, list: list)
    case .with(let base, _): return of(base, list: list)
    case .and(let terms): return terms.map { of($0, list: list) }.max()!
    case .or(let terms): return terms.map { of($0, list: list) }.min()!
    }
  }
}
