import Foundation
import HatcheryCore

/// One shard, mapped, with its seek table read and checked: where each frame lies and which
/// tokens it holds. Nothing here changes after opening, so one `ShardFile` serves every thread
/// (each decoding through its own `FrameCache`).
public final class ShardFile: @unchecked Sendable {
  public let name: String
  public let tokenType: TokenType
  /// Tokens in the shard.
  public let count: Int
  public var frameCount: Int { table.entries.count }
  /// Tokens in every frame but the last (read from the seek table).
  public let frameTokens: Int
  /// The largest frame's decoded size.
  public let largestFrameBytes: Int

  private let file: MappedFile
  let table: SeekTable
  /// Where each frame starts in the file, and its first token; one entry more than frames.
  private let frameOffsets: [Int]
  let frameFirstTokens: [Int]

  /// Opens the shard at `path`; its token type comes from the manifest. `name` (default: the
  /// path) is what errors call it.
  public init(path: String, tokenType: TokenType, name: String? = nil) throws {
    self.name = name ?? path
    self.tokenType = tokenType
    file = try MappedFile(path: path, name: self.name)
    let mapping = file.bytes
    table = try SeekTable.read(from: mapping, name: self.name)
    var offsets = [0]
    var firsts = [0]
    let frameTokens = max(1, Int(table.entries.first?.decompressedSize ?? 0) / tokenType.width)
    for (index, entry) in table.entries.enumerated() {
      if index < table.entries.count - 1, Int(entry.decompressedSize) != frameTokens * tokenType.width {
        throw ShardError.damaged(
          file: self.name,
          reason:
            "frame \(index): holds \(entry.decompressedSize) bytes where every frame but the last holds \(frameTokens) tokens"
        )
      }
      guard Int(entry.decompressedSize) <= ShardWriter.maximumFrameTokens * tokenType.width else {
        throw ShardError.damaged(
          file: self.name, reason: "frame \(index): \(entry.decompressedSize) bytes, more than a frame may hold")
      }
      guard entry.decompressedSize % UInt32(tokenType.width) == 0 else {
        throw ShardError.damaged(
          file: self.name, reason: "frame \(index): \(entry.decompressedSize) bytes is not a whole number of tokens")
      }
      offsets.append(offsets.last! + Int(entry.compressedSize))
      firsts.append(firsts.last! + Int(entry.decompressedSize) / tokenType.width)
    }
    self.frameTokens = frameTokens
    frameOffsets = offsets
    frameFirstTokens = firsts
    count = firsts.last!
    largestFrameBytes = table.entries.map { Int($0.decompressedSize) }.max() ?? 0
  }

  private var mapping: UnsafeRawBufferPointer { file.bytes }

  /// The frame holding token `offset`.
  @inline(__always)
  func frame(of offset: Int) -> Int {
    // Every frame but the last holds exactly `frameTokens` tokens (checked when opened).
    min(offset / frameTokens, frameCount - 1)
  }

  /// The compressed bytes of frame `index`.
  func compressedFrame(_ index: Int) -> UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(rebasing: mapping[frameOffsets[index]..<frameOffsets[index + 1]])
  }
}
