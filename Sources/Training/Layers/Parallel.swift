import Dispatch

/// Runs `body` over `0..<count` split into `threads` contiguous ranges, one per thread: rows,
/// (batch, head) pairs, elements, or the parts of a matrix product.
@inline(__always)
func parallelRanges(_ count: Int, threads: Int, _ body: @Sendable (Range<Int>) -> Void) {
  let workers = max(1, min(threads, count))
  if workers == 1 {
    body(0..<count)
    return
  }
  DispatchQueue.concurrentPerform(iterations: workers) { worker in
    body(count * worker / workers..<count * (worker + 1) / workers)
  }
}

/// A pointer handed to worker threads that write disjoint parts of the buffer.
struct SharedPointer<T>: @unchecked Sendable {
  let pointer: UnsafeMutablePointer<T>
  init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
}
