/// Bytes already in memory, read as a stream (a page handed to a reader built for files).
public final class MemoryByteSource: ByteSource {
  private let bytes: UnsafeRawBufferPointer
  private let ownsBytes: Bool
  private var position = 0

  /// The bytes must outlive the source.
  public init(_ bytes: UnsafeRawBufferPointer) {
    self.bytes = bytes
    ownsBytes = false
  }

  /// A source over its own copy of `bytes`.
  public init(copying bytes: [UInt8]) {
    let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 8)
    bytes.withUnsafeBytes { if !$0.isEmpty { copy.copyMemory(from: $0) } }
    self.bytes = UnsafeRawBufferPointer(copy)
    ownsBytes = true
  }

  deinit { if ownsBytes { bytes.deallocate() } }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    let count = min(buffer.count, bytes.count - position)
    if count > 0 { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[position..<(position + count)])) }
    position += count
    return count
  }
}
