import Glibc

/// fastText's dictionary: words then labels (each with its count and type, in the file's order),
/// the character n-grams of every word hashed into `bucket` rows after the words, and word
/// n-grams hashed into the same buckets. Tokens, hashes and subwords follow fastText 0.9's
/// `Dictionary` exactly, bytes and sign extensions included, so the rows summed for a text are
/// the rows fastText sums.
public struct FastTextDictionary: Sendable {
  public static let endOfSentence = Array("</s>".utf8)
  public static let labelPrefix = Array("__label__".utf8)

  public enum EntryType: Int8, Sendable {
    case word = 0
    case label = 1
  }

  /// Entry `i`'s bytes are `arena[starts[i]..<starts[i + 1]]`.
  private(set) var arena: [UInt8] = []
  private(set) var starts: [Int] = [0]
  public private(set) var counts: [Int64] = []
  public private(set) var types: [EntryType] = []
  public private(set) var wordCount = 0
  public private(set) var labelCount = 0
  public var tokenCount: Int64 = 0
  /// Bucket → row after pruning (quantized models with a cutoff); nil when not pruned.
  public private(set) var pruned: [Int32: Int32]?
  let minn: Int
  let maxn: Int
  let bucket: Int
  /// Open addressing on fastText's hash: each slot the entry's hash (high 32 bits) and its
  /// index + 1 (low; 0 when empty), so a probe compares bytes only when the hashes agree.
  private var table: [UInt64] = []
  private var mask = 0
  /// Entry `i`'s input rows (itself, then its character n-grams): `subwords[subwordStarts[i]..<subwordStarts[i + 1]]`.
  private var subwordStarts: [Int] = [0]
  private var subwords: [Int32] = []

  public var count: Int { counts.count }

  init(args: FastTextArgs) {
    minn = Int(args.minn)
    maxn = Int(args.maxn)
    bucket = Int(args.bucket)
  }

  public func entry(_ index: Int) -> ArraySlice<UInt8> { arena[starts[index]..<starts[index + 1]] }

  /// Label `index` (0 = the first label) as text.
  public func label(_ index: Int) -> String { String(decoding: entry(wordCount + index), as: UTF8.self) }

  /// The counts of the labels, in label order (hierarchical softmax builds its tree from them).
  public var labelCounts: [Int64] { Array(counts[wordCount...]) }

  /// fastText's FNV-1a over the bytes, each byte sign-extended as a C `char`.
  @inline(__always)
  static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    var h: UInt32 = 2_166_136_261
    for byte in bytes {
      h ^= UInt32(bitPattern: Int32(Int8(bitPattern: byte)))
      h = h &* 16_777_619
    }
    return h
  }

  /// The entry with these bytes, or -1.
  func find(_ bytes: UnsafeRawBufferPointer, hash: UInt32) -> Int32 {
    guard !table.isEmpty else { return -1 }
    var slot = Int(hash) & mask
    return table.withUnsafeBufferPointer { table in
      arena.withUnsafeBytes { arena in
        starts.withUnsafeBufferPointer { starts in
          while true {
            let entry = table[slot]
            if entry == 0 { return -1 }
            if UInt32(truncatingIfNeeded: entry >> 32) == hash {
              let id = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF) - 1
              let start = starts[id]
              let length = starts[id + 1] - start
              if length == bytes.count,
                length == 0 || memcmp(arena.baseAddress! + start, bytes.baseAddress!, length) == 0
              {
                return Int32(id)
              }
            }
            slot = (slot + 1) & mask
          }
        }
      }
    }
  }

  mutating func append(_ word: UnsafeRawBufferPointer, count: Int64, type: EntryType) {
    arena.append(contentsOf: word)
    starts.append(arena.count)
    counts.append(count)
    types.append(type)
    if type == .word { wordCount += 1 } else { labelCount += 1 }
  }

  /// Builds the lookup table and every entry's subwords (after the entries are all there).
  mutating func index() {
    var capacity = 16
    while capacity < counts.count * 2 { capacity <<= 1 }
    let mask = capacity - 1
    var table = [UInt64](repeating: 0, count: capacity)
    arena.withUnsafeBytes { arena in
      for id in 0..<counts.count {
        let word = UnsafeRawBufferPointer(rebasing: arena[starts[id]..<starts[id + 1]])
        let hash = Self.hash(word)
        var slot = Int(hash) & mask
        while table[slot] != 0 { slot = (slot + 1) & mask }
        table[slot] = UInt64(hash) << 32 | UInt64(id + 1)
      }
    }
    self.table = table
    self.mask = mask
    // Built in locals: appending to the stored arrays while calling a method of `self` would
    // copy them at every call.
    var subwordStarts = [0]
    var subwords: [Int32] = []
    subwords.reserveCapacity(counts.count * (maxn > 0 ? 16 : 1))
    var scratch: [UInt8] = []
    for id in 0..<counts.count {
      subwords.append(Int32(id))
      let word = entry(id)
      if !word.elementsEqual(Self.endOfSentence) {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(UInt8(ascii: "<"))
        scratch.append(contentsOf: word)
        scratch.append(UInt8(ascii: ">"))
        scratch.withUnsafeBytes { characterNgrams($0, into: &subwords) }
      }
      subwordStarts.append(subwords.count)
    }
    self.subwordStarts = subwordStarts
    self.subwords = subwords
  }

  /// Appends the bucket rows of the character n-grams (`minn`…`maxn` UTF-8 characters) of
  /// `word`, which already has its `<` and `>`; n-grams of one character at either end are not
  /// used.
  func characterNgrams(_ word: UnsafeRawBufferPointer, into rows: inout [Int32]) {
    guard maxn > 0, bucket > 0 else { return }
    let size = word.count
    for i in 0..<size where word[i] & 0xC0 != 0x80 {
      var j = i
      var n = 1
      var h: UInt32 = 2_166_136_261
      while j < size && n <= maxn {
        h ^= UInt32(bitPattern: Int32(Int8(bitPattern: word[j])))
        h = h &* 16_777_619
        j += 1
        while j < size && word[j] & 0xC0 == 0x80 {
          h ^= UInt32(bitPattern: Int32(Int8(bitPattern: word[j])))
          h = h &* 16_777_619
          j += 1
        }
        if n >= minn && !(n == 1 && (i == 0 || j == size)) {
          pushBucket(Int32(bitPattern: h % UInt32(bucket)), into: &rows)
        }
        n += 1
      }
    }
  }

  @inline(__always)
  func pushBucket(_ bucketID: Int32, into rows: inout [Int32]) {
    var id = bucketID
    if let pruned {
      guard let mapped = pruned[id] else { return }
      id = mapped
    }
    rows.append(Int32(wordCount) + id)
  }

  @inline(__always)
  func rowCount(of id: Int32) -> Int { maxn <= 0 ? 1 : subwordStarts[Int(id) + 1] - subwordStarts[Int(id)] }

  @inline(__always)
  func appendRows(of id: Int32, into rows: inout [Int32]) {
    if maxn <= 0 {
      rows.append(id)
    } else {
      subwords.withUnsafeBufferPointer {
        rows.append(contentsOf: UnsafeBufferPointer(rebasing: $0[subwordStarts[Int(id)]..<subwordStarts[Int(id) + 1]]))
      }
    }
  }

  /// The input rows of a known entry: itself and its n-grams (itself alone without subwords).
  @inline(__always)
  func rows(of id: Int32) -> ArraySlice<Int32> {
    maxn <= 0 ? subwords[Int(id)..<Int(id) + 1] : subwords[subwordStarts[Int(id)]..<subwordStarts[Int(id) + 1]]
  }

  /// Word n-grams up to `n` words over the tokens' hashes, as fastText's `addWordNgrams`:
  /// each hash is a signed 32-bit value widened to 64 bits.
  func wordNgrams(_ hashes: [Int32], n: Int, into rows: inout [Int32]) {
    guard n > 1, bucket > 0 else { return }
    for i in 0..<hashes.count {
      var h = UInt64(bitPattern: Int64(hashes[i]))
      var j = i + 1
      while j < hashes.count && j < i + n {
        h = h &* 116_049_371 &+ UInt64(bitPattern: Int64(hashes[j]))
        pushBucket(Int32(truncatingIfNeeded: h % UInt64(bucket)), into: &rows)
        j += 1
      }
    }
  }
}

