/// Why a byte stream could not be read to its end.
public struct StreamError: Error, CustomStringConvertible, Sendable {
  public enum Kind: String, Sendable {
    case unreadable, truncated, corrupt
  }

  public let kind: Kind
  /// One line naming the file and the position.
  public let message: String

  /// Control characters in `message` are escaped: one line, whatever the input held.
  public init(_ kind: Kind, _ message: String) {
    self.kind = kind
    self.message = PrintableText.needsEscaping(message) ? PrintableText.escaped(message) : message
  }

  public var description: String { message }
}
