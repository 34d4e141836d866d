import Dispatch
import Synchronization

/// Runs `body` for every item on up to `threads` workers, each taking the next item when done
/// with one; `worker` makes each worker's own state once (a compressor, a scratch buffer). The
/// first error stops the workers from taking new items and is thrown; the results come back in
/// item order.
public enum ParallelItems {
  public static func map<Item: Sendable, State, Result: Sendable>(
    _ items: [Item], threads: Int, worker: @Sendable () throws -> State,
    _ body: @Sendable (inout State, Item) throws -> Result
  ) throws -> [Result] {
    let state = Mutex((next: 0, results: [Int: Result](), error: Error?.none))
    DispatchQueue.concurrentPerform(iterations: max(1, min(threads, items.count))) { _ in
      do {
        var local = try worker()
        while true {
          let position: Int? = state.withLock { state in
            guard state.error == nil, state.next < items.count else { return nil }
            defer { state.next += 1 }
            return state.next
          }
          guard let position else { return }
          let result = try body(&local, items[position])
          state.withLock { $0.results[position] = result }
        }
      } catch {
        state.withLock { if $0.error == nil { $0.error = error } }
      }
    }
    let (results, failure) = state.withLock { ($0.results, $0.error) }
    if let failure { throw failure }
    return (0..<items.count).map { results[$0]! }
  }
}
