/// Reads the documents of a part file in order.
public final class DocumentPartReader {
  public static let maximumLineBytes = 1 << 30

  public let path: String
  private let lines: LineReader

  public init(path: String) throws {
    self.path = path
    let file = try FileByteSource(path: path)
    lines = LineReader(try ZstdByteSource(file, name: path), maximumLineBytes: Self.maximumLineBytes)
  }

  /// Passes over the next document without parsing it; false at the end of the part.
  public func skip() throws -> Bool {
    guard let line = try lines.next() else { return false }
    guard !line.oversized else { throw HatcheryError("\(path): line \(line.number) is larger than 1 GiB") }
    return true
  }

  public func next() throws -> Document? {
    guard let line = try lines.next() else { return nil }
    guard !line.oversized else { throw HatcheryError("\(path): line \(line.number) is larger than 1 GiB") }
    do {
      return try Document(line: line.bytes)
    } catch {
      throw HatcheryError("\(path): line \(line.number): \(error)")
    }
  }
}
