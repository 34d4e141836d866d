import CActivations
import Foundation
import HatcheryCore
import XCTest

@testable import Training

/// The vector kernels against double-precision references, and a product split over threads
/// against the same product on one.
final class KernelTests: XCTestCase {
  private var generator = SplitMix64(seed: 7)

  private func random(_ count: Int, scale: Float) -> [Float] {
    (0..<count).map { _ in (Float(generator.next() % 20_001) / 10_000 - 1) * scale }
  }

  /// Every length from 1 to 40 (each tail of the sixteen lanes) and a vocabulary's, with scores
  /// far below the maximum (whose e^x falls under the clamp) and rows of equal scores.
  func testSoftmaxAgainstDoubles() {
    var rows = (1...40).map { random($0, scale: 30) }
    rows.append(random(4_096, scale: 12))
    rows.append([Float](repeating: 3, count: 19))
    rows.append([0, -200, -1_000, 5, -.greatestFiniteMagnitude])
    for row in rows {
      var out = [Float](repeating: .nan, count: row.count + 3)
      hatchery_softmax(&out, row, row.count)
      let maximum = Double(row.max()!)
      let exponentials = row.map { Foundation.exp(Double($0) - maximum) }
      let sum = exponentials.reduce(0, +)
      var worst = 0.0
      for (index, e) in exponentials.enumerated() {
        worst = max(worst, abs(Double(out[index]) - e / sum) / max(e / sum, 1e-30))
        if e / sum < 1e-30 { XCTAssertLessThan(out[index], 1e-30) }
      }
      XCTAssertLessThan(worst, 1e-5, "length \(row.count)")
      XCTAssertTrue(out[row.count...].allSatisfy(\.isNaN), "nothing past the row is written")
    }
    var inPlace: [Float] = [1, 2, 3]
    inPlace.withUnsafeMutableBufferPointer { hatchery_softmax($0.baseAddress!, $0.baseAddress!, 3) }
    XCTAssertEqual(Double(inPlace[2]), exp(3) / (exp(1) + exp(2) + exp(3)), accuracy: 1e-6)
  }

  func testGELUAgainstDoubles() {
    var x = random(1_003, scale: 8)
    x += [0, -20, 20, 1e-4, -1e-4]
    let dout = random(x.count, scale: 1)
    var out = [Float](repeating: 0, count: x.count)
    var dinput = [Float](repeating: 0.5, count: x.count)
    hatchery_gelu_forward(&out, x, x.count)
    hatchery_gelu_backward(&dinput, x, dout, x.count)
    let scale = (2 / Double.pi).squareRoot()
    for i in x.indices {
      let v = Double(x[i])
      let u = scale * (v + 0.044715 * v * v * v)
      let t = tanh(u)
      let value = 0.5 * v * (1 + t)
      let slope = 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * scale * (1 + 3 * 0.044715 * v * v)
      XCTAssertEqual(Double(out[i]), value, accuracy: 2e-6 * max(1, abs(value)), "GELU(\(v))")
      XCTAssertEqual(Double(dinput[i]), 0.5 + slope * Double(dout[i]), accuracy: 4e-6, "GELU′(\(v)), added")
    }
  }

  /// Row splits (C taller than wide) and column splits, every transposition, alpha and beta.
  func testProductSplitOverThreadsMatchesOneThread() throws {
    let blas = try BLAS.load()
    for (m, n) in [(96, 40), (40, 96), (33, 33)] {
      for (transposeA, transposeB) in [(false, false), (true, false), (false, true), (true, true)] {
        let k = 24
        let a = random(m * k, scale: 1)
        let b = random(k * n, scale: 1)
        let c = random(m * n, scale: 1)
        let (lda, ldb) = (transposeA ? m : k, transposeB ? k : n)
        func product(threads: Int) -> [Float] {
          var out = c
          blas.sgemm(
            transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: 0.5, a: a, lda: lda, b: b,
            ldb: ldb, beta: 1, c: &out, ldc: n, threads: threads)
          return out
        }
        let one = product(threads: 1)
        let split = product(threads: 3)
        for i in 0..<m {
          for j in 0..<n {
            var expected = Double(c[i * n + j])
            for p in 0..<k {
              let left = Double(transposeA ? a[p * lda + i] : a[i * lda + p])
              let right = Double(transposeB ? b[j * ldb + p] : b[p * ldb + j])
              expected += 0.5 * left * right
            }
            XCTAssertEqual(Double(split[i * n + j]), expected, accuracy: 1e-4, "\(m)×\(n) \(transposeA) \(transposeB)")
            XCTAssertEqual(split[i * n + j], one[i * n + j], accuracy: 1e-5)
          }
        }
      }
    }
  }
}
