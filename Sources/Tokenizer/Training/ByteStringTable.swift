import Foundation

/// An open-addressing hash table from byte strings to a 64-bit value, with the keys copied into
/// one arena: counting pre-tokens touches it once per piece (11.9 million times for tok-text),
/// so a lookup allocates nothing and hashes eight bytes at a time. (A `[[UInt8]: Int]`
/// dictionary, which would allocate a key per new piece and hash with SipHash, was not tried.)
/// Not thread-safe: each counting thread owns one.
final class ByteStringTable {
  /// Per slot: the key's hash (0 = empty slot), where its bytes start in the arena, its length,
  /// and the value.
  private var hashes: UnsafeMutablePointer<UInt64>
  private var offsets: UnsafeMutablePointer<UInt32>
  private var lengths: UnsafeMutablePointer<UInt32>
  private(set) var values: UnsafeMutablePointer<UInt64>
  private var capacity: Int
  private(set) var count = 0
  /// The keys' bytes, one after another (a pointer, not an array: a lookup reads it without the
  /// exclusivity check a class's array property costs).
  private var arena: UnsafeMutablePointer<UInt8>
  private var arenaCount = 0
  private var arenaCapacity = 1 << 16

  init(capacity: Int = 1 << 16) {
    self.capacity = max(16, capacity.nextPowerOfTwo)
    hashes = .allocate(capacity: self.capacity)
    hashes.initialize(repeating: 0, count: self.capacity)
    offsets = .allocate(capacity: self.capacity)
    lengths = .allocate(capacity: self.capacity)
    values = .allocate(capacity: self.capacity)
    arena = .allocate(capacity: arenaCapacity)
  }

  deinit {
    hashes.deallocate()
    offsets.deallocate()
    lengths.deallocate()
    values.deallocate()
    arena.deallocate()
  }

