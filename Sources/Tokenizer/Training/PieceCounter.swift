import Dispatch
import HatcheryCore
import Synchronization

/// Counts the distinct pre-tokens of a corpus, in parallel: each thread takes the next chunk
/// from the source and counts into its own table; the tables are summed at the end.
struct PieceCounter {
  let preTokenizer: PreTokenizer

  struct Counts {
    let table: ByteStringTable
    let bytes: Int
  }

  /// Counts the pieces of every chunk of `source`; `progress` gets the bytes read so far.
  func count(_ source: TextChunkSource, threads: Int, progress: (@Sendable (Int) -> Void)? = nil) throws -> Counts {
    let threads = max(1, threads)
    let tables = (0..<threads).map { _ in ByteStringTable(capacity: 1 << 18) }
    let sourceLock = Mutex(())
    let totals = Mutex((bytes: 0, error: nil as Error?))
    let preTokenizer = self.preTokenizer
    let shared = UncheckedBox((tables, source))
    DispatchQueue.concurrentPerform(iterations: threads) { worker in
      let (tables, source) = shared.value
      let table = tables[worker]
      while true {
        let next: Result<TextChunk?, Error> = sourceLock.withLock { _ in Result { try source.nextChunk() } }
        let chunk: TextChunk
        switch next {
        case .success(let value?): chunk = value
        case .success(nil): return
        case .failure(let error):
          totals.withLock { $0.error = $0.error ?? error }
          return
        }
        chunk.bytes.withUnsafeBytes { buffer in
          let base = buffer.baseAddress!.assumingMemoryBound(to: UInt8.self)
          for document in chunk.documents {
            let text = UnsafeRawBufferPointer(rebasing: buffer[document])
            preTokenizer.forEachPiece(text) { start, end in
              table.add(base + document.lowerBound + start, end - start, amount: 1)
            }
          }
        }
        let done = totals.withLock { totals -> Int in
          totals.bytes += chunk.bytes.count
          return totals.bytes
        }
        progress?(done)
      }
    }
    let result = totals.withLock { $0 }
    if let error = result.error { throw error }
    // Sum into the largest table, so the fewest entries are inserted again.
    let sorted = tables.sorted { $0.count > $1.count }
    for other in sorted.dropFirst() {
      other.forEach { bytes, count in sorted[0].add(bytes.baseAddress!, bytes.count, amount: count) }
    }
    return Counts(table: sorted[0], bytes: result.bytes)
  }
}
