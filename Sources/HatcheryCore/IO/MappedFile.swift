import Foundation

/// A file mapped read-only for its whole life: readers that look at a file in place (shards,
/// shard task files) map it once and share the bytes, unmapped when the last owner goes.
public final class MappedFile: @unchecked Sendable {
  public let path: String
  /// The file's bytes; never written.
  public let bytes: UnsafeRawBufferPointer

  /// Maps `path`; `name` (default: the path) is what errors call it. An empty file cannot be
  /// mapped and is an error.
  public init(path: String, name: String? = nil) throws {
    self.path = path
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw HatcheryError.system("open", path: path) }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw HatcheryError.system("stat", path: path) }
    let size = Int(info.st_size)
    guard size > 0, let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
      throw HatcheryError("\(name ?? path): cannot map the file (empty or unreadable)")
    }
    bytes = UnsafeRawBufferPointer(start: address, count: size)
  }

  /// Gives the pages read so far back to the system (they count in the process's resident
  /// memory until then); the bytes stay readable, from the page cache or the file.
  public func releasePages() {
    _ = madvise(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count, MADV_DONTNEED)
  }

  /// Gives back the pages that hold bytes of `range` (offsets into the file).
  public func releasePages(in range: Range<Int>) {
    let page = Int(sysconf(Int32(_SC_PAGESIZE)))
    let start = max(0, range.lowerBound) / page * page
    let end = min(bytes.count, range.upperBound)
    guard start < end else { return }
    _ = madvise(UnsafeMutableRawPointer(mutating: bytes.baseAddress! + start), end - start, MADV_DONTNEED)
  }

  deinit { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
}
