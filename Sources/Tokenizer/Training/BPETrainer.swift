/// Learns byte-level BPE merges from counted pre-tokens by the incremental algorithm: each
/// distinct piece becomes a word of byte ids with its count; the pair index counts adjacent
/// pairs and lists the words holding each; the merge queue yields the most frequent pair; only
/// the words holding it are rewritten, and the pair counts are adjusted by what changed around
/// each merged occurrence. New token ids follow the byte ids in merge order. A merge whose
/// bytes are already a token (`ab`+`c` after `a`+`bc`) maps to that token, as in Hugging Face's
/// trainer, so token bytes stay unique (tokenizer.json's vocabulary is keyed by them) and only
/// merges that make a new token count towards the vocabulary.
///
/// Ties between pairs of equal count go to the smaller (left id, right id), the rule Hugging
/// Face's trainer and rustbpe use on their own ids.
struct BPETrainer {
  struct Merge: Equatable, Sendable {
    let left: UInt32
    let right: UInt32
    let token: UInt32
  }

  /// Merges until `newTokens` new tokens exist, of pairs seen at least `minimumFrequency` times
  /// (and at least once). Returns the merges and the bytes of every token (bytes first).
  static func train(
    words: TrainingWords, newTokens target: Int, minimumFrequency: Int,
    progress: ((Int) -> Void)? = nil
  ) -> (merges: [Merge], tokens: [[UInt8]]) {
    var pairs = PairIndex(capacity: 1 << 16)
    for word in 0..<words.count {
      let start = words.start[word]
      let count = words.count(of: word)
      for position in 0..<Int(words.length[word]) - 1 {
        let pair = pairs.pair(PairIndex.key(words.symbols[start + position], words.symbols[start + position + 1]))
        pairs.counts[pair] += count
        if pairs.words[pair].last != Int32(word) { pairs.words[pair].append(Int32(word)) }
      }
    }
    var queue = MergeQueue(
      zip(pairs.keys, pairs.counts).compactMap { key, count in count > 0 ? .init(count: count, key: key) : nil })

    var merges: [Merge] = []
    merges.reserveCapacity(target)
    var tokens = (0..<256).map { [UInt8($0)] }
    let tokenIDs = ByteStringTable(capacity: 2 * (256 + target))
    var created: [Int] = []
    let threshold = Int64(max(1, minimumFrequency))
    while tokens.count - 256 < target, let top = queue.pop() {
      let pair = pairs.pair(top.key)
      let current = pairs.counts[pair]
      if current != top.count {
        if current > 0 { queue.push(.init(count: current, key: top.key)) }
        continue
      }
      guard current >= threshold else { break }
      let left = UInt32(top.key >> 32)
      let right = UInt32(truncatingIfNeeded: top.key)
      let bytes = tokens[Int(left)] + tokens[Int(right)]
      let newToken = bytes.withUnsafeBufferPointer { bytes in
        if let existing = tokenIDs.value(bytes.baseAddress!, bytes.count) { return UInt32(existing) }
        tokenIDs.set(bytes.baseAddress!, bytes.count, value: UInt64(tokens.count))
        return UInt32(tokens.count)
      }
      if newToken == tokens.count { tokens.append(bytes) }
      let merge = Merge(left: left, right: right, token: newToken)
      let stamp = Int32(merges.count)
      merges.append(merge)
      let holders = pairs.words[pair]
      pairs.words[pair] = []
      created.removeAll(keepingCapacity: true)
      for word in holders where words.stamp[Int(word)] != stamp {
        words.stamp[Int(word)] = stamp
        words.merge(Int(word), merge, into: newToken, pairs: &pairs, stamp: stamp, created: &created)
      }
      pairs.counts[pair] = 0
      for created in created where pairs.counts[created] > 0 {
        queue.push(.init(count: pairs.counts[created], key: pairs.keys[created]))
      }
      progress?(tokens.count - 256)
    }
    return (merges, tokens)
  }
}

/// The training words: distinct pieces of two or more bytes as runs of token ids in one flat
/// buffer, rewritten in place as merges shorten them, with their counts. Built from the counting
/// table, which can then be freed before merging starts.
final class TrainingWords {
  let count: Int
  let symbols: UnsafeMutablePointer<UInt32>
  let start: UnsafeMutablePointer<Int>
  let length: UnsafeMutablePointer<Int32>
  let counts: UnsafeMutablePointer<Int64>
  /// The last merge applied to each word, so a word listed twice for a pair is merged once.
  let stamp: UnsafeMutablePointer<Int32>

  init(_ pieces: ByteStringTable) {
    var words = 0
    var symbolCount = 0
    pieces.forEach { bytes, _ in
      if bytes.count >= 2 {
        words += 1
        symbolCount += bytes.count
      }
    }
    count = words
    symbols = .allocate(capacity: max(1, symbolCount))
    start = .allocate(capacity: max(1, words))
    length = .allocate(capacity: max(1, words))
    counts = .allocate(capacity: max(1, words))
    stamp = .allocate(capacity: max(1, words))
    stamp.initialize(repeating: -1, count: max(1, words))
    var word = 0
    var offset = 0
    pieces.forEach { bytes, count in
      guard bytes.count >= 2 else { return }
      start[word] = offset
      length[word] = Int32(bytes.count)
      counts[word] = Int64(count)
      for byte in bytes {
        symbols[offset] = UInt32(byte)
        offset += 1
      }
      word += 1
    }
  }

  deinit {
    symbols.deallocate()
    start.deallocate()
    length.deallocate()
    counts.deallocate()
    stamp.deallocate()
  }

  @inline(__always)
  func count(of word: Int) -> Int64 { counts[word] }

  /// Replaces each occurrence of `merge` in `word`, left to right, by `newToken`, and moves the
  /// word's count from the pairs around each occurrence to the pairs with the new token. The
  /// token before an occurrence is read from the rewritten prefix, so in `a b a b` the second
  /// occurrence sees the first one's new token. Pairs that gain a count are added to `created`.
  @inline(__always)
  func merge(
    _ word: Int, _ merge: BPETrainer.Merge, into newToken: UInt32, pairs: inout PairIndex, stamp: Int32,
    created: inout [Int]
  ) {
    let base = symbols + start[word]
    let oldLength = Int(length[word])
    let count = counts[word]
    @inline(__always) func gain(_ left: UInt32, _ right: UInt32) {
      let pair = pairs.pair(PairIndex.key(left, right))
      pairs.counts[pair] += count
      if pairs.words[pair].last != Int32(word) { pairs.words[pair].append(Int32(word)) }
      if pairs.queuedAt[pair] != stamp {
        pairs.queuedAt[pair] = stamp
        created.append(pair)
      }
    }
    @inline(__always) func lose(_ left: UInt32, _ right: UInt32) {
      let pair = pairs.pair(PairIndex.key(left, right))
      pairs.counts[pair] -= count
      // No word holds it any more: free its list (a quarter of the pairs end this way).
      if pairs.counts[pair] <= 0 { pairs.words[pair] = [] }
    }
    var read = 0
    var write = 0
    while read < oldLength {
      if read + 1 < oldLength && base[read] == merge.left && base[read + 1] == merge.right {
        if write > 0 {
          let previous = base[write - 1]
          lose(previous, merge.left)
          gain(previous, newToken)
        }
        if read + 2 < oldLength {
          let next = base[read + 2]
          lose(merge.right, next)
          gain(newToken, next)
        }
        base[write] = newToken
        write += 1
        read += 2
      } else {
        base[write] = base[read]
        write += 1
        read += 1
      }
    }
    length[word] = Int32(write)
  }
}
