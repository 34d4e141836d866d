import CXXHash
import CZstd
import HatcheryCore

/// Decodes shard frames for one thread, any shard's, and keeps the last few decoded (so
/// sequential reads and overlapping windows decode each frame once). Every decoded frame is
/// checked against the seek table (size and checksum); a damaged one is an error naming the
/// shard and the frame, never wrong tokens. A reader per shard and thread each with its own
/// decoder and buffers (160 KB) would grow with shards × threads; one cache per thread does not.
public final class FrameCache {
  private let context: OpaquePointer
  /// `cachedFrames` buffers of one frame each, allocated once and decoded into in place (a new
  /// zero-filled array per decoded frame was 1.3% of a random-window profile); the frame each
  /// holds (nil: none) and when it was last used.
  private var slots: UnsafeMutableRawBufferPointer
  private var slotBytes = 0
  private var slotFrames: [(file: ShardFile, frame: Int)?]
  private var slotUses: [Int]
  private var uses = 0
  private static let cachedFrames = 4

  public init() throws {
    guard let context = ZSTD_createDCtx() else {
      throw ShardError.compression(path: "shard reader", reason: "cannot create a zstd decompressor")
    }
    // The seek table's checksum of every frame is checked below; zstd's own, in shards written
    // before the frames went without it, would check the same bytes a second time.
    ZSTD_DCtx_setParameter(context, ZSTD_d_experimentalParam3, 1)  // ZSTD_d_forceIgnoreChecksum
    self.context = context
    slots = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    slotFrames = [(file: ShardFile, frame: Int)?](repeating: nil, count: Self.cachedFrames)
    slotUses = [Int](repeating: 0, count: Self.cachedFrames)
  }

  deinit {
    slots.deallocate()
    ZSTD_freeDCtx(context)
  }

  /// The decoded bytes of frame `index` of `file`, from the cache or decoded and checked now;
  /// valid until the next call.
  func decoded(_ index: Int, of file: ShardFile) throws -> UnsafeRawBufferPointer {
    uses += 1
    let size = Int(file.table.entries[index].decompressedSize)
    if let slot = slotFrames.firstIndex(where: { $0?.file === file && $0?.frame == index }) {
      slotUses[slot] = uses
      return UnsafeRawBufferPointer(rebasing: slots[(slot * slotBytes)..<(slot * slotBytes + size)])
    }
    if file.largestFrameBytes > slotBytes {
      // Buffers sized for the largest frame seen: allocated on the first frame, again only
      // for a shard with larger frames.
      slots.deallocate()
      slotBytes = file.largestFrameBytes
      slots = .allocate(byteCount: slotBytes * Self.cachedFrames, alignment: 16)
      slotFrames = slotFrames.map { _ in nil }
    }
    let slot = slotUses.indices.min { slotUses[$0] < slotUses[$1] }!
    // Until this frame is checked, the slot holds no frame (a failed decode leaves no stale hit).
    slotFrames[slot] = nil
    let target = UnsafeMutableRawBufferPointer(rebasing: slots[(slot * slotBytes)..<(slot * slotBytes + slotBytes)])
    func fail(_ reason: String) -> ShardError { .damaged(file: file.name, reason: "frame \(index): \(reason)") }
    let source = file.compressedFrame(index)
    let decodedSize = ZSTD_decompressDCtx(context, target.baseAddress, target.count, source.baseAddress, source.count)
    guard ZSTD_isError(decodedSize) == 0 else {
      throw fail("cannot be decoded: \(String(cString: ZSTD_getErrorName(decodedSize)))")
    }
    guard decodedSize == size else { throw fail("decodes to \(decodedSize) bytes, the seek table says \(size)") }
    guard UInt32(truncatingIfNeeded: XXH64(target.baseAddress, size, 0)) == file.table.entries[index].checksum else {
      throw fail("checksum mismatch: its tokens are damaged")
    }
    slotFrames[slot] = (file, index)
    slotUses[slot] = uses
    return UnsafeRawBufferPointer(rebasing: target[0..<size])
  }
}
