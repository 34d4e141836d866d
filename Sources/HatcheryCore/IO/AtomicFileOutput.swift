import Foundation

/// A file written under a temporary name beside its destination and renamed into place by
/// `commit()`, so a reader (or a killed stage's successor) sees either the whole file or none.
/// It counts the bytes and SHA-256 of what it wrote, which manifests and the store record.
public final class AtomicFileOutput {
  public let path: String
  private let temporaryPath: String
  private var descriptor: Int32
  private var hasher = SHA256Hasher()
  public private(set) var bytesWritten = 0

  public init(path: String) throws {
    self.path = path
    self.temporaryPath = "\(path).tmp-\(getpid())"
    // A bare file name is in the current directory, which exists.
    let directory = (path as NSString).deletingLastPathComponent
    if !directory.isEmpty {
      try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }
    descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    guard descriptor >= 0 else { throw HatcheryError.system("create", path: temporaryPath) }
  }

  deinit {
    // Not committed: leave nothing behind.
    if descriptor >= 0 {
      close(descriptor)
      unlink(temporaryPath)
    }
  }

  public func write(_ bytes: UnsafeRawBufferPointer) throws {
    hasher.update(bytes)
    var offset = 0
    while offset < bytes.count {
      let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
      if written < 0 {
        if errno == EINTR { continue }
        throw HatcheryError.system("write", path: temporaryPath)
      }
      offset += written
    }
    bytesWritten += bytes.count
  }

  /// Flushes to disk, renames into place and returns the SHA-256 of the contents.
  public func commit() throws -> SHA256Digest {
    guard fsync(descriptor) == 0 else { throw HatcheryError.system("flush", path: temporaryPath) }
    close(descriptor)
    descriptor = -1
    guard rename(temporaryPath, path) == 0 else { throw HatcheryError.system("rename into place", path: path) }
    let directory = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
    if directory >= 0 {
      fsync(directory)
      close(directory)
    }
    return hasher.finalize()
  }

  /// Writes `bytes` to `path` atomically.
  public static func write(_ bytes: [UInt8], to path: String) throws {
    let output = try AtomicFileOutput(path: path)
    try bytes.withUnsafeBytes { try output.write($0) }
    _ = try output.commit()
  }
}
