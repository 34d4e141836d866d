/// Hashes of every run of `n` consecutive word hashes, in order (none when there are fewer than
/// `n` words). The hash rolls: a polynomial in the word hashes, so each step costs a multiply and
/// two adds whatever n is. Shared by the repetition rules and decontamination.
func nGramHashes(_ words: [UInt64], n: Int) -> [UInt64] {
  precondition(n >= 1)
  guard words.count >= n else { return [] }
  let base: UInt64 = 0x9E37_79B9_7F4A_7C15
  var power: UInt64 = 1
  for _ in 1..<n { power &*= base }
  var hash: UInt64 = 0
  for index in 0..<n { hash = hash &* base &+ words[index] }
  var result = [hash]
  result.reserveCapacity(words.count - n + 1)
  for start in stride(from: 1, through: words.count - n, by: 1) {
    hash = (hash &- words[start - 1] &* power) &* base &+ words[start + n - 1]
    result.append(hash)
  }
  return result
}
