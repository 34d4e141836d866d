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