extension FastTextDictionary {
  /// Reads `Dictionary::save`'s layout: sizes, entries (NUL-terminated bytes, count, type),
  /// then the pruning map.
  init(reading reader: inout FastTextReader, args: FastTextArgs) throws(FastTextError) {
    self.init(args: args)
    let size = Int(try reader.int32("the dictionary's size"))
    let words = Int(try reader.int32("the dictionary's size"))
    let labels = Int(try reader.int32("the dictionary's size"))
    tokenCount = try reader.int64("the dictionary's size")
    let pruneSize = try reader.int64("the dictionary's size")
    // Every entry takes at least 10 bytes (NUL, count, type).
    guard size >= 0, words >= 0, labels >= 0, words + labels == size, size <= reader.remaining / 10 else {
      throw reader.failure(
        "a dictionary of \(size) entries (\(words) words, \(labels) labels) does not fit the file: damaged")
    }
    counts.reserveCapacity(size)
    for index in 0..<size {
      let word = try reader.cString("entry \(index) of the dictionary", limit: 1 << 16)
      let count = try reader.int64("entry \(index) of the dictionary")
      let code = try reader.byte("entry \(index) of the dictionary")
      guard let type = EntryType(rawValue: Int8(bitPattern: code)) else {
        throw reader.failure("entry \(index) has type \(code): damaged")
      }
      guard (type == .word) == (index < words) else {
        throw reader.failure("entry \(index): labels must follow the \(words) words: damaged")
      }
      append(word, count: count, type: type)
    }
    if pruneSize >= 0 {
      guard pruneSize <= Int64(reader.remaining / 8) else {
        throw reader.failure("a pruning map of \(pruneSize) pairs does not fit the file: damaged")
      }
      var map: [Int32: Int32] = [:]
      map.reserveCapacity(Int(pruneSize))
      for _ in 0..<pruneSize {
        let first = try reader.int32("the pruning map")
        let second = try reader.int32("the pruning map")
        guard second >= 0 else {
          throw reader.failure("the pruning map sends bucket \(first) to row \(second): damaged")
        }
        map[first] = second
      }
      pruned = map
    }
    index()
  }

  func write(to writer: inout FastTextWriter) {
    writer.put(Int32(count))
    writer.put(Int32(wordCount))
    writer.put(Int32(labelCount))
    writer.put(tokenCount)
    writer.put(Int64(pruned.map { $0.count } ?? -1))
    for index in 0..<count {
      writer.bytes.append(contentsOf: entry(index))
      writer.bytes.append(0)
      writer.put(counts[index])
      writer.bytes.append(UInt8(bitPattern: types[index].rawValue))
    }
    if let pruned {
      for (first, second) in pruned.sorted(by: { $0.key < $1.key }) {
        writer.put(first)
        writer.put(second)
      }
    }
  }
}
