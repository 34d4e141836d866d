import Foundation
import HatcheryCore
import Synchronization

/// Step 1, per task: reads the task's documents and writes, for each, its key and exact
/// fingerprint (`documents`), its MinHash signature (`signatures`), and its entries in the
/// exact and per-band bucket files, sorted so the cluster step can merge them.
enum SignatureStep {
  struct Counts: Sendable {
    var documents = 0
    var bytes = 0
    var withoutWords = 0
  }

  /// A batch of this many documents (or of `batchBytes` of text) is hashed in parallel.
  static let batchDocuments = 512
  static let batchBytes = 16 << 20

  static func run(_ context: DedupContext, task: Int) throws -> Counts {
    let options = context.options
    let hashCount = context.minHasher.hashCount
    let documents = try RecordFileWriter(
      path: context.documentsPath(task: task), kind: .documents, recordSize: DocumentEntry.size)
    let signatures = try RecordFileWriter(
      path: context.signaturesPath(task: task), kind: .signatures, recordSize: hashCount * 8)
    // The memory budget is shared by the bucket files' buffers that are written: the exact file's
    // and each band's alike, and with paragraphs half of it for theirs (a document has about as
    // many paragraph entries as bucket entries). Past its share, a buffer is sorted and spilled
    // as a run.
    let keyedFiles = (options.method != .near ? 1 : 0) + (options.method != .exact ? options.bands : 0)
    let keyedBudget = options.paragraphs ? options.memoryBudget / 2 : options.memoryBudget
    let share = SortedRunWriter<KeyedEntry>.capacity(bytes: keyedBudget / max(1, keyedFiles))
    let exactEntries = SortedRunWriter<KeyedEntry>(path: context.exactPath(task: task), kind: .exact, capacity: share)
    let bandEntries = (0..<options.bands).map { band in
      SortedRunWriter<KeyedEntry>(path: context.bandPath(band: band, task: task), kind: .band, capacity: share)
    }
    let paragraphEntries = SortedRunWriter<ParagraphEntry>(
      path: context.paragraphsPath(task: task), kind: .paragraphs,
      capacity: SortedRunWriter<ParagraphEntry>.capacity(bytes: options.memoryBudget / 2))
    var counts = Counts()

    func record(_ batch: [(key: DocumentKey, text: String)], _ results: [Hashed]) throws {
      for (index, result) in results.enumerated() {
        let ordinal = UInt32(counts.documents)
        let key = batch[index].key
        try documents.append {
          DocumentEntry(
            key: key, exact: result.exact, words: result.words, hasSignature: result.signature != nil,
            paragraphWords: result.paragraphWords
          ).encode(into: $0)
        }
        try signatures.append { buffer in
          guard let signature = result.signature else { return }  // zeros: no words, no signature
          for (position, value) in signature.enumerated() {
            buffer.storeBytes(of: value.littleEndian, toByteOffset: position * 8, as: UInt64.self)
          }
        }
        if options.method != .near {
          try exactEntries.append(KeyedEntry(key: result.exact, document: key, ordinal: ordinal))
        }
        if options.method != .exact, let bandKeys = result.bandKeys {
          for (band, bandKey) in bandKeys.enumerated() {
            try bandEntries[band].append(
              KeyedEntry(key: XXHash128(high: bandKey, low: 0), document: key, ordinal: ordinal))
          }
        }
        for paragraph in result.paragraphs {
          try paragraphEntries.append(ParagraphEntry(paragraph: paragraph, document: key, ordinal: ordinal))
        }
        if result.signature == nil { counts.withoutWords += 1 }
        counts.documents += 1
        counts.bytes += batch[index].text.utf8.count
      }
    }

    let parts = context.parts(ofTask: task)
    let progress = ProgressReporter(
      label: "dedup signatures", itemName: "documents", totalItems: parts.reduce(0) { $0 + $1.part.documents },
      totalBytes: try parts.reduce(0) { $0 + (try context.store.textBytes(sourceID: $1.source.id, part: $1.part.part)) }
    )
    defer { progress.finish() }
    // The next batch is read (decompressed, parsed) while the workers hash this one.
    let reader = BatchReader(context: context, task: task)
    let readQueue = DispatchQueue(label: "hatchery.dedup.read")
    var batch = try reader.next()
    while !batch.isEmpty {
      let upcoming = Mutex<Result<[(key: DocumentKey, text: String)], Error>?>(nil)
      let done = DispatchGroup()
      readQueue.async(group: done) {
        let result = Result { try reader.next() }
        upcoming.withLock { $0 = result }
      }
      let results = hash(batch, context: context)
      done.wait()
      try record(batch, results)
      progress.update(items: counts.documents, bytes: counts.bytes)
      batch = try upcoming.withLock { $0! }.get()
    }
    try documents.commit()
    try signatures.commit()
    try exactEntries.commit()
    for band in bandEntries { try band.commit() }
    if options.paragraphs { try paragraphEntries.commit() }
    return counts
  }

