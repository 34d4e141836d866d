import CXXHash
import CZstd
import Foundation
import HatcheryCore

/// Writes one shard: tokens in independent zstd frames of `frameTokens` tokens (the last one
/// shorter), then the seek table with each frame's checksum. The file appears under its name
/// only when `finish()` succeeds.
public final class ShardWriter {
  /// 8192 tokens (16 KB of uint16) per frame: the compromise between random access and ratio.
  /// zstd decodes such a frame in about 20 µs here, and a random 1024-token window decodes one,
  /// or two when it straddles a boundary (1 in 8). Measured on tok-text's 12.8 M training tokens
  /// at level 3 with the match finder below, against `zstd -3` on the whole raw stream (seek
  /// tables included): 4096-token frames +4.2%, 6144 +2.2%, 8192 +0.9%.
  public static let defaultFrameTokens = 8192
  /// The most tokens a frame may hold (`--frame-tokens`); a reader refuses larger frames, so a
  /// damaged seek table cannot make it allocate gigabytes.
  public static let maximumFrameTokens = 1 << 20
  /// Small frames need a stronger match finder to keep the ratio of one big stream: level 3's
  /// own parameters for 16 KB inputs gave +2.8%, the lazy2 finder +1.2%, lazy2 looking 2^5 deep
  /// instead of 2^2 +0.98% (the shard stage's compression 0.32 -> 0.37 s on those tokens);
  /// btlazy2 and the optimal parsers did no better at these sizes.
  static let minimumStrategy = ZSTD_lazy2
  static let minimumSearchLog: UInt32 = 5

  public let path: String
  public let tokenType: TokenType
  public let frameTokens: Int
  private let output: AtomicFileOutput
  /// One compressor per thread; frames are independent, so `threads` of them are compressed at
  /// once and written in order — the bytes do not depend on the thread count.
  private let contexts: [OpaquePointer]
  private let frameBytes: Int
  /// Frames collected before they are compressed together: `batchFrames` of `frameBytes` each.
  private let batchFrames: Int
  private var frames: [UInt8]
  private var fullFrames = 0
  private var frameFill = 0
  private var compressed: [UInt8]
  private let compressedBound: Int
  private var table = SeekTable()
  public private(set) var tokens = 0

  public init(path: String, tokenType: TokenType, level: Int, frameTokens: Int = defaultFrameTokens, threads: Int = 1)
    throws
  {
    precondition(frameTokens > 0 && threads > 0)
    self.path = path
    self.tokenType = tokenType
    self.frameTokens = frameTokens
    output = try AtomicFileOutput(path: path)
    frameBytes = frameTokens * tokenType.width
    let levelParameters = ZSTD_getCParams(Int32(level), UInt64(frameBytes), 0)
    var contexts: [OpaquePointer] = []
    for _ in 0..<threads {
      guard let context = ZSTD_createCCtx() else {
        contexts.forEach { ZSTD_freeCCtx($0) }
        throw ShardError.compression(path: path, reason: "cannot create a zstd compressor")
      }
      contexts.append(context)
      // No zstd content checksum: the seek table holds each frame's checksum (as the seekable
      // format's reference writer does); a second one per frame cost 0.04% of the size.
      for (parameter, value) in [
        (ZSTD_c_compressionLevel, Int32(level)), (ZSTD_c_checksumFlag, 0), (ZSTD_c_contentSizeFlag, 1),
        (ZSTD_c_strategy, Int32(max(levelParameters.strategy.rawValue, Self.minimumStrategy.rawValue))),
        (ZSTD_c_searchLog, Int32(max(levelParameters.searchLog, Self.minimumSearchLog))),
      ] {
        guard ZSTD_isError(ZSTD_CCtx_setParameter(context, parameter, value)) == 0 else {
          contexts.forEach { ZSTD_freeCCtx($0) }
          throw ShardError.compression(path: path, reason: "zstd refuses level \(level)")
        }
      }
    }
    self.contexts = contexts
    batchFrames = threads == 1 ? 1 : threads * 4
    frames = [UInt8](repeating: 0, count: batchFrames * frameBytes)
    compressedBound = ZSTD_compressBound(frameBytes)
    compressed = [UInt8](repeating: 0, count: batchFrames * compressedBound)
  }

