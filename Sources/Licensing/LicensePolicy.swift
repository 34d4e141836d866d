import Foundation
import HatcheryCore
import HatcheryYAML
import Yams

/// Which licences a corpus accepts, read from YAML:
///
///     allow: [permissive, public-domain, CC-BY-4.0]   # categories or SPDX ids; empty: all
///     deny: [non-commercial, no-derivatives]          # checked first
///     unknown: drop                                   # keep, drop or review
///     conflict: review                                # keep, drop or review
///
/// An expression is accepted when every term of an AND is, and any term of an OR (the corpus
/// may choose). Unknown keys are errors with their line and column.
public struct LicensePolicy: Sendable, Equatable {
  public enum Action: String, Sendable, CaseIterable {
    case keep, drop, review
  }

  public var allow: [String] = []
  public var deny: [String] = []
  public var unknown = Action.keep
  public var conflict = Action.keep

  public init(allow: [String] = [], deny: [String] = [], unknown: Action = .keep, conflict: Action = .keep) {
    self.allow = allow
    self.deny = deny
    self.unknown = unknown
    self.conflict = conflict
  }

  public static func load(path: String) throws -> LicensePolicy {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw LicensingError.unreadablePolicy(path: path)
    }
    return try parse(String(decoding: data, as: UTF8.self), file: path)
  }

  public static func parse(_ yaml: String, file: String = "policy") throws -> LicensePolicy {
    let node = try YAMLFile.compose(yaml, file: file)
    guard let mapping = node?.mapping else {
      throw LicensingError.badPolicy(place: file, reason: "a policy is a mapping of allow, deny, unknown, conflict")
    }
    var policy = LicensePolicy()
    for (key, value) in mapping {
      let place = "\(file):\(key.mark.map { "\($0.line):\($0.column)" } ?? "?")"
      switch key.string {
      case "allow": policy.allow = try names(value, place: place)
      case "deny": policy.deny = try names(value, place: place)
      case "unknown": policy.unknown = try action(value, place: place)
      case "conflict": policy.conflict = try action(value, place: place)
      default:
        throw LicensingError.badPolicy(
          place: place, reason: "unknown key '\(key.string ?? "?")' (expected allow, deny, unknown, conflict)")
      }
    }
    return policy
  }

  private static func names(_ node: Node, place: String) throws -> [String] {
    guard let sequence = node.sequence else {
      throw LicensingError.badPolicy(place: place, reason: "expected a list of categories or SPDX ids")
    }
    return try sequence.map { item in
      guard let name = item.string else {
        throw LicensingError.badPolicy(place: place, reason: "expected a category or an SPDX id")
      }
      guard
        LicenseCategory(rawValue: name) != nil || SPDXLicenseList.shared.entry(name) != nil
          || name.hasPrefix("LicenseRef-")
      else {
        throw LicensingError.badPolicy(
          place: place,
          reason:
            "'\(name)' is neither a category (\(LicenseCategory.allCases.map(\.rawValue).joined(separator: ", "))) nor an SPDX id"
        )
      }
      return SPDXLicenseList.shared.entry(name)?.id ?? name
    }
  }

  private static func action(_ node: Node, place: String) throws -> Action {
    guard let text = node.string, let action = Action(rawValue: text) else {
      throw LicensingError.badPolicy(place: place, reason: "expected keep, drop or review")
    }
    return action
  }

  /// nil when `expression` is accepted, else the first licence id that is not.
  public func refusal(of expression: SPDXExpression) -> String? {
    switch expression {
    case .license(let id), .reference(let id): return accepts(id: id) ? nil : id
    case .with(let base, _): return refusal(of: base)
    case .and(let terms): return terms.lazy.compactMap { refusal(of: $0) }.first
    case .or(let terms):
      let refusals = terms.map { refusal(of: $0) }
      return refusals.contains { $0 == nil } ? nil : refusals.first!
    }
  }

  private func accepts(id: String) -> Bool {
    let category = LicenseCategory.of(id: id).rawValue
    if deny.contains(id) || deny.contains(category) { return false }
    return allow.isEmpty || allow.contains(id) || allow.contains(category)
  }
}
