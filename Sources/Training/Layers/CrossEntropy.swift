import CActivations
import Foundation

/// The output layer tied to the token embedding, softmax and cross-entropy, fused: logits =
/// x · wteᵀ, turned into probabilities in place (the (B·T, V) buffer is the largest of a step,
/// so it is kept once), and the loss of each position whose target is not `ignored`.
enum CrossEntropy {
  static let ignored: Int32 = -1

  /// Returns the mean loss over the positions that count, and how many counted.
  static func forward(
    probabilities: UnsafeMutablePointer<Float>, losses: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>,
    wte: UnsafePointer<Float>, targets: UnsafePointer<Int32>, rows: Int, C: Int, V: Int, blas: BLAS, threads: Int
  ) -> (loss: Float, counted: Int) {
    blas.sgemm(
      transposeA: false, transposeB: true, m: rows, n: V, k: C, a: input, lda: C, b: wte, ldb: C, beta: 0,
      c: probabilities, ldc: V, threads: threads)
    let (probabilities, losses, targets) = (
      SharedPointer(probabilities), SharedPointer(losses), SharedPointer(UnsafeMutablePointer(mutating: targets))
    )
    parallelRanges(rows, threads: threads) { range in
      for row in range {
        let p = probabilities.pointer + row * V
        hatchery_softmax(p, p, V)
        let target = targets.pointer[row]
        losses.pointer[row] = target == ignored ? 0 : -logf(max(p[Int(target)], Float.leastNormalMagnitude))
      }
    }
    var total: Float = 0
    var counted = 0
    for row in 0..<rows where targets.pointer[row] != ignored {
      total += losses.pointer[row]
      counted += 1
    }
    return (counted > 0 ? total / Float(counted) : 0, counted)
  }

  /// Turns the probabilities into d(mean loss)/d(logits) in place, then adds to `dinput` and
  /// `dwte`. Positions whose target is ignored contribute nothing.
  static func backward(
    dinput: UnsafeMutablePointer<Float>, dwte: UnsafeMutablePointer<Float>, probabilities: UnsafeMutablePointer<Float>,
    input: UnsafePointer<Float>, wte: UnsafePointer<Float>, targets: UnsafePointer<Int32>, counted: Int, rows: Int,
    C: Int, V: Int,
    blas: BLAS, threads: Int
  ) {
    let scale = counted > 0 ? 1 / Float(counted) : 0
    let (probabilities, targets) = (
      SharedPointer(probabilities), SharedPointer(UnsafeMutablePointer(mutating: targets))
    )
    parallelRanges(rows, threads: threads) { range in
      for row in range {
        let p = probabilities.pointer + row * V
        let target = targets.pointer[row]
        if target == ignored {
          for v in 0..<V { p[v] = 0 }
          continue
        }
        for v in 0..<V { p[v] *= scale }
        p[Int(target)] -= scale
      }
    }
    blas.sgemm(
      transposeA: false, transposeB: false, m: rows, n: C, k: V, a: probabilities.pointer, lda: V, b: wte, ldb: C,
      beta: 1, c: dinput, ldc: C, threads: threads)
    blas.sgemm(
      transposeA: true, transposeB: false, m: V, n: C, k: rows, a: probabilities.pointer, lda: V, b: input, ldb: C,
      beta: 1, c: dwte, ldc: C, threads: threads)
  }
}
