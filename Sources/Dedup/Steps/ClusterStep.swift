import Foundation
import HatcheryCore

/// Step 2, once: merges every task's exact and band files, joins documents that share a bucket
/// (union-find, the root of each cluster being its smallest document key: the survivor), and
/// writes each task's dropped documents with their survivor, reason and estimated similarity.
/// Memory grows with the documents that have a candidate, never with the corpus text.
enum ClusterStep {
  struct Counts: Sendable {
    var candidatePairs = 0
    var rejectedPairs = 0
    var clusters = 0
    var exactDrops = 0
    var nearDrops = 0
    var paragraphSpans = 0
  }

  static func run(_ context: DedupContext) throws -> Counts {
    let options = context.options
    let tasks = options.tasks
    let documents = try (0..<tasks).map {
      try RecordFileReader(path: context.documentsPath(task: $0), kind: .documents, recordSize: DocumentEntry.size)
    }
    let signatures = try (0..<tasks).map {
      try RecordFileReader(
        path: context.signaturesPath(task: $0), kind: .signatures, recordSize: context.minHasher.hashCount * 8)
    }
    var clusters = UnionFind()
    var counts = Counts()  // clusters: the kept documents that have duplicates or candidates

    func signature(_ node: UInt64) throws -> [UInt64] {
      let record = try signatures[Int(node >> 32)].record(at: Int(node & 0xFFFF_FFFF))
      return (0..<context.minHasher.hashCount).map {
        UInt64(littleEndian: record.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))
      }
    }
    func similarity(_ first: UInt64, _ second: UInt64) throws -> Double {
      let (a, b) = (try signature(first), try signature(second))
      return a.withUnsafeBufferPointer { a in b.withUnsafeBufferPointer { MinHasher.estimatedJaccard(a, $0) } }
    }

    var bucketFiles: [[String]] = []
    if options.method != .near { bucketFiles.append((0..<tasks).map { context.exactPath(task: $0) }) }
    if options.method != .exact {
      for band in 0..<options.bands { bucketFiles.append((0..<tasks).map { context.bandPath(band: band, task: $0) }) }
    }
    for (index, paths) in bucketFiles.enumerated() {
      let isExact = options.method != .near && index == 0
      let merged = try MergedRecords<KeyedEntry>(paths: paths, kind: isExact ? .exact : .band)
      var first: (key: XXHash128, node: UInt64, document: DocumentKey)?
      while let (task, entry) = try merged.next() {
        let node = UInt64(task) << 32 | UInt64(entry.ordinal)
        guard let head = first, head.key == entry.key else {
          first = (entry.key, node, entry.document)
          continue
        }
        counts.candidatePairs += 1
        if !isExact, options.verifyThreshold > 0, try similarity(head.node, node) < options.verifyThreshold {
          counts.rejectedPairs += 1
          continue
        }
        clusters.union(head.node, head.document, node, entry.document)
      }
    }

