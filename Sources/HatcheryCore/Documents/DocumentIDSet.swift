/// A set of document ids, held compactly: an id of 32 lower-case hexadecimal digits — every id
/// ingest makes — as its 16 bytes in one sorted array, any other id as a string. A stage that
/// skips dropped documents holds one of these for the whole corpus: 16 bytes per dropped
/// document instead of a heap string and a hash-table slot (~90 bytes).
public struct DocumentIDSet: Sendable {
  private struct Packed: Comparable, Sendable {
    let high: UInt64
    let low: UInt64

    static func < (a: Packed, b: Packed) -> Bool { a.high != b.high ? a.high < b.high : a.low < b.low }
  }

  private let packed: [Packed]
  private let others: Set<String>

  public init(_ ids: some Sequence<String>) {
    self.init { insert in ids.forEach(insert) }
  }

  /// The ids `body` hands to its argument, one at a time (from a database cursor, say), so no
  /// list of them as strings is ever held.
  public init(collecting body: ((String) -> Void) throws -> Void) rethrows {
    var packed: [Packed] = []
    var others = Set<String>()
    try body { id in
      if let value = Self.pack(id) { packed.append(value) } else { others.insert(id) }
    }
    packed.sort()
    // Drop repeats, so `count` counts ids.
    var unique = 0
    for index in packed.indices where index == 0 || packed[index] != packed[unique - 1] {
      packed[unique] = packed[index]
      unique += 1
    }
    packed.removeLast(packed.count - unique)
    self.packed = packed
    self.others = others
  }

  public var count: Int { packed.count + others.count }
  public var isEmpty: Bool { count == 0 }

  public func contains(_ id: String) -> Bool {
    guard let value = Self.pack(id) else { return others.contains(id) }
    var low = 0
    var high = packed.count
    while low < high {
      let middle = (low + high) / 2
      if packed[middle] < value { low = middle + 1 } else { high = middle }
    }
    return low < packed.count && packed[low] == value
  }

  /// The id's 16 bytes as two big-endian words, when it is 32 lower-case hexadecimal digits.
  private static func pack(_ id: String) -> Packed? {
    var id = id
    return id.withUTF8 { utf8 -> Packed? in
      guard utf8.count == 32 else { return nil }
      var words: (UInt64, UInt64) = (0, 0)
      for index in 0..<32 {
        let digit = utf8[index]
        let value: UInt8
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): value = digit &- UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): value = digit &- UInt8(ascii: "a") &+ 10
        default: return nil
        }
        if index < 16 { words.0 = words.0 << 4 | UInt64(value) } else { words.1 = words.1 << 4 | UInt64(value) }
      }
      return Packed(high: words.0, low: words.1)
    }
  }
}
