/// A JSON value that keeps what a document line needs to round-trip: object members in their
/// order, and numbers as their source text (so 1.0 stays 1.0 and large integers stay exact).
public enum JSONValue: Sendable, Equatable {
  case null
  case bool(Bool)
  case number(String)
  case string(String)
  case array([JSONValue])
  case object(JSONObject)

  public var stringValue: String? {
    if case .string(let value) = self { return value }
    return nil
  }

  public var objectValue: JSONObject? {
    if case .object(let value) = self { return value }
    return nil
  }

  public var intValue: Int? {
    if case .number(let text) = self { return Int(text) }
    return nil
  }

  public static func int(_ value: Int) -> JSONValue { .number(String(value)) }
}

/// A JSON object: members in order of appearance. Lookup is linear, which is the fast choice for
/// the handful of members a document's metadata has.
public struct JSONObject: Sendable, Equatable {
  public var members: [(key: String, value: JSONValue)]

  public init(_ members: [(key: String, value: JSONValue)] = []) {
    self.members = members
  }

  public subscript(key: String) -> JSONValue? {
    get { members.first { $0.key == key }?.value }
    set {
      if let index = members.firstIndex(where: { $0.key == key }) {
        if let newValue { members[index].value = newValue } else { members.remove(at: index) }
      } else if let newValue {
        members.append((key, newValue))
      }
    }
  }

  public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
    lhs.members.count == rhs.members.count
      && zip(lhs.members, rhs.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
  }
}
