import Foundation

/// An error Hatchery reports to its user as one line: what failed, where, and what to do. Each
/// domain's errors are one enum with the values that locate them (`StoreError`, `TokenizerError`,
/// …) whose `line` is that message; its `description` is the line with control characters
/// escaped. Tests match the cases. `HatcheryError` carries a message that has no case yet.
public protocol HatcheryFailure: Error, CustomStringConvertible, Sendable {
  /// The message as written, before the control characters that file names and values quoted
  /// from input may carry are escaped.
  var line: String { get }
}

extension HatcheryFailure {
  /// `line` as one line: control characters escaped, so no input can add lines or move the cursor.
  public var description: String { PrintableText.needsEscaping(line) ? PrintableText.escaped(line) : line }

  public var message: String { description }
}

/// An error whose description is one line a user can act on: what failed, where, and what to do.
public struct HatcheryError: HatcheryFailure {
  public let message: String

  /// Control characters in `message` (from file names, values quoted from input) are escaped,
  /// so every error is one line by construction.
  public init(_ message: String) {
    self.message = PrintableText.needsEscaping(message) ? PrintableText.escaped(message) : message
  }

  public var description: String { message }

  public var line: String { message }

  /// A failed Foundation file operation on `path`, as one line naming the path and the cause
  /// (Foundation's own message names neither for some calls, such as a write on a full disk).
  public static func file(_ operation: String, path: String, _ error: Error) -> HatcheryError {
    HatcheryError("\(path): cannot \(operation): \(reason(error))")
  }

  /// The cause of a Foundation or POSIX error in a few words: the C library's text for a POSIX
  /// code (also one wrapped in a Cocoa error), else the error's own description.
  public static func reason(_ error: Error) -> String {
    let object = error as NSError
    if object.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(object.code))) }
    if let underlying = object.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
      return String(cString: strerror(Int32(underlying.code)))
    }
    return object.localizedDescription
  }

  /// A failed system call on `path`, with the C library's explanation of `code`.
  public static func system(_ operation: String, path: String, code: Int32 = errno) -> HatcheryError {
    HatcheryError("\(path): cannot \(operation): \(String(cString: strerror(code)))")
  }
}
