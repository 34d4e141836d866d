import CMinHash
import HatcheryCore

/// MinHash signatures: for permutation i, the minimum over a document's shingle hashes h of
/// (a_i·h + b_i) mod (2^61 − 1), with a_i in [1, p) and b_i in [0, p) drawn by SplitMix64 from a
/// fixed seed. Bands of `rows` consecutive values are hashed to LSH bucket keys.
struct MinHasher: Sendable {
  static let prime: UInt64 = (1 << 61) - 1

  let a: [UInt64]
  let b: [UInt64]
  let bands: Int
  let rows: Int

  var hashCount: Int { bands * rows }

  init(bands: Int, rows: Int, seed: UInt64) {
    self.bands = bands
    self.rows = rows
    var random = SplitMix64(seed: seed)
    var a: [UInt64] = []
    var b: [UInt64] = []
    for _ in 0..<(bands * rows) {
      a.append(1 + random.next() % (Self.prime - 1))
      b.append(random.next() % Self.prime)
    }
    self.a = a
    self.b = b
  }

  /// (x mod p) for x = high·2^64 + low < 2^125, using 2^61 ≡ 1 (mod p).
  @inline(__always)
  static func reduce(high: UInt64, low: UInt64) -> UInt64 {
    // x = q·2^61 + (low & p) with q = high << 3 | low >> 61 (< 2^64, as high < 2^61), and
    // q ≡ (q & p) + (q >> 61): three terms below 2^62 in all, so nothing overflows.
    let q = high << 3 | low >> 61
    var value = (low & prime) &+ (q & prime) &+ (q >> 61)
    value = (value & prime) &+ (value >> 61)
    return value >= prime ? value &- prime : value
  }

  /// Writes the signature of `shingles` into `signature` (hashCount values), with the scalar
  /// formula. The reference for `signature(of:into:scratch:)`, which gives the same values.
  func referenceSignature(of shingles: UnsafeBufferPointer<UInt64>, into signature: UnsafeMutableBufferPointer<UInt64>)
  {
    for permutation in 0..<hashCount {
      let multiplier = a[permutation]
      let offset = b[permutation]
      var minimum = UInt64.max
      for shingle in shingles {
        let product = multiplier.multipliedFullWidth(by: shingle)
        var value = Self.reduce(high: product.high, low: product.low) &+ offset
        value = value >= Self.prime ? value &- Self.prime : value
        minimum = min(minimum, value)
      }
      signature[permutation] = minimum
    }
  }

  /// Writes the signature of `shingles` into `signature`, the same values as
  /// `referenceSignature`: the shingles reduced mod p and split into 32-bit halves, whose
  /// products the vector units compute, eight lanes at a time (`hatchery_minhash_update`, in C
  /// so that it is built for AVX2 and for the baseline and chosen when the process starts).
  func signature(
    of shingles: UnsafeBufferPointer<UInt64>, into signature: UnsafeMutableBufferPointer<UInt64>,
    scratch: MinHashScratch
  ) {
    let hashCount = self.hashCount
    scratch.prepare(shingles, hashCount: hashCount)
    let minima = scratch.minima
    minima.initialize(repeating: Self.prime, count: hashCount * 8)
    a.withUnsafeBufferPointer { a in
      b.withUnsafeBufferPointer { b in
        hatchery_minhash_update(
          scratch.lowHalves, scratch.highHalves, scratch.vectorCount, a.baseAddress, b.baseAddress, hashCount, minima)
      }
    }
    for permutation in 0..<hashCount {
      var minimum = minima[8 * permutation]
      for lane in 1..<8 { minimum = min(minimum, minima[8 * permutation + lane]) }
      signature[permutation] = minimum
    }
  }

  /// Which build of the vector kernel this processor runs ("avx2" or "baseline").
  static var kernel: String { String(cString: hatchery_minhash_variant()) }

  /// The LSH bucket key of each band: XXH3-64 of its `rows` values, seeded by the band number.
  func bandKey(_ signature: UnsafeBufferPointer<UInt64>, band: Int) -> UInt64 {
    let values = UnsafeBufferPointer(rebasing: signature[(band * rows)..<((band + 1) * rows)])
    return XXHash.hash64(UnsafeRawBufferPointer(values), seed: UInt64(band))
  }

  /// The share of equal values: the signatures' estimate of the Jaccard similarity.
  static func estimatedJaccard(_ first: UnsafeBufferPointer<UInt64>, _ second: UnsafeBufferPointer<UInt64>) -> Double {
    var equal = 0
    for index in 0..<first.count where first[index] == second[index] { equal += 1 }
    return Double(equal) / Double(first.count)
  }
}

/// Per-worker buffers of `MinHasher.signature`: shingle hashes reduced mod p and split into
/// 32-bit halves, padded to whole groups of eight, and eight running minima per permutation.
final class MinHashScratch {
  private(set) var lowHalves: UnsafeMutablePointer<UInt64>
  private(set) var highHalves: UnsafeMutablePointer<UInt64>
  private(set) var minima: UnsafeMutablePointer<UInt64>
  private(set) var vectorCount = 0
  private var capacity: Int
  private let minimaCapacity: Int

  init(hashCount: Int) {
    capacity = 1024
    lowHalves = .allocate(capacity: capacity * 8)
    highHalves = .allocate(capacity: capacity * 8)
    minimaCapacity = hashCount
    minima = .allocate(capacity: hashCount * 8)
  }

  deinit {
    lowHalves.deallocate()
    highHalves.deallocate()
    minima.deallocate()
  }

  /// Loads `shingles`; the last vector is padded with the first shingle, which leaves every
  /// minimum as it is.
  func prepare(_ shingles: UnsafeBufferPointer<UInt64>, hashCount: Int) {
    precondition(hashCount <= minimaCapacity && !shingles.isEmpty)
    vectorCount = (shingles.count + 7) / 8
    if vectorCount > capacity {
      lowHalves.deallocate()
      highHalves.deallocate()
      capacity = max(vectorCount, capacity * 2)
      lowHalves = .allocate(capacity: capacity * 8)
      highHalves = .allocate(capacity: capacity * 8)
    }
    let low = lowHalves
    let high = highHalves
    for index in 0..<(vectorCount * 8) {
      let hash = shingles[index < shingles.count ? index : 0]
      var reduced = (hash & MinHasher.prime) &+ (hash >> 61)
      reduced = reduced >= MinHasher.prime ? reduced &- MinHasher.prime : reduced
      low[index] = reduced & 0xFFFF_FFFF
      high[index] = reduced >> 32
    }
  }
}
