import CXXHash
import CZstd
import Foundation
import HatcheryCore

/// Reads tokens from one shard at any offset. The file is mapped, not read: only the frames a
/// read touches are decoded, and the last few decoded frames are kept (a small cache, so
/// sequential reads and overlapping windows decode each frame once). Every decoded frame is
/// checked against the seek table (size and checksum); a damaged one is an error naming the
/// shard and the frame, never wrong tokens.
public final class ShardReader {
  public let name: String
  public let tokenType: TokenType
  /// Tokens in the shard.
  public let count: Int
  public var frameCount: Int { table.entries.count }
  /// Tokens in every frame but the last (read from the seek table).
  public let frameTokens: Int

  private let mapping: UnsafeRawBufferPointer
  private let table: SeekTable
  /// Where each frame starts in the file, and its first token; one entry more than frames.
  private let frameOffsets: [Int]
  private let frameFirstTokens: [Int]
  private let context: OpaquePointer
  private var cache: [(frame: Int, bytes: [UInt8])] = []
  private static let cachedFrames = 4

  /// Opens the shard at `path`; its token type comes from the manifest. `name` (default: the
  /// path) is what errors call it.
  public init(path: String, tokenType: TokenType, name: String? = nil) throws {
    self.name = name ?? path
    self.tokenType = tokenType
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    guard descriptor >= 0 else { throw HatcheryError.system("open", path: path) }
    defer { close(descriptor) }
    var info = stat()
    guard fstat(descriptor, &info) == 0 else { throw HatcheryError.system("stat", path: path) }
    let size = Int(info.st_size)
    guard size > 0, let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
      throw HatcheryError("\(self.name): cannot map the file (empty or unreadable)")
    }
    mapping = UnsafeRawBufferPointer(start: address, count: size)
    do {
      table = try SeekTable.read(from: mapping, name: self.name)
      var offsets = [0]
      var firsts = [0]
      let frameTokens = max(1, Int(table.entries.first?.decompressedSize ?? 0) / tokenType.width)
      for (index, entry) in table.entries.enumerated() {
        if index < table.entries.count - 1, Int(entry.decompressedSize) != frameTokens * tokenType.width {
          throw HatcheryError("\(self.name): frame \(index): holds \(entry.decompressedSize) bytes where every frame but the last holds \(frameTokens) tokens")
        }
        guard entry.decompressedSize % UInt32(tokenType.width) == 0 else {
          throw HatcheryError("\(self.name): frame \(index): \(entry.decompressedSize) bytes is not a whole number of tokens")
        }
        offsets.append(offsets.last! + Int(entry.compressedSize))
        firsts.append(firsts.last! + Int(entry.decompressedSize) / tokenType.width)
      }
      self.frameTokens = frameTokens
      frameOffsets = offsets
      frameFirstTokens = firsts
      count = firsts.last!
    } catch {
      munmap(address, size)
      throw error
    }
    guard let context = ZSTD_createDCtx() else {
      munmap(address, size)
      throw HatcheryError("\(self.name): cannot create a zstd decompressor")
    }
    // The seek table's checksum of every frame is checked below; zstd's own would check the
    // same bytes a second time.
    ZSTD_DCtx_setParameter(context, ZSTD_d_experimentalParam3, 1)  // ZSTD_d_forceIgnoreChecksum
    self.context = context
  }

  deinit {
    ZSTD_freeDCtx(context)
    munmap(UnsafeMutableRawPointer(mutating: mapping.baseAddress), mapping.count)
  }

  /// The frame holding token `offset`.
  @inline(__always)
  private func frame(of offset: Int) -> Int {
    // Every frame but the last holds exactly `frameTokens` tokens (checked when opened).
    min(offset / frameTokens, frameCount - 1)
  }

  /// The decoded bytes of frame `index`, from the cache or decoded and checked now.
  private func decoded(_ index: Int) throws -> [UInt8] {
    if let hit = cache.firstIndex(where: { $0.frame == index }) {
      if hit != cache.count - 1 { cache.append(cache.remove(at: hit)) }
      return cache[cache.count - 1].bytes
    }
    let entry = table.entries[index]
    func fail(_ reason: String) -> HatcheryError { HatcheryError("\(name): frame \(index): \(reason)") }
    var bytes = cache.count == Self.cachedFrames ? cache.removeFirst().bytes : []
    bytes.removeAll(keepingCapacity: true)
    bytes.append(contentsOf: repeatElement(0, count: Int(entry.decompressedSize)))
    let source = UnsafeRawBufferPointer(rebasing: mapping[frameOffsets[index]..<frameOffsets[index + 1]])
    let size = bytes.withUnsafeMutableBytes { target in
      ZSTD_decompressDCtx(context, target.baseAddress, target.count, source.baseAddress, source.count)
    }
    guard ZSTD_isError(size) == 0 else { throw fail("cannot be decoded: \(String(cString: ZSTD_getErrorName(size)))") }
    guard size == Int(entry.decompressedSize) else { throw fail("decodes to \(size) bytes, the seek table says \(entry.decompressedSize)") }
    let checksum = bytes.withUnsafeBytes { UInt32(truncatingIfNeeded: XXH64($0.baseAddress, size, 0)) }
    guard checksum == entry.checksum else { throw fail("checksum mismatch: its tokens are damaged") }
    cache.append((index, bytes))
    return bytes
  }

  /// Copies `count` tokens starting at `offset` into `output`.
  public func read(from offset: Int, count: Int, into output: UnsafeMutablePointer<UInt32>) throws {
    guard offset >= 0, count >= 0, offset + count <= self.count else {
      throw HatcheryError("\(name): tokens \(offset)..<\(offset + count) are outside the shard (\(self.count) tokens)")
    }
    var position = offset
    var written = 0
    while written < count {
      let index = frame(of: position)
      let bytes = try decoded(index)
      let first = frameFirstTokens[index]
      let available = frameFirstTokens[index + 1] - position
      let take = min(available, count - written)
      bytes.withUnsafeBytes { raw in
        switch tokenType {
        case .uint16:
          for token in 0..<take {
            output[written + token] = UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: (position - first + token) * 2, as: UInt16.self)))
          }
        case .uint32:
          for token in 0..<take {
            output[written + token] = UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: (position - first + token) * 4, as: UInt32.self))
          }
        }
      }
      written += take
      position += take
    }
  }

  public func read(from offset: Int, count: Int) throws -> [UInt32] {
    try [UInt32](unsafeUninitializedCapacity: count) { buffer, initialized in
      try read(from: offset, count: count, into: buffer.baseAddress!)
      initialized = count
    }
  }

  /// Decodes every frame in order and hands its raw little-endian token bytes to `body`: the
  /// sequential pass of an epoch, or of `verify`.
  public func forEachFrame(_ body: (Int, UnsafeRawBufferPointer) throws -> Void) throws {
    for index in 0..<frameCount {
      let bytes = try decoded(index)
      try bytes.withUnsafeBytes { try body(index, $0) }
    }
  }
}
