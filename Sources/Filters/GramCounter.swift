/// Counts 64-bit n-gram hashes in an open-addressing table kept for a worker's whole run and
/// cleared per use by bumping a generation number, so the repetition rules allocate and rehash
/// nothing per n-gram. With Swift's Set and Dictionary (SipHash, growth, uniqueness checks)
/// these rules took the filter stage to 15 MB/s on books and documentation; see FilterStage.
final class GramCounter {
  private var keys: UnsafeMutablePointer<UInt64>
  private var counts: UnsafeMutablePointer<Int32>
  private var generations: UnsafeMutablePointer<UInt32>
  private var capacity = 0
  private var generation: UInt32 = 0
  private var mask = 0

  init() {
    keys = .allocate(capacity: 1)
    counts = .allocate(capacity: 1)
    generations = .allocate(capacity: 1)
  }

  deinit {
    keys.deallocate()
    counts.deallocate()
    generations.deallocate()
  }

  /// Empties the table, with room for `expected` distinct keys.
  func reset(expected: Int) {
    var size = 64
    while size < expected * 2 { size *= 2 }
    if size > capacity {
      keys.deallocate()
      counts.deallocate()
      generations.deallocate()
      keys = .allocate(capacity: size)
      counts = .allocate(capacity: size)
      generations = .allocate(capacity: size)
      generations.initialize(repeating: 0, count: size)
      capacity = size
      generation = 0
    }
    mask = size - 1
    generation &+= 1
    if generation == 0 {  // wrapped: clear for real
      generations.update(repeating: 0, count: capacity)
      generation = 1
    }
  }

  /// Adds one occurrence of `key` and returns how many there are now.
  @inline(__always)
  @discardableResult
  func add(_ key: UInt64) -> Int32 {
    var slot = Int(truncatingIfNeeded: key ^ key >> 31) & mask
    while generations[slot] == generation && keys[slot] != key { slot = (slot + 1) & mask }
    if generations[slot] != generation {
      generations[slot] = generation
      keys[slot] = key
      counts[slot] = 1
      return 1
    }
    counts[slot] += 1
    return counts[slot]
  }
}
