/// Read-only open-addressing table from a token pair to the merge it takes part in: the merge's
/// rank (lower merges first) and the token it makes, packed as `rank << 32 | token`. Keys are
/// `left << 32 | right`; the table is half empty so a miss (most lookups) ends within a probe or
/// two.
struct PairRankTable: @unchecked Sendable {
  static let none = UInt64.max
  private static let empty = UInt64.max

  private let keys: UnsafeMutablePointer<UInt64>
  private let values: UnsafeMutablePointer<UInt64>
  private let mask: Int

  init(_ entries: [(key: UInt64, rank: UInt32, token: UInt32)]) {
    let capacity = max(16, (entries.count * 2).nextPowerOfTwo)
    keys = .allocate(capacity: capacity)
    keys.initialize(repeating: Self.empty, count: capacity)
    values = .allocate(capacity: capacity)
    mask = capacity - 1
    for entry in entries {
      var slot = Self.slot(entry.key) & mask
      while keys[slot] != Self.empty && keys[slot] != entry.key { slot = (slot + 1) & mask }
      let value = UInt64(entry.rank) << 32 | UInt64(entry.token)
      // The same pair listed twice keeps its first (lowest) rank, as Hugging Face does.
      if keys[slot] == Self.empty || value < values[slot] {
        keys[slot] = entry.key
        values[slot] = value
      }
    }
  }

  /// Frees the table; its owner (the tokenizer) calls this once, when it goes.
  func deallocate() {
    keys.deallocate()
    values.deallocate()
  }

  @inline(__always)
  private static func slot(_ key: UInt64) -> Int {
    Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 20)
  }

  /// `rank << 32 | token` of the merge of `left` and `right`, or `none`.
  @inline(__always)
  func lookup(_ left: UInt32, _ right: UInt32) -> UInt64 {
    let key = UInt64(left) << 32 | UInt64(right)
    var slot = Self.slot(key) & mask
    while true {
      let stored = keys[slot]
      if stored == key { return values[slot] }
      if stored == Self.empty { return Self.none }
      slot = (slot + 1) & mask
    }
  }
}
