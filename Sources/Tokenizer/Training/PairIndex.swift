/// The adjacent token pairs of the training words: for each pair, how often it occurs (word
/// counts included) and which words hold it. A pair is a 64-bit key, left id in the high half;
/// an open-addressing table maps keys to dense pair numbers that index the other arrays.
/// A value held in one local variable of the trainer and passed `inout`: its arrays are then
/// checked for exclusive access when compiled, where a class's are checked at every access.
struct PairIndex {
  private static let empty = UInt64.max

  private var slotKeys: [UInt64]
  private var slotPairs: [Int32]
  private var capacity: Int
  private(set) var keys: [UInt64] = []
  /// Occurrences of each pair, weighted by word counts.
  var counts: [Int64] = []
  /// The words that held each pair when it was last counted: a word may be listed twice or no
  /// longer hold the pair; the merge re-checks each word (cheaper than keeping sets exact).
  var words: [[Int32]] = []
  /// The merge number at which each pair was last queued, so one merge queues it once.
  var queuedAt: [Int32] = []

  init(capacity: Int) {
    self.capacity = max(1 << 10, (capacity * 4 / 3).nextPowerOfTwo)
    slotKeys = Array(repeating: Self.empty, count: self.capacity)
    slotPairs = Array(repeating: 0, count: self.capacity)
    keys.reserveCapacity(capacity)
    counts.reserveCapacity(capacity)
    words.reserveCapacity(capacity)
    queuedAt.reserveCapacity(capacity)
  }

  @inline(__always)
  static func key(_ left: UInt32, _ right: UInt32) -> UInt64 { UInt64(left) << 32 | UInt64(right) }

  @inline(__always)
  private static func slotHash(_ key: UInt64) -> Int {
    Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20)
  }

  /// The pair number of `key`, creating the pair (count 0, no words) if it is new.
  @inline(__always)
  mutating func pair(_ key: UInt64) -> Int {
    let mask = capacity - 1
    var slot = Self.slotHash(key) & mask
    while true {
      let stored = slotKeys[slot]
      if stored == key { return Int(slotPairs[slot]) }
      if stored == Self.empty { break }
      slot = (slot + 1) & mask
    }
    let pair = keys.count
    slotKeys[slot] = key
    slotPairs[slot] = Int32(pair)
    keys.append(key)
    counts.append(0)
    words.append([])
    queuedAt.append(-1)
    // Up to three quarters full: pair keys hash evenly. With the counting table freed before
    // merging and emptied pair lists dropped, this took training at 32k from 96 to 72 MB peak.
    if keys.count * 4 > capacity * 3 { grow() }
    return pair
  }

  private mutating func grow() {
    capacity *= 2
    slotKeys = Array(repeating: Self.empty, count: capacity)
    slotPairs = Array(repeating: 0, count: capacity)
    let mask = capacity - 1
    for (pair, key) in keys.enumerated() {
      var slot = Self.slotHash(key) & mask
      while slotKeys[slot] != Self.empty { slot = (slot + 1) & mask }
      slotKeys[slot] = key
      slotPairs[slot] = Int32(pair)
    }
  }
}
