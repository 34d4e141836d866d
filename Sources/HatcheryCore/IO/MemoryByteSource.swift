/// Bytes already in memory, read as a stream (a page handed to a reader built for files).
public final class MemoryByteSource: ByteSource {
  private let bytes: UnsafeRawBufferPointer
  private var position = 0

  /// The bytes must outlive the source.
  public init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let count = min(buffer.count, bytes.count - position)
    if count > 0 { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])) }
    position += count
    return count
  }
}
