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
  private let context: OpaquePointer
  private var frame: [UInt8]
  private var frameFill = 0
  private var compressed: [UInt8]
  private var table = SeekTable()
  public private(set) var tokens = 0

  public init(path: String, tokenType: TokenType, level: Int, frameTokens: Int = defaultFrameTokens) throws {
    precondition(frameTokens > 0)
    self.path = path
    self.tokenType = tokenType
    self.frameTokens = frameTokens
    output = try AtomicFileOutput(path: path)
    guard let context = ZSTD_createCCtx() else { throw HatcheryError("\(path): cannot create a zstd compressor") }
    self.context = context
    let levelParameters = ZSTD_getCParams(Int32(level), UInt64(frameTokens * tokenType.width), 0)
    // No zstd content checksum: the seek table holds each frame's checksum (as the seekable
    // format's reference writer does); a second one per frame cost 0.04% of the size.
    for (parameter, value) in [
      (ZSTD_c_compressionLevel, Int32(level)), (ZSTD_c_checksumFlag, 0), (ZSTD_c_contentSizeFlag, 1),
      (ZSTD_c_strategy, Int32(max(levelParameters.strategy.rawValue, Self.minimumStrategy.rawValue))),
      (ZSTD_c_searchLog, Int32(max(levelParameters.searchLog, Self.minimumSearchLog))),
    ] {
      guard ZSTD_isError(ZSTD_CCtx_setParameter(context, parameter, value)) == 0 else {
        ZSTD_freeCCtx(context)
        throw HatcheryError("\(path): zstd refuses level \(level)")
      }
    }
    frame = [UInt8](repeating: 0, count: frameTokens * tokenType.width)
    compressed = [UInt8](repeating: 0, count: ZSTD_compressBound(frame.count))
  }

  deinit { ZSTD_freeCCtx(context) }

  /// Appends tokens; each must fit the token type (the caller checks ids against the vocabulary).
  public func append(_ ids: UnsafeBufferPointer<UInt32>) throws {
    var index = 0
    while index < ids.count {
      let room = frameTokens - frameFill / tokenType.width
      let take = min(room, ids.count - index)
      frame.withUnsafeMutableBytes { frame in
        switch tokenType {
        case .uint16:
          for offset in 0..<take {
            frame.storeBytes(of: UInt16(truncatingIfNeeded: ids[index + offset]).littleEndian, toByteOffset: frameFill + offset * 2, as: UInt16.self)
          }
        case .uint32:
          for offset in 0..<take {
            frame.storeBytes(of: ids[index + offset].littleEndian, toByteOffset: frameFill + offset * 4, as: UInt32.self)
          }
        }
      }
      frameFill += take * tokenType.width
      index += take
      tokens += take
      if frameFill == frame.count { try flushFrame() }
    }
  }

  private func flushFrame() throws {
    guard frameFill > 0 else { return }
    let size = frame.withUnsafeBytes { source in
      compressed.withUnsafeMutableBytes { target in
        ZSTD_compress2(context, target.baseAddress, target.count, source.baseAddress, frameFill)
      }
    }
    guard ZSTD_isError(size) == 0 else {
      throw HatcheryError("\(path): zstd compression failed: \(String(cString: ZSTD_getErrorName(size)))")
    }
    let checksum = frame.withUnsafeBytes { UInt32(truncatingIfNeeded: XXH64($0.baseAddress, frameFill, 0)) }
    try compressed.withUnsafeBytes { try output.write(UnsafeRawBufferPointer(rebasing: $0[0..<size])) }
    table.entries.append(.init(compressedSize: UInt32(size), decompressedSize: UInt32(frameFill), checksum: checksum))
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
    try flushFrame()
    try table.encoded().withUnsafeBytes { try output.write($0) }
    let bytes = output.bytesWritten
    let digest = try output.commit()
    return Result(tokens: tokens, frames: table.entries.count, bytes: bytes, sha256: digest.hex)
  }
}
