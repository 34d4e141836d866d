import HatcheryCore

/// Reads tokens from one shard at any offset: only the frames a read touches are decoded, by
/// the reader's `FrameCache` (its own, or one shared by the readers of one thread).
public final class ShardReader {
  public let file: ShardFile
  private let cache: FrameCache

  public var name: String { file.name }
  public var tokenType: TokenType { file.tokenType }
  /// Tokens in the shard.
  public var count: Int { file.count }
  public var frameCount: Int { file.frameCount }
  /// Tokens in every frame but the last (read from the seek table).
  public var frameTokens: Int { file.frameTokens }

  /// Opens the shard at `path` with a cache of its own; its token type comes from the
  /// manifest. `name` (default: the path) is what errors call it.
  public convenience init(path: String, tokenType: TokenType, name: String? = nil) throws {
    self.init(file: try ShardFile(path: path, tokenType: tokenType, name: name), cache: try FrameCache())
  }

  /// Reads `file` through `cache`, which must not be used by another thread at the same time.
  public init(file: ShardFile, cache: FrameCache) {
    self.file = file
    self.cache = cache
  }

  /// Copies `count` tokens starting at `offset` into `output`.
  public func read(from offset: Int, count: Int, into output: UnsafeMutablePointer<UInt32>) throws {
    guard offset >= 0, count >= 0, offset + count <= self.count else {
      throw ShardError.tokensOutside(file: name, range: offset..<offset + count, count: self.count)
    }
    var position = offset
    var written = 0
    while written < count {
      let index = file.frame(of: position)
      let raw = try cache.decoded(index, of: file)
      let first = file.frameFirstTokens[index]
      let available = file.frameFirstTokens[index + 1] - position
      let take = min(available, count - written)
      switch tokenType {
      case .uint16:
        for token in 0..<take {
          output[written + token] = UInt32(
            UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: (position - first + token) * 2, as: UInt16.self)))
        }
      case .uint32:
        for token in 0..<take {
          output[written + token] = UInt32(
            littleEndian: raw.loadUnaligned(fromByteOffset: (position - first + token) * 4, as: UInt32.self))
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
    for index in 0..<frameCount { try body(index, try cache.decoded(index, of: file)) }
  }
}
