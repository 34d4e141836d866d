import HatcheryCore
import XCTest

@testable import Dedup

final class MinHashTests: XCTestCase {
  func testReductionModuloTheMersennePrime() {
    let p = MinHasher.prime
    var generator = SplitMix64(seed: 13)
    for _ in 0..<10_000 {
      let a = UInt64.random(in: 1..<p, using: &generator)
      let h = UInt64.random(in: 0...UInt64.max, using: &generator)
      let product = a.multipliedFullWidth(by: h)
      // Reference: long division of the 128-bit product.
      let expected = p.dividingFullWidth((product.high % p, product.low)).remainder
      XCTAssertEqual(MinHasher.reduce(high: product.high, low: product.low), expected)
    }
    XCTAssertEqual(MinHasher.reduce(high: 0, low: p), 0)
    XCTAssertEqual(MinHasher.reduce(high: 0, low: p + 5), 5)
  }

  func testVectorSignatureEqualsTheScalarFormula() {
    XCTAssertTrue(["avx2", "baseline"].contains(MinHasher.kernel), MinHasher.kernel)
    let hasher = MinHasher(bands: 14, rows: 8, seed: 7)
    let scratch = MinHashScratch(hashCount: hasher.hashCount)
    var generator = SplitMix64(seed: 13)
    for count in [1, 7, 8, 9, 100, 1025, 5000] {
      var shingles = (0..<count).map { _ in UInt64.random(in: 0...UInt64.max, using: &generator) }
      shingles[0] = .max  // the largest hash, above p
      var fast = [UInt64](repeating: 0, count: hasher.hashCount)
      var reference = fast
      shingles.withUnsafeBufferPointer { input in
        fast.withUnsafeMutableBufferPointer { hasher.signature(of: input, into: $0, scratch: scratch) }
        reference.withUnsafeMutableBufferPointer { hasher.referenceSignature(of: input, into: $0) }
      }
      XCTAssertEqual(fast, reference, "\(count) shingles")
    }
  }
}
