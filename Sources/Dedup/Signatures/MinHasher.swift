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
    var state = seed
    func next() -> UInt64 {  // SplitMix64
      state &+= 0x9E37_79B9_7F4A_7C15
      var z = state
      z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
      z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
      return z ^ (z >> 31)
    }
    var a: [UInt64] = []
    var b: [UInt64] = []
    for _ in 0..<(bands * rows) {
      a.append(1 + next() % (Self.prime - 1))
      b.append(next() % Self.prime)
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
  func referenceSignature(of shingles: UnsafeBufferPointer<UInt64>, into signature: UnsafeMutableBufferPointer<UInt64>) {
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

  typealias Lanes = SIMD8<UInt64>

  /// (a·h + b) mod p in each lane, from the 32-bit halves of a and of h (h < p). Every value in
  /// the sum stays below 2^63; the result is below p.
  @inline(__always)
  static func affine(_ a0: Lanes, _ a1: Lanes, _ a1Times8: Lanes, _ offset: Lanes, _ h0: Lanes, _ h1: Lanes) -> Lanes {
    let p = Lanes(repeating: prime)
    let t00 = a0 &* h0
    let middle = a1 &* h0 &+ a0 &* h1
    let t11 = a1Times8 &* h1  // a1·h1·8: as a1 < 2^29, a1·8 is still a 32-bit operand
    var sum = t11 &+ (middle &>> 29) &+ ((middle & Lanes(repeating: (1 << 29) - 1)) &<< 32) &+ (t00 & p)
      &+ (t00 &>> 61) &+ offset
    sum = (sum & p) &+ (sum &>> 61)
    // Compare-free, as baseline x86-64 (SSE2) has no 64-bit compare: every value is below
    // 2^62, so a difference's top bit tells which side is smaller.
    let reduced = sum &- p
    return reduced &+ (p & (Lanes(repeating: 0) &- (reduced &>> 63)))
  }

  /// The lane-wise minimum of values below 2^62, without compares.
  @inline(__always)
  static func minimum(_ current: Lanes, _ value: Lanes) -> Lanes {
    let difference = value &- current
    return current &+ (difference & (Lanes(repeating: 0) &- (difference &>> 63)))
  }

  /// Writes the signature of `shingles` into `signature`, eight shingles at a time.
  ///
  /// a·h mod p is built from 32-bit halves, whose products the vector units compute (pmuludq):
  /// with h reduced mod p first (which does not change a·h mod p) and a < 2^61, the partial
  /// products a1·h1 (< 2^58), a1·h0 + a0·h1 (< 2^62) and a0·h0 (< 2^64) fold into one sum
  /// below 2^63 using 2^61 ≡ 1, then one more fold and a conditional subtraction. Shingles are
  /// taken in blocks that stay in L1 while every permutation passes over them. On the books
  /// corpus this made the signature step N× faster than the scalar loop.
  func signature(
    of shingles: UnsafeBufferPointer<UInt64>, into signature: UnsafeMutableBufferPointer<UInt64>,
    scratch: MinHashScratch
  ) {
    let hashCount = self.hashCount
    scratch.prepare(shingles, hashCount: hashCount)
    let low32: Lanes = Lanes(repeating: 0xFFFF_FFFF)
    let blockLanes = 128  // 128 × 8 shingles × 2 halves × 8 bytes = 16 KiB
    let vectors = scratch.vectorCount
    let lowHalves = scratch.lowHalves
    let highHalves = scratch.highHalves
    let minima = scratch.minima
    for permutation in 0..<hashCount { minima[permutation] = Lanes(repeating: Self.prime) }
    var blockStart = 0
    while blockStart < vectors {
      let blockEnd = min(blockStart + blockLanes, vectors)
      // Two permutations per pass share each load of the shingle halves.
      var permutation = 0
      while permutation < hashCount {
        let second = min(permutation + 1, hashCount - 1)
        let a0 = Lanes(repeating: a[permutation] & 0xFFFF_FFFF) & low32
        let a1 = Lanes(repeating: a[permutation] >> 32) & low32
        let a1Times8 = Lanes(repeating: (a[permutation] >> 32) << 3) & low32
        let offset = Lanes(repeating: b[permutation])
        let c0 = Lanes(repeating: a[second] & 0xFFFF_FFFF) & low32
        let c1 = Lanes(repeating: a[second] >> 32) & low32
        let c1Times8 = Lanes(repeating: (a[second] >> 32) << 3) & low32
        let offset2 = Lanes(repeating: b[second])
        var minimum = minima[permutation]
        var minimum2 = minima[second]
        for vector in blockStart..<blockEnd {
          let h0 = lowHalves[vector] & low32
          let h1 = highHalves[vector] & low32
          minimum = Self.minimum(minimum, Self.affine(a0, a1, a1Times8, offset, h0, h1))
          minimum2 = Self.minimum(minimum2, Self.affine(c0, c1, c1Times8, offset2, h0, h1))
        }
        minima[permutation] = minimum
        minima[second] = minimum2
        permutation += 2
      }
      blockStart = blockEnd
    }
    for permutation in 0..<hashCount { signature[permutation] = minima[permutation].min() }
  }

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
/// 32-bit halves, padded to whole vectors, and one running minimum per permutation.
final class MinHashScratch {
  private(set) var lowHalves: UnsafeMutablePointer<MinHasher.Lanes>
  private(set) var highHalves: UnsafeMutablePointer<MinHasher.Lanes>
  private(set) var minima: UnsafeMutablePointer<MinHasher.Lanes>
  private(set) var vectorCount = 0
  private var capacity: Int
  private let minimaCapacity: Int

  init(hashCount: Int) {
    capacity = 1024
    lowHalves = .allocate(capacity: capacity)
    highHalves = .allocate(capacity: capacity)
    minimaCapacity = hashCount
    minima = .allocate(capacity: hashCount)
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
      lowHalves = .allocate(capacity: capacity)
      highHalves = .allocate(capacity: capacity)
    }
    let low = UnsafeMutableRawPointer(lowHalves).assumingMemoryBound(to: UInt64.self)
    let high = UnsafeMutableRawPointer(highHalves).assumingMemoryBound(to: UInt64.self)
    for index in 0..<(vectorCount * 8) {
      let hash = shingles[index < shingles.count ? index : 0]
      var reduced = (hash & MinHasher.prime) &+ (hash >> 61)
      reduced = reduced >= MinHasher.prime ? reduced &- MinHasher.prime : reduced
      low[index] = reduced & 0xFFFF_FFFF
      high[index] = reduced >> 32
    }
  }
}
