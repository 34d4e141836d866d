import HatcheryCore

/// The shards of one split as one token stream, for a trainer: random windows from anywhere
/// (shard chosen in proportion to its tokens) and sequential windows for evaluation or an
/// epoch. Memory stays at the readers' few cached frames, whatever the shards' size.
public final class ShardDataset {
  public let manifest: ShardManifest
  public let split: String
  private let readers: [ShardReader]
  /// Where each shard starts in the split's stream; one entry more than shards.
  private let starts: [Int]

  public var tokens: Int { starts.last ?? 0 }

  public init(workspace: Workspace, split: String) throws {
    manifest = try ShardManifest.load(workspace: workspace)
    self.split = split
    var readers: [ShardReader] = []
    var starts = [0]
    for shard in manifest.shards where shard.split == split {
      let reader = try ShardReader(path: workspace.absolute(shard.path), tokenType: manifest.tokenType, name: shard.path)
      guard reader.count == shard.tokens else {
        throw HatcheryError("\(shard.path): \(reader.count) tokens, the manifest says \(shard.tokens); run `hatchery shard verify`")
      }
      readers.append(reader)
      starts.append(starts.last! + reader.count)
    }
    guard !readers.isEmpty else { throw HatcheryError("\(workspace.root): no \(split) shards in \(ShardManifest.path)") }
    self.readers = readers
    self.starts = starts
  }

  /// A window of `length` tokens at a random place: a shard with probability proportional to
  /// its windows, then a uniform offset in it. `random(n)` returns a uniform integer below n.
  public func randomWindow(length: Int, into output: UnsafeMutablePointer<UInt32>, random: (Int) -> Int) throws {
    let windows = readers.map { max(0, $0.count - length + 1) }
    let total = windows.reduce(0, +)
    guard total > 0 else { throw HatcheryError("no \(split) shard holds \(length) tokens") }
    var pick = random(total)
    for (index, count) in windows.enumerated() {
      if pick < count {
        try readers[index].read(from: pick, count: length, into: output)
        return
      }
      pick -= count
    }
  }

  /// Decodes every frame of every shard once, in order (checksums checked), and returns the
  /// tokens passed: the sequential read of an epoch without a consumer.
  public func sequentialPass() throws -> Int {
    var tokens = 0
    for reader in readers {
      try reader.forEachFrame { _, bytes in tokens += bytes.count / manifest.tokenType.width }
    }
    return tokens
  }

  /// Windows of `length` tokens, one after another through every shard (the tail of a shard
  /// shorter than a window is skipped).
  public func forEachSequentialWindow(length: Int, _ body: (UnsafeBufferPointer<UInt32>) throws -> Bool) throws {
    var buffer = [UInt32](repeating: 0, count: length)
    for reader in readers {
      var offset = 0
      while offset + length <= reader.count {
        try buffer.withUnsafeMutableBufferPointer { try reader.read(from: offset, count: length, into: $0.baseAddress!) }
        guard try buffer.withUnsafeBufferPointer(body) else { return }
        offset += length
      }
    }
  }
}
