import GRDB
import GRDBSQLite

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
      var id = id
      if let value = id.withUTF8({ Self.pack($0) }) { packed.append(value) } else { others.insert(id) }
    }
    self.init(packed: packed, others: others)
  }

  /// The ids in the first column of the rows of `queries`, read as bytes through SQLite's C
  /// interface: a stage that skips dropped documents reads every drop decision at its start,
  /// and a `String` per id was most of that time.
  init(_ db: Database, queries: [String]) throws {
    var packed: [Packed] = []
    var others = Set<String>()
    for sql in queries {
      let statement = try db.makeStatement(sql: sql)
      let raw = statement.sqliteStatement
      while true {
        let code = sqlite3_step(raw)
        if code == SQLITE_DONE { break }
        guard code == SQLITE_ROW else {
          throw DatabaseError(
            resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)))
        }
        guard let text = sqlite3_column_text(raw, 0) else { continue }
        let id = UnsafeBufferPointer(start: text, count: Int(sqlite3_column_bytes(raw, 0)))
        if let value = Self.pack(id) {
          packed.append(value)
        } else {
          others.insert(String(decoding: id, as: UTF8.self))
        }
      }
      sqlite3_reset(raw)
    }
    self.init(packed: packed, others: others)
  }

  private init(packed: [Packed], others: Set<String>) {
    var packed = packed
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
    var id = id
    guard let value = id.withUTF8({ Self.pack($0) }) else { return others.contains(id) }
    return packed.sortedContains(value)
  }

  /// The id's 16 bytes as two big-endian words, when it is 32 lower-case hexadecimal digits.
  @inline(__always)
  private static func pack(_ utf8: UnsafeBufferPointer<UInt8>) -> Packed? {
    guard utf8.count == 32, let base = utf8.baseAddress else { return nil }
    @inline(__always) func word(_ digits: UnsafePointer<UInt8>) -> UInt64? {
      var word: UInt64 = 0
      for index in 0..<16 {
        let digit = digits[index]
        let number = digit &- UInt8(ascii: "0")
        let letter = digit &- UInt8(ascii: "a")
        let value: UInt8
        if number < 10 { value = number } else if letter < 6 { value = letter &+ 10 } else { return nil }
        word = word << 4 | UInt64(value)
      }
      return word
    }
    guard let high = word(base), let low = word(base + 16) else { return nil }
    return Packed(high: high, low: low)
  }
}