  deinit { contexts.forEach { ZSTD_freeCCtx($0) } }

  /// Appends tokens; each must fit the token type (the caller checks ids against the vocabulary).
  public func append(_ ids: UnsafeBufferPointer<UInt32>) throws {
    var index = 0
    while index < ids.count {
      let take = min((frameBytes - frameFill) / tokenType.width, ids.count - index)
      let start = fullFrames * frameBytes + frameFill
      frames.withUnsafeMutableBytes { frames in
        switch tokenType {
        case .uint16:
          for offset in 0..<take {
            frames.storeBytes(
              of: UInt16(truncatingIfNeeded: ids[index + offset]).littleEndian, toByteOffset: start + offset * 2,
              as: UInt16.self)
          }
        case .uint32:
          for offset in 0..<take {
            frames.storeBytes(of: ids[index + offset].littleEndian, toByteOffset: start + offset * 4, as: UInt32.self)
          }
        }
      }
      frameFill += take * tokenType.width
      index += take
      tokens += take
      if frameFill == frameBytes {
        fullFrames += 1
        frameFill = 0
        if fullFrames == batchFrames { try flushFrames() }
      }
    }
  }

  /// Compresses the collected frames (the partial one too) and writes them in order.
  private func flushFrames() throws {
    let count = fullFrames + (frameFill > 0 ? 1 : 0)
    guard count > 0 else { return }
    let sizes = UnsafeMutableBufferPointer<Int>.allocate(capacity: count)
    defer { sizes.deallocate() }
    let lastBytes = frameFill > 0 ? frameFill : frameBytes
    frames.withUnsafeBytes { source in
      compressed.withUnsafeMutableBytes { target in
        // Each worker compresses frames worker, worker + threads, … with its own context.
        let shared = UncheckedBox((source, target, sizes, contexts))
        let frameBytes = frameBytes
        let compressedBound = compressedBound
        let compress: @Sendable (Int) -> Void = { worker in
          let (source, target, sizes, contexts) = shared.value
          for frame in stride(from: worker, to: count, by: contexts.count) {
            sizes[frame] = ZSTD_compress2(
              contexts[worker], target.baseAddress! + frame * compressedBound, compressedBound,
              source.baseAddress! + frame * frameBytes, frame == count - 1 ? lastBytes : frameBytes)
          }
        }
        let workers = min(contexts.count, count)
        if workers == 1 { compress(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: compress) }
      }
    }
    for frame in 0..<count {
      let size = sizes[frame]
      guard ZSTD_isError(size) == 0 else {
        throw ShardError.compression(
          path: path, reason: "zstd compression failed: \(String(cString: ZSTD_getErrorName(size)))")
      }
      let bytes = frame == count - 1 ? lastBytes : frameBytes
      let checksum = frames.withUnsafeBytes {
        UInt32(truncatingIfNeeded: XXH64($0.baseAddress! + frame * frameBytes, bytes, 0))
      }
      try compressed.withUnsafeBytes {
        try output.write(UnsafeRawBufferPointer(rebasing: $0[frame * compressedBound..<frame * compressedBound + size]))
      }
      table.entries.append(.init(compressedSize: UInt32(size), decompressedSize: UInt32(bytes), checksum: checksum))
    }
    fullFrames = 0
    frameFill = 0
  }

  public struct Result: Sendable {
    public var tokens: Int
    public var frames: Int
    public var bytes: Int
    public var sha256: String
  }

  /// Writes the last frame and the seek table, and renames the file into place.
  public func finish() throws -> Result {
    try flushFrames()
    try table.encoded().withUnsafeBytes { try output.write($0) }
    let bytes = output.bytesWritten
    let digest = try output.commit()
    return Result(tokens: tokens, frames: table.entries.count, bytes: bytes, sha256: digest.hex)
  }
}
