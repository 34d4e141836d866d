/// Applies the merges to one pre-token: repeatedly merge the adjacent pair of lowest rank, the
/// leftmost among equals (the rule of both Hugging Face's BPE and tiktoken). Short pieces use
/// two flat arrays and a linear scan for the minimum (pieces of running text are a few bytes;
/// the heap's cut-over at 128 bytes was chosen, not tuned); a piece longer than `longPiece` bytes (a run of one character, a base64 blob) goes
/// through a heap over a linked list, so its cost is O(n log n), not O(n²).
struct PieceMerger {
  static let longPiece = 128

  private var tokens: [UInt32] = []
  private var ranks: [UInt64] = []
  // Long pieces: neighbours by original position, and the heap of candidate pairs.
  private var previous: [Int32] = []
  private var next: [Int32] = []
  private var heap: [(value: UInt64, position: Int32)] = []

  /// Appends the tokens of `piece` (bytes mapped by `byteTokens`) to `output`.
  mutating func merge(
    _ piece: UnsafeBufferPointer<UInt8>, byteTokens: UnsafePointer<UInt32>, pairs: PairRankTable,
    into output: inout [UInt32]
  ) {
    if piece.count > Self.longPiece {
      mergeLong(piece, byteTokens: byteTokens, pairs: pairs, into: &output)
      return
    }
    tokens.removeAll(keepingCapacity: true)
    ranks.removeAll(keepingCapacity: true)
    for byte in piece { tokens.append(byteTokens[Int(byte)]) }
    for index in 0..<tokens.count - 1 { ranks.append(pairs.lookup(tokens[index], tokens[index + 1])) }
    tokens.withUnsafeMutableBufferPointer { tokens in
      ranks.withUnsafeMutableBufferPointer { ranks in
        var count = tokens.count
        while count > 1 {
          var best = 0
          var bestValue = ranks[0]
          for index in 1..<count - 1 where ranks[index] < bestValue {
            best = index
            bestValue = ranks[index]
          }
          guard bestValue != PairRankTable.none else { break }
          tokens[best] = UInt32(truncatingIfNeeded: bestValue)
          for index in best + 1..<count - 1 { tokens[index] = tokens[index + 1] }
          for index in best..<count - 2 { ranks[index] = ranks[index + 1] }
          count -= 1
          if best > 0 { ranks[best - 1] = pairs.lookup(tokens[best - 1], tokens[best]) }
          if best < count - 1 { ranks[best] = pairs.lookup(tokens[best], tokens[best + 1]) }
        }
        output.append(contentsOf: tokens[0..<count])
      }
    }
  }

  /// The heap variant: each position holds a token while it is alive; a heap entry is the pair
  /// that starts at `position`, ordered by (rank, position) and dropped when popped if the pair
  /// there has changed since (lazy deletion).
  private mutating func mergeLong(
    _ piece: UnsafeBufferPointer<UInt8>, byteTokens: UnsafePointer<UInt32>, pairs: PairRankTable,
    into output: inout [UInt32]
  ) {
    let count = piece.count
    tokens = piece.map { byteTokens[Int($0)] }
    ranks = [UInt64](repeating: PairRankTable.none, count: count)
    previous = (0..<count).map { Int32($0) - 1 }
    next = (0..<count).map { Int32($0) + 1 }
    heap.removeAll(keepingCapacity: true)
    for position in 0..<count - 1 {
      ranks[position] = pairs.lookup(tokens[position], tokens[position + 1])
      if ranks[position] != PairRankTable.none { heapPush((ranks[position], Int32(position))) }
    }
    while let (value, position32) = heapPop() {
      let position = Int(position32)
      // Stale: the token here was absorbed, or its pair changed since this entry was pushed.
      guard ranks[position] == value, tokens[position] != UInt32.max else { continue }
      let right = Int(next[position])
      tokens[position] = UInt32(truncatingIfNeeded: value)
      tokens[right] = UInt32.max
      ranks[right] = PairRankTable.none
      let after = Int(next[right])
      next[position] = Int32(after)
      if after < count { previous[after] = Int32(position) }
      ranks[position] = after < count ? pairs.lookup(tokens[position], tokens[after]) : PairRankTable.none
      if ranks[position] != PairRankTable.none { heapPush((ranks[position], Int32(position))) }
      let before = Int(previous[position])
      if before >= 0 {
        ranks[before] = pairs.lookup(tokens[before], tokens[position])
        if ranks[before] != PairRankTable.none { heapPush((ranks[before], Int32(before))) }
      }
    }
    var position = 0
    while position < count {
      output.append(tokens[position])
      position = Int(next[position])
    }
  }

  @inline(__always)
  private static func precedes(_ a: (value: UInt64, position: Int32), _ b: (value: UInt64, position: Int32)) -> Bool {
    let rankA = a.value >> 32
    let rankB = b.value >> 32
    return rankA < rankB || (rankA == rankB && a.position < b.position)
  }

  private mutating func heapPush(_ entry: (value: UInt64, position: Int32)) {
    heap.append(entry)
    var child = heap.count - 1
    while child > 0 {
      let parent = (child - 1) / 2
      guard Self.precedes(heap[child], heap[parent]) else { break }
      heap.swapAt(child, parent)
      child = parent
    }
  }

  private mutating func heapPop() -> (UInt64, Int32)? {
    guard let last = heap.popLast() else { return nil }
    guard !heap.isEmpty else { return last }
    let top = heap[0]
    heap[0] = last
    var parent = 0
    while true {
      let left = 2 * parent + 1
      guard left < heap.count else { break }
      var best = left
      if left + 1 < heap.count && Self.precedes(heap[left + 1], heap[left]) { best = left + 1 }
      guard Self.precedes(heap[best], heap[parent]) else { break }
      heap.swapAt(parent, best)
      parent = best
    }
    return top
  }
}
