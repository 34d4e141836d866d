/// A read-only map from word hashes (already well mixed: FNV-1a or bigram products) to values,
/// with open addressing and linear probing. Swift's Dictionary hashes every key again with
/// SipHash, which was over a third of the tag stage's time when looked up once or twice per
/// word of every document.
struct WordTable<Value: Sendable>: Sendable {
  private let keys: [UInt64]
  private let values: [Value?]
  private let mask: Int

  init(_ entries: [(UInt64, Value)]) {
    var capacity = 16
    while capacity < entries.count * 2 { capacity *= 2 }
    var keys = [UInt64](repeating: 0, count: capacity)
    var values = [Value?](repeating: nil, count: capacity)
    let mask = capacity - 1
    for (key, value) in entries {
      var slot = Int(truncatingIfNeeded: key ^ key >> 29) & mask
      while values[slot] != nil && keys[slot] != key { slot = (slot + 1) & mask }
      keys[slot] = key
      values[slot] = value
    }
    self.keys = keys
    self.values = values
    self.mask = mask
  }

  @inline(__always)
  subscript(key: UInt64) -> Value? {
    var slot = Int(truncatingIfNeeded: key ^ key >> 29) & mask
    while let value = values[slot] {
      if keys[slot] == key { return value }
      slot = (slot + 1) & mask
    }
    return nil
  }
}