    var drops = [[DropEntry]](repeating: [], count: tasks)
    var components: [UInt64: [UInt64]] = [:]
    for node in clusters.nodes { components[clusters.find(node).root, default: []].append(node) }
    for members in components.values {
      let ordered = try members.map { node in
        (
          node, clusters.key(of: node),
          DocumentEntry(decoding: try documents[Int(node >> 32)].record(at: Int(node & 0xFFFF_FFFF)))
        )
      }.sorted { $0.1 < $1.1 }
      // Without verification every member duplicates the cluster's first document (FineWeb's
      // rule). With it, chains are cut: a member is dropped only as the duplicate of a kept
      // document it is at least the threshold similar to, else it is kept itself.
      var survivors = [ordered[0]]
      for member in ordered.dropFirst() {
        var best: (index: Int, similarity: Double)?
        for (index, survivor) in survivors.enumerated() {
          let estimate: Double
          if member.2.exact == survivor.2.exact || !member.2.hasSignature || !survivor.2.hasSignature {
            estimate = member.2.exact == survivor.2.exact ? 1 : 0
          } else {
            estimate = try similarity(member.0, survivor.0)
          }
          if best == nil || estimate > best!.similarity { best = (index, estimate) }
          if options.verifyThreshold == 0 { break }
        }
        if options.verifyThreshold > 0, best!.similarity < options.verifyThreshold {
          survivors.append(member)
          continue
        }
        let survivor = survivors[best!.index]
        let reason: DropReason = member.2.exact == survivor.2.exact ? .exact : .near
        let task = Int(member.0 >> 32)
        drops[task].append(
          DropEntry(
            ordinal: UInt32(member.0 & 0xFFFF_FFFF), reason: reason, similarity: Float(best!.similarity),
            survivor: survivor.1))
        if reason == .exact { counts.exactDrops += 1 } else { counts.nearDrops += 1 }
      }
      counts.clusters += survivors.count
    }
    for task in 0..<tasks {
      let writer = try RecordFileWriter(path: context.dropsPath(task: task), kind: .drops, recordSize: DropEntry.size)
      for drop in drops[task].sorted(by: { $0.ordinal < $1.ordinal }) { try writer.append { drop.encode(into: $0) } }
      try writer.commit()
    }
    if options.paragraphs {
      let dropped = drops.enumerated().flatMap { task, entries in
        entries.map { UInt64(task) << 32 | UInt64($0.ordinal) }
      }
      counts.paragraphSpans = try paragraphSpans(context, skipping: dropped.sorted())
    }
    return counts
  }

  /// Paragraph dedup: in each run of equal paragraph fingerprints, the first occurrence in a
  /// document that stays is kept, and every occurrence in another (later) document becomes a
  /// span to remove. Paragraphs of documents dropped as duplicates count for nothing, so a
  /// paragraph never disappears with them. Writes each task's spans, through sorted runs within
  /// `--memory-budget` (they come in fingerprint order, and grow with the corpus); returns how
  /// many. `dropped`: the dropped documents' nodes, sorted.
  private static func paragraphSpans(_ context: DedupContext, skipping dropped: [UInt64]) throws -> Int {
    let tasks = context.options.tasks
    let merged = try MergedRecords<ParagraphEntry>(
      paths: (0..<tasks).map { context.paragraphsPath(task: $0) }, kind: .paragraphs)
    let capacity = SortedRunWriter<SpanEntry>.capacity(bytes: context.options.memoryBudget / tasks)
    let spans = (0..<tasks).map {
      SortedRunWriter<SpanEntry>(path: context.spansPath(task: $0), kind: .spans, capacity: capacity)
    }
    var first: ParagraphEntry?
    var count = 0
    while let (task, entry) = try merged.next() {
      guard !dropped.sortedContains(UInt64(task) << 32 | UInt64(entry.ordinal)) else { continue }
      guard let head = first, head.key == entry.key else {
        first = entry
        continue
      }
      if entry.document == head.document { continue }  // repeats inside one document stay
      try spans[task].append(
        SpanEntry(
          ordinal: entry.ordinal, start: entry.start, end: entry.end, words: entry.words, survivor: head.document))
      count += 1
    }
    for writer in spans { try writer.commit() }
    return count
  }
}

/// Union-find over documents that have at least one candidate pair. Each root is the smallest
/// document key of its set, so the root is the survivor whatever order pairs arrive in.
struct UnionFind {
  private var parent: [UInt64: UInt64] = [:]
  private var keys: [UInt64: DocumentKey] = [:]

  var nodes: Dictionary<UInt64, UInt64>.Keys { parent.keys }

  mutating func find(_ node: UInt64) -> (root: UInt64, key: DocumentKey) {
    var current = node
    while let next = parent[current], next != current {
      let grand = parent[next] ?? next
      parent[current] = grand  // path halving
      current = grand
    }
    return (current, keys[current]!)
  }

  func key(of node: UInt64) -> DocumentKey { keys[node]! }

  mutating func union(_ first: UInt64, _ firstKey: DocumentKey, _ second: UInt64, _ secondKey: DocumentKey) {
    for (node, key) in [(first, firstKey), (second, secondKey)] where parent[node] == nil {
      parent[node] = node
      keys[node] = key
    }
    let (a, aKey) = find(first)
    let (b, bKey) = find(second)
    guard a != b else { return }
    if aKey < bKey { parent[b] = a } else { parent[a] = b }
  }
}

/// The records of one kind from every task's sorted file, in sorted order.
final class MergedRecords<Record: SortedRecord> {
  private let readers: [RecordFileReader]
  private var heads: [Record?]

  init(paths: [String], kind: RecordFileKind) throws {
    readers = try paths.map { try RecordFileReader(path: $0, kind: kind, recordSize: Record.size) }
    heads = try readers.map { try $0.next().map(Record.init(decoding:)) }
  }

  /// The smallest record left and the task whose file it came from.
  func next() throws -> (task: Int, entry: Record)? {
    var best: Int?
    for (index, head) in heads.enumerated() {
      guard let head else { continue }
      if let current = best, !(head < heads[current]!) { continue }
      best = index
    }
    guard let best, let entry = heads[best] else { return nil }
    heads[best] = try readers[best].next().map(Record.init(decoding:))
    return (best, entry)
  }
}
