import Dispatch
import HatcheryCore

/// The shards of one split as one token stream, for a trainer: random windows from anywhere
/// (shard chosen in proportion to its tokens) and sequential windows for evaluation or an
/// epoch. Memory: each thread's few cached frames, and each shard's seek table (28 bytes per
/// frame of 8192 tokens), never the tokens.
public final class ShardDataset {
  public let manifest: ShardManifest
  public let split: String
  /// One reader per shard for each thread that decodes random windows: the shards' files are
  /// shared, each thread's readers decode through one cache of that thread. The first set also
  /// serves the sequential reads.
  private let readerSets: [[ShardReader]]
  private var readers: [ShardReader] { readerSets[0] }
  /// Where each shard starts in the split's stream; one entry more than shards.
  private let starts: [Int]

  public var tokens: Int { starts.last ?? 0 }

  /// `threads`: how many threads `randomWindows` decodes with.
  public init(workspace: Workspace, split: String, threads: Int = 1) throws {
    let manifest = try ShardManifest.load(workspace: workspace)
    self.manifest = manifest
    self.split = split
    let shards = manifest.shards.filter { $0.split == split }
    guard !shards.isEmpty else { throw ShardError.noSplit(workspace: workspace.root, split: split) }
    let files = try shards.map { shard in
      let file = try ShardFile(path: workspace.absolute(shard.path), tokenType: manifest.tokenType, name: shard.path)
      guard file.count == shard.tokens else {
        throw ShardError.tokenCountMismatch(file: shard.path, holds: file.count, manifest: shard.tokens)
      }
      return file
    }
    readerSets = try (0..<max(1, threads)).map { _ in
      let cache = try FrameCache()
      return files.map { ShardReader(file: $0, cache: cache) }
    }
    var starts = [0]
    for file in files { starts.append(starts.last! + file.count) }
    self.starts = starts
  }

  /// `count` windows of `length` tokens at random places, one after another in `output` (a
  /// trainer's batch): for each, a shard with probability proportional to its windows, then a
  /// uniform offset in it; `random(n)` returns a uniform integer below n. The places are drawn
  /// first, in order, so the windows are the same whatever the number of threads decoding them.
  public func randomWindows(count: Int, length: Int, into output: UnsafeMutablePointer<UInt32>, random: (Int) -> Int)
    throws
  {
    let windows = readers.map { max(0, $0.count - length + 1) }
    let total = windows.reduce(0, +)
    guard total > 0 else { throw ShardError.shardsTooShort(split: split, tokens: length) }
    var places: [(shard: Int, offset: Int)] = []
    places.reserveCapacity(count)
    for _ in 0..<count {
      var pick = random(total)
      var shard = 0
      while pick >= windows[shard] {
        pick -= windows[shard]
        shard += 1
      }
      places.append((shard, pick))
    }
    let workers = min(readerSets.count, count)
    guard workers > 1 else {
      for (index, place) in places.enumerated() {
        try readers[place.shard].read(from: place.offset, count: length, into: output + index * length)
      }
      return
    }
    // Worker w decodes windows w, w + workers, …: with its own readers, into its own windows
    // of `output`, and keeps its own first error.
    let job = UncheckedBox(
      (
        places: places, readerSets: readerSets, output: output,
        errors: UnsafeMutablePointer<Error?>.allocate(capacity: workers)
      ))
    job.value.errors.initialize(repeating: nil, count: workers)
    defer {
      job.value.errors.deinitialize(count: workers)
      job.value.errors.deallocate()
    }
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
      let (places, readers) = (job.value.places, job.value.readerSets[worker])
      do {
        for index in stride(from: worker, to: places.count, by: workers) {
          try readers[places[index].shard].read(
            from: places[index].offset, count: length, into: job.value.output + index * length)
        }
      } catch {
        job.value.errors[worker] = error
      }
    }
    if let error = (0..<workers).lazy.compactMap({ job.value.errors[$0] }).first { throw error }
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
        try buffer.withUnsafeMutableBufferPointer {
          try reader.read(from: offset, count: length, into: $0.baseAddress!)
        }
        guard try buffer.withUnsafeBufferPointer(body) else { return }
        offset += length
      }
    }
  }
}