  /// A 64-bit hash of a short byte string: 8-byte words folded with a multiply-xorshift mix.
  /// Never 0, which marks an empty slot.
  @inline(__always)
  static func hash(_ bytes: UnsafePointer<UInt8>, _ length: Int) -> UInt64 {
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(length &+ 1)
    var index = 0
    let raw = UnsafeRawPointer(bytes)
    while index + 8 <= length {
      state = mix(state ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))
      index += 8
    }
    if index < length {
      var tail: UInt64 = 0
      var shift: UInt64 = 0
      while index < length {
        tail |= UInt64(bytes[index]) << shift
        shift += 8
        index += 1
      }
      state = mix(state ^ tail)
    }
    return state | 1 << 63
  }

  @inline(__always)
  private static func mix(_ value: UInt64) -> UInt64 {
    let product = value.multipliedFullWidth(by: 0xBF58_476D_1CE4_E5B9)
    return product.high ^ product.low
  }

  /// The slot holding `bytes`, or the empty slot where it would go.
  @inline(__always)
  private func slot(_ bytes: UnsafePointer<UInt8>, _ length: Int, hash: UInt64) -> Int {
    let mask = capacity - 1
    var index = Int(truncatingIfNeeded: hash) & mask
    while true {
      let stored = hashes[index]
      if stored == 0 { return index }
      if stored == hash && Int(lengths[index]) == length
        && memcmp(arena + Int(offsets[index]), bytes, length) == 0
      {
        return index
      }
      index = (index + 1) & mask
    }
  }

  /// Adds `amount` to the value of `bytes` (inserting it with 0 first).
  @inline(__always)
  func add(_ bytes: UnsafePointer<UInt8>, _ length: Int, amount: UInt64) {
    let hash = Self.hash(bytes, length)
    let index = slot(bytes, length, hash: hash)
    if hashes[index] == 0 {
      insert(at: index, bytes, length, hash: hash, value: amount)
    } else {
      values[index] &+= amount
    }
  }

  /// Sets the value of `bytes`.
  func set(_ bytes: UnsafePointer<UInt8>, _ length: Int, value: UInt64) {
    let hash = Self.hash(bytes, length)
    let index = slot(bytes, length, hash: hash)
    if hashes[index] == 0 {
      insert(at: index, bytes, length, hash: hash, value: value)
    } else {
      values[index] = value
    }
  }

  /// The value of `bytes`, if present.
  @inline(__always)
  func value(_ bytes: UnsafePointer<UInt8>, _ length: Int) -> UInt64? {
    let hash = Self.hash(bytes, length)
    let index = slot(bytes, length, hash: hash)
    return hashes[index] == 0 ? nil : values[index]
  }

  private func insert(at index: Int, _ bytes: UnsafePointer<UInt8>, _ length: Int, hash: UInt64, value: UInt64) {
    hashes[index] = hash
    if arenaCount + length > arenaCapacity {
      var grown = arenaCapacity * 2
      while arenaCount + length > grown { grown *= 2 }
      let old = arena
      arena = .allocate(capacity: grown)
      arena.update(from: old, count: arenaCount)
      old.deallocate()
      arenaCapacity = grown
    }
    offsets[index] = UInt32(arenaCount)
    lengths[index] = UInt32(length)
    values[index] = value
    (arena + arenaCount).update(from: bytes, count: length)
    arenaCount += length
    count += 1
    // Grown past three quarters full: a counting table holds every distinct piece of its
    // thread's text, 24 bytes a slot, and the frequent pieces, inserted first, sit near their
    // home slots whatever the load.
    if count * 4 > capacity * 3 { grow() }
  }

  private func grow() {
    let old = (hashes, offsets, lengths, values, capacity)
    capacity *= 2
    hashes = .allocate(capacity: capacity)
    hashes.initialize(repeating: 0, count: capacity)
    offsets = .allocate(capacity: capacity)
    lengths = .allocate(capacity: capacity)
    values = .allocate(capacity: capacity)
    let mask = capacity - 1
    for slot in 0..<old.4 where old.0[slot] != 0 {
      var index = Int(truncatingIfNeeded: old.0[slot]) & mask
      while hashes[index] != 0 { index = (index + 1) & mask }
      hashes[index] = old.0[slot]
      offsets[index] = old.1[slot]
      lengths[index] = old.2[slot]
      values[index] = old.3[slot]
    }
    old.0.deallocate()
    old.1.deallocate()
    old.2.deallocate()
    old.3.deallocate()
  }

  /// Calls `body(bytes, value)` for every entry in an order that depends on the entries alone,
  /// not on the order they were added in: by hash, then bytes. (Sorting the hashes is several
  /// times faster than sorting the byte strings, and nothing needs byte order.)
  func forEachInHashOrder(_ body: (UnsafeBufferPointer<UInt8>, UInt64) -> Void) {
    struct Entry {
      let hash: UInt64
      let slot: Int
    }
    var entries: [Entry] = []
    entries.reserveCapacity(count)
    for index in 0..<capacity where hashes[index] != 0 { entries.append(Entry(hash: hashes[index], slot: index)) }
    let offsets = self.offsets
    let lengths = self.lengths
    let arena = self.arena
    entries.withUnsafeMutableBufferPointer { entries in
      Self.radixSort(entries) { $0.hash }
      // Equal hashes (rare) in byte order, then length.
      var first = 0
      while first < entries.count {
        var end = first + 1
        while end < entries.count && entries[end].hash == entries[first].hash { end += 1 }
        if end - first > 1 {
          entries[first..<end].sort { a, b in
            let shorter = Int(min(lengths[a.slot], lengths[b.slot]))
            let order = memcmp(arena + Int(offsets[a.slot]), arena + Int(offsets[b.slot]), shorter)
            return order != 0 ? order < 0 : lengths[a.slot] < lengths[b.slot]
          }
        }
        first = end
      }
    }
    for entry in entries {
      body(
        UnsafeBufferPointer(start: arena + Int(offsets[entry.slot]), count: Int(lengths[entry.slot])),
        values[entry.slot])
    }
  }

  /// Sorts `items` by a 64-bit key, least significant 16 bits first (stable): for the hundred
  /// thousand entries of a count file, several times faster than the standard library's sort.
  static func radixSort<T: BitwiseCopyable>(_ items: UnsafeMutableBufferPointer<T>, key: (T) -> UInt64) {
    guard items.count > 1, let base = items.baseAddress else { return }
    let spare = UnsafeMutablePointer<T>.allocate(capacity: items.count)
    defer { spare.deallocate() }
    let counts = UnsafeMutablePointer<Int>.allocate(capacity: 1 << 16)
    defer { counts.deallocate() }
    var from = base
    var to = spare
    for pass in 0..<4 {
      let shift = UInt64(pass * 16)
      counts.initialize(repeating: 0, count: 1 << 16)
      for index in 0..<items.count { counts[Int(truncatingIfNeeded: key(from[index]) >> shift) & 0xFFFF] += 1 }
      var total = 0
      for digit in 0..<(1 << 16) {
        let count = counts[digit]
        counts[digit] = total
        total += count
      }
      for index in 0..<items.count {
        let digit = Int(truncatingIfNeeded: key(from[index]) >> shift) & 0xFFFF
        (to + counts[digit]).initialize(to: from[index])
        counts[digit] += 1
      }
      swap(&from, &to)
    }
    // Four passes: the sorted items are back in `items`.
    precondition(from == base)
  }

  /// Calls `body(bytes, value)` for every entry, in slot order.
  func forEach(_ body: (UnsafeBufferPointer<UInt8>, UInt64) -> Void) {
    for index in 0..<capacity where hashes[index] != 0 {
      body(UnsafeBufferPointer(start: arena + Int(offsets[index]), count: Int(lengths[index])), values[index])
    }
  }
}
