/// Growable bytes in one heap block that stays put until it must grow, for hot paths that
/// reuse a buffer from record to record and hand out raw pointers into it.
public final class ByteBuffer {
  public private(set) var count = 0
  private var storage: UnsafeMutableRawBufferPointer

  public init(capacity: Int = 1 << 16) {
    storage = .allocate(byteCount: max(capacity, 16), alignment: 16)
  }

  deinit { storage.deallocate() }

  public var capacity: Int { storage.count }

  /// The bytes held; valid until the buffer next grows.
  public var bytes: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(rebasing: storage[..<count]) }

  /// The free space after the bytes held, for reading into directly (then `didAppend`).
  public var freeSpace: UnsafeMutableRawBufferPointer { UnsafeMutableRawBufferPointer(rebasing: storage[count...]) }

  /// Makes room for at least `capacity` bytes in all. It grows at least by doubling, so a caller
  /// that reserves a little more before every append (a text node at a time) still copies each
  /// byte a bounded number of times; growing to exactly the request made that quadratic.
  public func reserve(_ capacity: Int) {
    guard capacity > storage.count else { return }
    reallocate(max(capacity, storage.count * 2))
  }

  /// Makes room for exactly `capacity` bytes in all, for a caller that knows its final size.
  public func reserveExactly(_ capacity: Int) {
    guard capacity > storage.count else { return }
    reallocate(capacity)
  }

  private func reallocate(_ capacity: Int) {
    let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
    if count > 0 { grown.baseAddress!.copyMemory(from: storage.baseAddress!, byteCount: count) }
    storage.deallocate()
    storage = grown
  }

  public func append(_ bytes: UnsafeRawBufferPointer) {
    guard !bytes.isEmpty else { return }
    if count + bytes.count > storage.count { reserve(count + bytes.count) }
    (storage.baseAddress! + count).copyMemory(from: bytes.baseAddress!, byteCount: bytes.count)
    count += bytes.count
  }

  public func append(_ bytes: [UInt8]) {
    bytes.withUnsafeBytes { append($0) }
  }

  public func didAppend(_ added: Int) {
    precondition(count + added <= storage.count)
    count += added
  }

  public func removeAll() { count = 0 }

  /// Drops the first `prefix` bytes, moving the rest to the front.
  public func removeFirst(_ prefix: Int) {
    precondition(prefix <= count)
    if prefix < count {
      storage.baseAddress!.copyMemory(from: storage.baseAddress! + prefix, byteCount: count - prefix)
    }
    count -= prefix
  }

  /// Keeps only the first `newCount` bytes.
  public func truncate(to newCount: Int) {
    precondition(newCount <= count)
    count = newCount
  }
}
