import HatcheryCore

/// Seeded mutations of a seed input: the same (seed, index) gives the same bytes on every
/// machine, so any input a run reports can be made again alone.
public struct Mutator: Sendable {
  /// Byte strings that make parsers take their rare paths: sizes at integer limits, line ends,
  /// markup and JSON punctuation, invalid UTF-8, NULs.
  static let interesting: [[UInt8]] =
    [
      "0", "-1", "7FFFFFFFFFFFFFFF", "FFFFFFFFFFFFFFFF", "9223372036854775807", "18446744073709551616", "4294967295",
      "1e308", "\r\n", "\n\n", "\r\n\r\n", "<", ">", "</", "<!--", "]]>", "&amp;", "&#xFFFFFF;", "\"", "\\", "{", "}",
      "[", "]",
      ":", ",", "\u{0}", "WARC/1.1\r\n", "HTTP/1.1 200 OK\r\n", "Content-Length: 99999999999\r\n",
      "Transfer-Encoding: chunked\r\n", "Content-Encoding: gzip\r\n", "- ", ": ", "&x ", "*x ", "!!binary ", "{{", "}}",
      "[[", "]]",
    ].map { Array($0.utf8) } + [
      [0xFF], [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xFF, 0xFF, 0xFF, 0xFF], [0, 0, 0, 0],
      [0x80],
    ]

  public let seed: UInt64

  public init(seed: UInt64) { self.seed = seed }

  /// Input `index`: one of `seeds` with one to four mutations stacked (index 0 of each seed is
  /// the seed unchanged, so every run also reads the valid inputs).
  public func input(_ index: Int, seeds: [[UInt8]]) -> [UInt8] {
    var random = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37_79B9_7F4A_7C15)
    let chosen = index < seeds.count ? index : Int(random.next() % UInt64(seeds.count))
    var bytes = seeds[chosen]
    if index < seeds.count { return bytes }
    let rounds = 1 + Int(random.next() % 4)
    for _ in 0..<rounds { mutate(&bytes, with: &random, seeds: seeds) }
    return bytes
  }

  private func mutate(_ bytes: inout [UInt8], with random: inout SplitMix64, seeds: [[UInt8]]) {
    func position(_ count: Int) -> Int { count == 0 ? 0 : Int(random.next() % UInt64(count)) }
    switch random.next() % 10 {
    case 0 where !bytes.isEmpty:  // flip bits of one byte
      bytes[position(bytes.count)] ^= UInt8(truncatingIfNeeded: 1 << (random.next() % 8))
    case 1 where !bytes.isEmpty:  // set a byte to a random value
      bytes[position(bytes.count)] = UInt8(truncatingIfNeeded: random.next())
    case 2:  // insert random bytes
      let count = 1 + position(16)
      bytes.insert(
        contentsOf: (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }, at: position(bytes.count + 1))
    case 3 where !bytes.isEmpty:  // delete a range
      let start = position(bytes.count)
      bytes.removeSubrange(start..<min(bytes.count, start + 1 + position(64)))
    case 4 where !bytes.isEmpty:  // duplicate a range, sometimes many times (growth, nesting)
      let start = position(bytes.count)
      let piece = Array(bytes[start..<min(bytes.count, start + 1 + position(256))])
      let copies = random.next() % 8 == 0 ? 1 + position(2000) : 1
      var repeated: [UInt8] = []
      for _ in 0..<copies { repeated += piece }
      bytes.insert(contentsOf: repeated, at: position(bytes.count + 1))
    case 5:  // insert or overwrite with an interesting string
      let value = Self.interesting[position(Self.interesting.count)]
      let at = position(bytes.count + 1)
      if random.next() % 2 == 0 || at + value.count > bytes.count {
        bytes.insert(contentsOf: value, at: at)
      } else {
        bytes.replaceSubrange(at..<(at + value.count), with: value)
      }
    case 6 where !bytes.isEmpty:  // truncate
      bytes.removeLast(1 + position(bytes.count))
    case 7 where seeds.count > 1:  // splice: this input's head, another seed's tail
      let other = seeds[position(seeds.count)]
      bytes = Array(bytes.prefix(position(bytes.count + 1))) + Array(other.suffix(position(other.count + 1)))
    case 8 where bytes.count >= 8:  // overwrite a little-endian integer field with a limit value
      let at = position(bytes.count - 7)
      let values: [UInt64] = [0, 1, UInt64(UInt32.max), UInt64(Int32.max) + 1, UInt64(Int64.max), UInt64.max, 1 << 40]
      let value = values[position(values.count)]
      let width = random.next() % 2 == 0 ? 4 : 8
      for offset in 0..<width { bytes[at + offset] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(offset))) }
    default:  // swap two bytes
      guard bytes.count >= 2 else { return }
      bytes.swapAt(position(bytes.count), position(bytes.count))
    }
  }
}
