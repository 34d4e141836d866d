import Foundation

/// An SPDX licence expression (SPDX specification, annex D): ids with an optional `+`, `WITH`
/// exceptions, `AND`, `OR` and parentheses. Parsing validates every id against the SPDX License
/// List, maps deprecated ids to their replacement (`GPL-2.0` → `GPL-2.0-only`, `GPL-2.0+` →
/// `GPL-2.0-or-later`) and prints the expression in a canonical form.
public indirect enum SPDXExpression: Sendable, Equatable, CustomStringConvertible {
  case license(String)
  case reference(String)  // LicenseRef-… or DocumentRef-…:LicenseRef-…
  case with(SPDXExpression, exception: String)
  case and([SPDXExpression])
  case or([SPDXExpression])

  public struct ParseError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public var description: String { message }
  }

  /// Expressions longer or deeper than this are refused, which bounds the work (and the stack)
  /// on hostile input.
  public static let maximumLength = 4096
  public static let maximumDepth = 64

  public static func parse(_ text: String, list: SPDXLicenseList = .shared) throws(ParseError) -> SPDXExpression {
    guard text.utf8.count <= maximumLength else {
      throw ParseError(message: "SPDX expression longer than \(maximumLength) bytes")
    }
    var parser = Parser(tokens: tokenize(text), list: list)
    let expression = try parser.parseOr()
    guard parser.position == parser.tokens.count else {
      throw ParseError(message: "unexpected '\(parser.tokens[parser.position])' in SPDX expression '\(text)'")
    }
    return expression
  }

  private static func tokenize(_ text: String) -> [String] {
    var tokens: [String] = []
    var current = ""
    for character in text {
      if character == "(" || character == ")" || character.isWhitespace {
        if !current.isEmpty { tokens.append(current) }
        current = ""
        if !character.isWhitespace { tokens.append(String(character)) }
      } else {
        current.append(character)
      }
    }
    if !current.isEmpty { tokens.append(current) }
    return tokens
  }

  private struct Parser {
    let tokens: [String]
    let list: SPDXLicenseList
    var position = 0
    var depth = 0

    init(tokens: [String], list: SPDXLicenseList) {
      self.tokens = tokens
      self.list = list
    }

    private var current: String? { position < tokens.count ? tokens[position] : nil }

    private mutating func accept(_ keyword: String) -> Bool {
      guard let current, current.uppercased() == keyword else { return false }
      position += 1
      return true
    }

    mutating func parseOr() throws(ParseError) -> SPDXExpression {
      var terms = [try parseAnd()]
      while accept("OR") { terms.append(try parseAnd()) }
      return terms.count == 1 ? terms[0] : .or(terms)
    }

    mutating func parseAnd() throws(ParseError) -> SPDXExpression {
      var terms = [try parseWith()]
      while accept("AND") { terms.append(try parseWith()) }
      return terms.count == 1 ? terms[0] : .and(terms)
    }

    mutating func parseWith() throws(ParseError) -> SPDXExpression {
      let base = try parsePrimary()
      guard accept("WITH") else { return base }
      guard let name = current else { throw ParseError(message: "an exception id must follow WITH") }
      position += 1
      guard let entry = list.entry(name), entry.isException else {
        throw ParseError(message: "'\(name)' is not an SPDX exception id")
      }
      return .with(base, exception: entry.id)
    }

    mutating func parsePrimary() throws(ParseError) -> SPDXExpression {
      guard let token = current else {
        throw ParseError(message: "SPDX expression ends where a licence id is expected")
      }
      position += 1
      if token == "(" {
        depth += 1
        guard depth <= SPDXExpression.maximumDepth else {
          throw ParseError(message: "SPDX expression nested deeper than \(SPDXExpression.maximumDepth) parentheses")
        }
        defer { depth -= 1 }
        let inner = try parseOr()
        guard accept(")") else { throw ParseError(message: "missing ')' in SPDX expression") }
        return inner
      }
      if ["AND", "OR", "WITH", ")"].contains(token.uppercased()) {
        throw ParseError(message: "'\(token)' where a licence id is expected")
      }
      if token.hasPrefix("LicenseRef-") || token.hasPrefix("DocumentRef-") {
        return .reference(token)
      }
      // `ID+` means this version or later: a replacement exists for the GNU ids
      // (GPL-2.0+ → GPL-2.0-or-later); elsewhere the `+` is kept.
      if let entry = list.entry(token), !entry.isException { return .license(entry.id) }
      if token.hasSuffix("+"), let entry = list.entry(String(token.dropLast())), !entry.isException {
        if let later = list.entry(entry.id.replacingOccurrences(of: "-only", with: "") + "+") {
          return .license(later.id)
        }
        return .license(entry.id + "+")
      }
      throw ParseError(message: "'\(token)' is not an SPDX licence id")
    }
  }

  public var description: String { render(parentPrecedence: 0) }

  private func render(parentPrecedence: Int) -> String {
    switch self {
    case .license(let id), .reference(let id): return id
    case .with(let base, let exception): return "\(base.render(parentPrecedence: 3)) WITH \(exception)"
    case .and(let terms):
      let text = terms.map { $0.render(parentPrecedence: 2) }.joined(separator: " AND ")
      return parentPrecedence > 2 ? "(\(text))" : text
    case .or(let terms):
      let text = terms.map { $0.render(parentPrecedence: 1) }.joined(separator: " OR ")
      return parentPrecedence > 1 ? "(\(text))" : text
    }
  }

  /// Every licence id in the expression (exceptions not included).
  public var licenseIDs: [String] {
    switch self {
    case .license(let id), .reference(let id): return [id]
    case .with(let base, _): return base.licenseIDs
    case .and(let terms), .or(let terms): return terms.flatMap(\.licenseIDs)
    }
  }
}
