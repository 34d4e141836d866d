import Foundation
import CXXHash
import HatcheryCore

/// The layout of the shards, computed from the shard task files' indexes alone: every
/// document's place in the seeded order, its split, its shard. Every write step and the merge
/// compute the same plan, so each write step can write its own shards from the tokens in the
/// task files while none of them sees the others.
struct ShardPlan {
  struct Shard {
    let split: String
    /// Within its split.
    let number: Int
    /// Positions in `order`.
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
  /// Every document: its part and its number there, in part order.
  let located: [(part: Int32, document: Int32)]
  /// Indices into `located`, in shard order.
  let order: [Int]
  let shards: [Shard]
  let textBytes: Int
  var documents: Int { located.count }

  init(parts: [String], options: ShardOptions) throws {
    let readers = try parts.map { try PartTokenFile.Reader(path: $0) }
    self.readers = readers
    var located: [(part: Int32, document: Int32)] = []
    located.reserveCapacity(readers.reduce(0) { $0 + $1.documents.count })
    var textBytes = 0
    for (part, reader) in readers.enumerated() {
      for number in reader.documents.indices { located.append((Int32(part), Int32(number))) }
      textBytes += reader.textBytes
    }
    self.located = located
    self.textBytes = textBytes
    // Ordered by XXH64(seed, id), ties by the ids' bytes: a shuffle that depends only on the seed
    // and the ids, read from the task files' mapped indexes.
    let keys = located.map { place in
      let reader = readers[Int(place.part)]
      return reader.withIDBytes(of: reader.documents[Int(place.document)]) { XXH64($0.baseAddress, $0.count, options.seed) }
    }
    func idBytesPrecede(_ first: Int, _ second: Int) -> Bool {
      let (a, b) = (located[first], located[second])
      let (readerA, readerB) = (readers[Int(a.part)], readers[Int(b.part)])
      return readerA.withIDBytes(of: readerA.documents[Int(a.document)]) { idA in
        readerB.withIDBytes(of: readerB.documents[Int(b.document)]) { idB in idA.lexicographicallyPrecedes(idB) }
      }
    }
    let order = located.indices.sorted { keys[$0] != keys[$1] ? keys[$0] < keys[$1] : idBytesPrecede($0, $1) }
    self.order = order
    var validationCount = Int((Double(order.count) * options.validationFraction).rounded())
    if options.validationFraction > 0 && order.count >= 2 { validationCount = max(1, validationCount) }
    // A shard closes after the document that brings it to `tokensPerShard` tokens or more
    // (each document counts its end-of-text separator).
    var shards: [Shard] = []
    for (split, range) in [("val", 0..<validationCount), ("train", validationCount..<order.count)] {
      var start = range.lowerBound
      var tokens = 0
      var number = 0
      for position in range {
        let (part, document) = located[order[position]]
        tokens += 1 + readers[Int(part)].documents[Int(document)].tokenCount
        if tokens >= options.tokensPerShard {
          shards.append(Shard(split: split, number: number, documents: start..<position + 1))
          number += 1
          start = position + 1
          tokens = 0
        }
      }
      if start < range.upperBound { shards.append(Shard(split: split, number: number, documents: start..<range.upperBound)) }
    }
    self.shards = shards
  }

  /// Writes shard `index` under `folder` (its file, then its result beside it).
  func write(shard index: Int, into folder: String, tokenType: TokenType, endOfText: UInt32, options: ShardOptions) throws -> Result {
    let shard = shards[index]
    let writer = try ShardWriter(
      path: folder + "/" + shard.relativePath, tokenType: tokenType, level: options.level, frameTokens: options.frameTokens,
      threads: options.threads)
    var separator = endOfText
    // A shard gathers its documents from every part in a random order, and each read maps up to
    // 64 KB of the file (Linux's fault-around maps a page's cached neighbours with it): the
    // readers read from are given back every thousand documents, or their pages would stay
    // resident, up to every task file's size. (Giving back each document's pages at once costs
    // a fifth more time.)
    var touched: [Int32] = []
    func release() {
      for part in touched { readers[Int(part)].releasePages() }
      touched.removeAll(keepingCapacity: true)
    }
    for (count, position) in shard.documents.enumerated() {
      let (part, number) = located[order[position]]
      let reader = readers[Int(part)]
      try withUnsafePointer(to: &separator) { try writer.append(UnsafeBufferPointer(start: $0, count: 1)) }
      try reader.withTokens(of: reader.documents[Int(number)]) { try writer.append($0) }
      touched.append(part)
      if count % Self.documentsBetweenReleases == Self.documentsBetweenReleases - 1 { release() }
    }
    let written = try writer.finish()
    release()
    let result = Result(tokens: written.tokens, frames: written.frames, bytes: written.bytes, sha256: written.sha256)
    try AtomicFileOutput.write(Array(try JSONEncoder().encode(result)), to: folder + "/" + shard.resultName)
    return result
  }

  /// Up to 64 KB mapped each: about 64 MB resident between releases.
  static let documentsBetweenReleases = 1024

  static func readResult(_ path: String) throws -> Result {
    guard let data = FileManager.default.contents(atPath: path) else { throw HatcheryError.system("read", path: path, code: ENOENT) }
    do {
      return try JSONDecoder().decode(Result.self, from: data)
    } catch {
      throw HatcheryError("\(path): not a written shard's result (\(HatcheryError.reason(error))); run its write step again")
    }
  }

  /// The shard map, row by row: for each document, its shard (an index into `shards`), where
  /// its tokens start there (after its separator), its id's bytes and its token count.
  func forEachMapRow(_ body: (ProvenanceStore.ShardMapRow) throws -> Void) throws {
    for (index, shard) in shards.enumerated() {
      var offset = 0
      for position in shard.documents {
        let (part, number) = located[order[position]]
        let reader = readers[Int(part)]
        let document = reader.documents[Int(number)]
        try reader.withIDBytes(of: document) { id in try body((index, offset + 1, id, document.tokenCount)) }
        offset += 1 + document.tokenCount
      }
    }
  }
}
