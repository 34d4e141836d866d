import Foundation

/// A stream of bytes read in pieces: a file, or a decompressor over another source.
public protocol ByteSource: AnyObject {
  /// Fills the start of `buffer` and returns how many bytes it wrote; 0 means the end.
  /// Throws a `StreamError` when the stream is unreadable, truncated or corrupt, naming where.
  func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

extension ByteSource {
  /// Reads until `buffer` is full or the stream ends; returns the count read.
  public func readFully(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    var filled = 0
    while filled < buffer.count {
      let count = try read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
      if count == 0 { break }
      filled += count
    }
    return filled
  }

  /// Reads to the end of the stream, keeping at most `limit` bytes; `complete` is false when
  /// bytes beyond the limit remained (a decompression bomb stops here, unread).
  public func readAll(limit: Int = .max) throws -> (bytes: [UInt8], complete: Bool) {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
      let count = try chunk.withUnsafeMutableBytes { try read(into: $0) }
      if count == 0 { return (bytes, true) }
      let kept = min(count, limit - bytes.count)
      bytes.append(contentsOf: chunk[..<kept])
      if kept < count { return (bytes, false) }
    }
  }
}

/// A file read with plain `read(2)` calls; `offset` counts the bytes consumed so far.
public final class FileByteSource: ByteSource {
  public let path: String
  private var descriptor: Int32
  public private(set) var offset = 0

  public init(path: String) throws {
    self.path = path
    descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else {
      throw StreamError(.unreadable, "\(path): cannot open: \(String(cString: strerror(errno)))")
    }
  }

  /// Opens the file whose path is `pathBytes` exactly (file names need not be UTF-8); `name`
  /// is what messages call it.
  public init(pathBytes: [UInt8], name: String) throws {
    path = name
    descriptor = (pathBytes + [0]).withUnsafeBufferPointer {
      open(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), O_RDONLY | O_CLOEXEC)
    }
    guard descriptor >= 0 else {
      throw StreamError(.unreadable, "\(name): cannot open: \(String(cString: strerror(errno)))")
    }
  }

  deinit { close(descriptor) }

  /// The bytes left to read when this is a regular file (its size now, less `offset`); nil for a
  /// pipe or a device, whose size says nothing.
  public var remainingBytes: Int? {
    var info = stat()
    guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return nil }
    return max(0, Int(info.st_size) - offset)
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    while true {
      let count = Foundation.read(descriptor, buffer.baseAddress!, buffer.count)
      if count >= 0 {
        offset += count
        return count
      }
      if errno != EINTR {
        throw StreamError(.unreadable, "\(path): read failed at byte \(offset): \(String(cString: strerror(errno)))")
      }
    }
  }
}

extension FileByteSource {
  /// The whole file at `path` ("-": standard input), as read(2) gives it, for commands that read
  /// one file per argument: Foundation's `Data(contentsOf:)` keeps memory per call on Linux,
  /// which such a loop piles up.
  public static func contents(of path: String) throws -> [UInt8] {
    try FileByteSource(path: path == "-" ? "/dev/stdin" : path).readAll().bytes
  }

  /// One line for a failed read of `path`: the stream's own message, naming the file and where.
  public static func readFailure(_ error: any Error, path: String) -> String {
    (error as? StreamError)?.message ?? "\(path): cannot read: \(error.localizedDescription)"
  }
}
