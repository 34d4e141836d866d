import Foundation
import HatcheryCore

/// The layout of the shards, from the shard task files alone: every document's place in the
/// seeded order, its split, its shard. Each task file's table is already in that order, so the
/// order of all documents is a merge of the tables, read row by row (`forEachInOrder`): the plan
/// holds the shard boundaries only, and every write step and the merge compute the same ones.
/// Memory does not grow with the documents: a heap entry per part and the pages being read.
struct ShardPlan {
  struct Shard {
    let split: String
    /// Within its split.
    let number: Int
    /// Positions in the order.
    let documents: Range<Int>

    /// Relative to the shards folder.
    var relativePath: String { "\(split)/shard-" + String(format: "%05d", number) + ".tok.zst" }
    /// The written shard's result (tokens, frames, bytes, SHA-256), beside it until the merge.
    var resultName: String { "\(split)/shard-" + String(format: "%05d", number) + ".json" }
  }

  /// What `ShardWriter` reports of a shard, kept as JSON beside the written shard.
  struct Result: Codable {
    var tokens: Int
    var frames: Int
    var bytes: Int
    var sha256: String
  }

  let readers: [PartTokenFile.Reader]
  let documents: Int
  let textBytes: Int
  let shards: [Shard]

  init(parts: [String], options: ShardOptions) throws {
    readers = try parts.map { try PartTokenFile.Reader(path: $0) }
    for reader in readers where reader.seed != options.seed {
      throw PartTokenFile.Reader.damaged(reader.path, "ordered with seed \(reader.seed), not \(options.seed)")
    }
    documents = readers.reduce(0) { $0 + $1.documents }
    textBytes = readers.reduce(0) { $0 + $1.textBytes }
    var validationCount = Int((Double(documents) * options.validationFraction).rounded())
    if options.validationFraction > 0 && documents >= 2 { validationCount = max(1, validationCount) }
    // A shard closes after the document that brings it to `tokensPerShard` tokens or more (each
    // document counts its end-of-text separator), or at the end of its split.
    var shards: [Shard] = []
    var start = 0
    var tokens = 0
    var number = 0
    func close(at end: Int) {
      shards.append(Shard(split: start < validationCount ? "val" : "train", number: number, documents: start..<end))
      number += 1
      start = end
      tokens = 0
    }
    try Self.forEachInOrder(readers) { position, _, row in
      if position == validationCount && position > 0 {
        if start < position { close(at: position) }
        number = 0
      }
      tokens += 1 + row.tokenCount
      if tokens >= options.tokensPerShard { close(at: position + 1) }
    }
    if start < documents { close(at: documents) }
    self.shards = shards
  }

  /// Every document in the shards' order: its position, its part's reader and its row. The parts'
  /// tables are merged with a heap (ties — the same hash — by the ids' bytes, then by part).
  static func forEachInOrder(
    _ readers: [PartTokenFile.Reader],
    _ body: (Int, PartTokenFile.Reader, PartTokenFile.Reader.Row) throws -> Void
  ) throws {
    struct Head {
      var row: PartTokenFile.Reader.Row
      let part: Int
      var next: Int
    }
    // Ties (the same hash) are rare; each head's row is in its reader's chunk, so are its ids.
    func precedes(_ a: Head, _ b: Head) throws -> Bool {
      if a.row.hash != b.row.hash { return a.row.hash < b.row.hash }
      let order = try readers[a.part].withIDBytes(of: a.row) { idA in
        try readers[b.part].withIDBytes(of: b.row) { idB in
          idA.lexicographicallyPrecedes(idB) ? -1 : idB.lexicographicallyPrecedes(idA) ? 1 : 0
        }
      }
      return order != 0 ? order < 0 : a.part < b.part
    }
    var heap: [Head] = []
    heap.reserveCapacity(readers.count)
    func siftDown(_ start: Int) throws {
      var index = start
      while true {
        let left = 2 * index + 1
        guard left < heap.count else { return }
        var child = left
        if left + 1 < heap.count, try precedes(heap[left + 1], heap[left]) { child = left + 1 }
        guard try precedes(heap[child], heap[index]) else { return }
        heap.swapAt(child, index)
        index = child
      }
    }
    for (part, reader) in readers.enumerated() where reader.documents > 0 {
      heap.append(Head(row: try reader.row(0), part: part, next: 1))
    }
    for index in stride(from: heap.count / 2 - 1, through: 0, by: -1) { try siftDown(index) }
    var position = 0
    while let head = heap.first {
      let reader = readers[head.part]
      try body(position, reader, head.row)
      position += 1
      if head.next < reader.documents {
        heap[0].row = try reader.row(head.next)
        heap[0].next += 1
      } else {
        heap[0] = heap[heap.count - 1]
        heap.removeLast()
      }
      try siftDown(0)
    }
  }

  /// Writes the shards `indices` (indices into `shards`) under `folder`, in one pass over the
  /// order: each shard's file, then its result beside it.
  func write(shards indices: [Int], into folder: String, tokenType: TokenType, endOfText: UInt32, options: ShardOptions)
    throws
    -> [Result]
  {
    let wanted = Set(indices)
    guard !wanted.isEmpty else { return [] }
    var results: [Result] = []
    var shardIndex = 0
    var writer: ShardWriter?
    var separator = endOfText
    let tokenBuffer = PartTokenFile.ReadBuffer()
    try Self.forEachInOrder(readers) { position, reader, row in
      while position >= shards[shardIndex].documents.upperBound { shardIndex += 1 }
      guard wanted.contains(shardIndex) else { return }
      let shard = shards[shardIndex]
      if position == shard.documents.lowerBound {
        writer = try ShardWriter(
          path: folder + "/" + shard.relativePath, tokenType: tokenType, level: options.level,
          frameTokens: options.frameTokens,
          threads: options.threads)
      }
      guard let open = writer else { return }
      try withUnsafePointer(to: &separator) { try open.append(UnsafeBufferPointer(start: $0, count: 1)) }
      try reader.withTokens(of: row, using: tokenBuffer) { try open.append($0) }
      if position == shard.documents.upperBound - 1 {
        let written = try open.finish()
        writer = nil
        let result = Result(
          tokens: written.tokens, frames: written.frames, bytes: written.bytes, sha256: written.sha256)
        try AtomicFileOutput.write(Array(try JSONEncoder().encode(result)), to: folder + "/" + shard.resultName)
        results.append(result)
      }
    }
    return results
  }

  static func readResult(_ path: String) throws -> Result {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw HatcheryError.system("read", path: path, code: ENOENT)
    }
    do {
      return try JSONDecoder().decode(Result.self, from: data)
    } catch {
      throw ShardError.incompleteResult(path: path, reason: HatcheryError.reason(error))
    }
  }

  /// The shard map, row by row: for each document, its shard (an index into `shards`), where
  /// its tokens start there (after its separator), its id's bytes and its token count.
  func forEachMapRow(_ body: (ProvenanceStore.ShardMapRow) throws -> Void) throws {
    var shardIndex = 0
    var offset = 0
    try Self.forEachInOrder(readers) { position, reader, row in
      while position >= shards[shardIndex].documents.upperBound {
        shardIndex += 1
        offset = 0
      }
      try reader.withIDBytes(of: row) { id in try body((shardIndex, offset + 1, id, row.tokenCount)) }
      offset += 1 + row.tokenCount
    }
  }
}
