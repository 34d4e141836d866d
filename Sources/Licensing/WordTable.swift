/// A read-only map from word hashes (already well mixed: FNV-1a or bigram products) to values,
/// with open addressing and linear probing. Swift's Dictionary hashes every key again with
/// SipHash, which was over a third of the tag stage's time when looked up once or twice per
/// word of every document. Slots hold a key and the index of its value, so a probe compares
/// integers and only a hit touches (and retains) the value.
struct WordTable<Value: Sendable>: Sendable {
  private let keys: [UInt64]
  /// Per slot, the index of its value in `values`; -1 for an empty slot.
  private let slots: [Int32]
  private let values: [Value]
  private let mask: Int

  init(_ entries: [(UInt64, Value)]) {
    var capacity = 16
    while capacity < entries.count * 2 { capacity *= 2 }
    var keys = [UInt64](repeating: 0, count: capacity)
    var slots = [Int32](repeating: -1, count: capacity)
    var values: [Value] = []
    let mask = capacity - 1
    for (key, value) in entries {
      var slot = Int(truncatingIfNeeded: key ^ key >> 29) & mask
      while slots[slot] >= 0 && keys[slot] != key { slot = (slot + 1) & mask }
      if slots[slot] >= 0 {
        values[Int(slots[slot])] = value
      } else {
        keys[slot] = key
        slots[slot] = Int32(values.count)
        values.append(value)
      }
    }
    self.keys = keys
    self.slots = slots
    self.values = values
    self.mask = mask
  }

  @inline(__always)
  subscript(key: UInt64) -> Value? {
    var slot = Int(truncatingIfNeeded: key ^ key >> 29) & mask
    while true {
      let index = slots[slot]
      if index < 0 { return nil }
      if keys[slot] == key { return values[Int(index)] }
      slot = (slot + 1) & mask
    }
  }

  @inline(__always)
  func contains(_ key: UInt64) -> Bool {
    var slot = Int(truncatingIfNeeded: key ^ key >> 29) & mask
    while true {
      if slots[slot] < 0 { return false }
      if keys[slot] == key { return true }
      slot = (slot + 1) & mask
    }
  }
}
