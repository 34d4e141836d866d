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
  /// The cache: `cachedFrames` buffers of one frame each, allocated once and decoded into in
  /// place (a new zero-filled array per decoded frame was 1.3% of a random-window profile), and the
  /// frame each holds (-1: none) and when it was last used.
  private let slots: UnsafeMutableRawBufferPointer
  private let slotBytes: Int
  private var slotFrames: [Int]
  private var slotUses: [Int]
  private var uses = 0
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
    // The seek table's checksum of every frame is checked below; zstd's own, in shards written
    // before the frames went without it, would check the same bytes a second time.
    ZSTD_DCtx_setParameter(context, ZSTD_d_experimentalParam3, 1)  // ZSTD_d_forceIgnoreChecksum
    self.context = context
    slotBytes = max(1, table.entries.map { Int($0.decompressedSize) }.max() ?? 0)
    slots = .allocate(byteCount: slotBytes * Self.cachedFrames, alignment: 16)
    slotFrames = [Int](repeating: -1, count: Self.cachedFrames)
    slotUses = [Int](repeating: 0, count: Self.cachedFrames)
  }

  deinit {
    slots.deallocate()
    ZSTD_freeDCtx(context)
    munmap(UnsafeMutableRawPointer(mutating: mapping.baseAddress), mapping.count)
  }

  /// The frame holding token `offset`.
  @inline(__always)
  private func frame(of offset: Int) -> Int {
    // Every frame but the last holds exactly `frameTokens` tokens (checked when opened).
    min(offset / frameTokens, frameCount - 1)
  }

  /// The decoded bytes of frame `index`, from the cache or decoded and checked now; valid until
  /// the next call.
  private func decoded(_ index: Int) throws -> UnsafeRawBufferPointer {
    uses += 1
    let size = Int(table.entries[index].decompressedSize)
    if let slot = slotFrames.firstIndex(of: index) {
      slotUses[slot] = uses
      return UnsafeRawBufferPointer(rebasing: slots[(slot * slotBytes)..<(slot * slotBytes + size)])
    }
    let slot = slotUses.indices.min { slotUses[$0] < slotUses[$1] }!
    // Until this frame is checked, the slot holds no frame (a failed decode leaves no stale hit).
    slotFrames[slot] = -1
    let target = UnsafeMutableRawBufferPointer(rebasing: slots[(slot * slotBytes)..<(slot * slotBytes + slotBytes)])
    func fail(_ reason: String) -> HatcheryError { HatcheryError("\(name): frame \(index): \(reason)") }
    let source = UnsafeRawBufferPointer(rebasing: mapping[frameOffsets[index]..<frameOffsets[index + 1]])
    let decodedSize = ZSTD_decompressDCtx(context, target.baseAddress, target.count, source.baseAddress, source.count)
    guard ZSTD_isError(decodedSize) == 0 else { throw fail("cannot be decoded: \(String(cString: ZSTD_getErrorName(decodedSize)))") }
    guard decodedSize == size else { throw fail("decodes to \(decodedSize) bytes, the seek table says \(size)") }
    guard UInt32(truncatingIfNeeded: XXH64(target.baseAddress, size, 0)) == table.entries[index].checksum else {
      throw fail("checksum mismatch: its tokens are damaged")
    }
    slotFrames[slot] = index
    slotUses[slot] = uses
    return UnsafeRawBufferPointer(rebasing: target[0..<size])
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
      let raw = try decoded(index)
      let first = frameFirstTokens[index]
      let available = frameFirstTokens[index + 1] - position
      let take = min(available, count - written)
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
    for index in 0..<frameCount { try body(index, try decoded(index)) }
  }
}