  /// Reads a task's documents in batches. Used by one thread at a time: each batch is read on
  /// the read queue while the previous one is hashed, and the step waits for it before asking
  /// for the next, which is what makes the unchecked Sendable sound.
  final class BatchReader: @unchecked Sendable {
    private var parts: [(source: SourceRecord, part: PartRecord)]
    private var reader: DocumentPartReader?
    private var sourceID: Int64 = 0
    private let workspace: Workspace

    init(context: DedupContext, task: Int) {
      parts = context.parts(ofTask: task).reversed()
      workspace = context.workspace
    }

    func next() throws -> [(key: DocumentKey, text: String)] {
      var batch: [(key: DocumentKey, text: String)] = []
      var bytes = 0
      while batch.count < SignatureStep.batchDocuments && bytes < SignatureStep.batchBytes {
        if reader == nil {
          guard let (source, part) = parts.popLast() else { break }
          reader = try DocumentPartReader(path: workspace.absolute(part.path))
          sourceID = source.id
        }
        guard let document = try reader!.next() else {
          reader = nil
          continue
        }
        bytes += document.text.utf8.count
        batch.append((try DocumentKey(sourceID: sourceID, id: document.id), document.text))
      }
      return batch
    }
  }

  struct Hashed: Sendable {
    var exact = XXHash128(high: 0, low: 0)
    var words: UInt32 = 0
    var signature: [UInt64]?
    var bandKeys: [UInt64]?
    var paragraphs: [Paragraph] = []
    var paragraphWords: UInt32 = 0
  }

  /// Hashes a batch on `threads` workers, each with its own shingler, taking documents in turn.
  private static func hash(_ batch: [(key: DocumentKey, text: String)], context: DedupContext) -> [Hashed] {
    let options = context.options
    let minHasher = context.minHasher
    let results = Mutex([Hashed](repeating: Hashed(), count: batch.count))
    let next = Atomic<Int>(0)
    DispatchQueue.concurrentPerform(iterations: min(options.threads, batch.count)) { _ in
      let shingler = Shingler(shingleSize: options.shingleSize, caseFold: options.caseFold)
      let scratch = MinHashScratch(hashCount: minHasher.hashCount)
      let paragraphs = options.paragraphs ? ParagraphHasher(caseFold: options.caseFold) : nil
      var signature = [UInt64](repeating: 0, count: minHasher.hashCount)
      while true {
        let index = next.wrappingAdd(1, ordering: .relaxed).oldValue
        guard index < batch.count else { return }
        var text = batch[index].text
        let exact = text.withUTF8 { shingler.process(UnsafeRawBufferPointer($0)) }
        var hashed = Hashed(exact: exact, words: UInt32(clamping: shingler.wordCount))
        if let paragraphs {
          text.withUTF8 { paragraphs.process(UnsafeRawBufferPointer($0)) }
          hashed.paragraphs = paragraphs.paragraphs
          hashed.paragraphWords = UInt32(clamping: paragraphs.words)
        }
        if !shingler.shingles.isEmpty {
          shingler.shingles.withUnsafeBufferPointer { shingles in
            signature.withUnsafeMutableBufferPointer { minHasher.signature(of: shingles, into: $0, scratch: scratch) }
          }
          hashed.signature = signature
          hashed.bandKeys = signature.withUnsafeBufferPointer { values in
            (0..<minHasher.bands).map { minHasher.bandKey(values, band: $0) }
          }
        }
        results.withLock { $0[index] = hashed }
      }
    }
    return results.withLock { $0 }
  }
}
