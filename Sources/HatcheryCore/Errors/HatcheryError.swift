import Foundation

/// An error whose description is one line a user can act on: what failed, where, and what to do.
public struct HatcheryError: Error, CustomStringConvertible, Sendable {
  public let message: String

  public init(_ message: String) {
    self.message = message
  }

  public var description: String { message }

  /// A failed system call on `path`, with the C library's explanation of `code`.
  public static func system(_ operation: String, path: String, code: Int32 = errno) -> HatcheryError {
    HatcheryError("\(path): cannot \(operation): \(String(cString: strerror(code)))")
  }
}
