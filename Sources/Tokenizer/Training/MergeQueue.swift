/// A binary max-heap of candidate merges: the most frequent pair first and, among equal counts,
/// the smallest key (left id, then right id), which makes training deterministic. Counts in the
/// queue may be stale; the trainer re-checks the top against the pair index (lazy
/// re-validation), which is correct because a pair's count only grows in the merge that creates
/// its newer token, and it is queued after that merge.
struct MergeQueue {
  struct Entry {
    var count: Int64
    var key: UInt64

    @inline(__always)
    func outranks(_ other: Entry) -> Bool {
      count > other.count || (count == other.count && key < other.key)
    }
  }

  private var entries: [Entry] = []

  init(_ entries: [Entry]) {
    self.entries = entries
    var index = entries.count / 2
    while index > 0 {
      index -= 1
      siftDown(index)
    }
  }

  var isEmpty: Bool { entries.isEmpty }

  mutating func push(_ entry: Entry) {
    entries.append(entry)
    var child = entries.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard entries[child].outranks(entries[parent]) else { break }
      entries.swapAt(child, parent)
      child = parent
    }
  }

  mutating func pop() -> Entry? {
    guard let last = entries.popLast() else { return nil }
    guard !entries.isEmpty else { return last }
    let top = entries[0]
    entries[0] = last
    siftDown(0)
    return top
  }

  private mutating func siftDown(_ index: Int) {
    var parent = index
    let count = entries.count
    while true {
      let left = 2 * parent + 1
      guard left < count else { return }
      var best = left
      if left + 1 < count && entries[left + 1].outranks(entries[left]) { best = left + 1 }
      guard entries[best].outranks(entries[parent]) else { return }
      entries.swapAt(parent, best)
      parent = best
    }
  }
}
