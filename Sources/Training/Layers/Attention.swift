import CActivations
import Foundation

/// Causal multi-head self-attention over `qkv` (B, T, 3C: queries, keys, values side by side),
/// writing (B, T, C). `preatt` and `att` (B, NH, T, T) keep the scores and the softmax weights
/// for the backward pass. For each (batch, head) the four products — scores Q·Kᵀ, output A·V and,
/// backwards, dA·… — go through `sgemm` on the whole T×T square, the masked half included: twice
/// the arithmetic of the triangle, but OpenBLAS runs it ~5× faster than the hand-written
/// triangle loops did (attention fell from a quarter of a step to a tenth). Only the softmax and
/// its gradient, row by row, are written here.
enum Attention {
  static func forward(
    _ out: UnsafeMutablePointer<Float>, preatt: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
    qkv: UnsafePointer<Float>, B: Int, T: Int, C: Int, NH: Int, blas: BLAS, threads: Int
  ) {
    let hs = C / NH
    let scale = 1 / Float(hs).squareRoot()
    let (out, preatt, att, qkv) = (
      SharedPointer(out), SharedPointer(preatt), SharedPointer(att), SharedPointer(UnsafeMutablePointer(mutating: qkv))
    )
    // One (batch, head) pair per task: its products are too small to split, and pairs write
    // disjoint parts of every buffer.
    parallelRanges(B * NH, threads: threads) { pairs in
      for pair in pairs {
        let (b, h) = pair.quotientAndRemainder(dividingBy: NH)
        let query = qkv.pointer + b * T * 3 * C + h * hs
        let key = query + C
        let value = query + 2 * C
        let scores = preatt.pointer + pair * T * T
        let weights = att.pointer + pair * T * T
        blas.sgemm(
          transposeA: false, transposeB: true, m: T, n: T, k: hs, alpha: scale, a: query, lda: 3 * C, b: key,
          ldb: 3 * C, beta: 0,
          c: scores, ldc: T)
        // Each causal row: the softmax of its scores up to the query's own position, 0 after.
        for t in 0..<T {
          hatchery_softmax(weights + t * T, scores + t * T, t + 1)
          (weights + t * T + t + 1).update(repeating: 0, count: T - t - 1)
        }
        blas.sgemm(
          transposeA: false, transposeB: false, m: T, n: hs, k: T, a: weights, lda: T, b: value, ldb: 3 * C, beta: 0,
          c: out.pointer + b * T * C + h * hs, ldc: C)
      }
    }
  }

  /// Adds to `dqkv`; `datt` and `dpreatt` are scratch of the scores' size (overwritten).
  static func backward(
    dqkv: UnsafeMutablePointer<Float>, dpreatt: UnsafeMutablePointer<Float>, datt: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, B: Int, T: Int, C: Int, NH: Int,
    blas: BLAS, threads: Int
  ) {
    let hs = C / NH
    let scale = 1 / Float(hs).squareRoot()
    let (dqkv, dpreatt, datt, dout, qkv, att) = (
      SharedPointer(dqkv), SharedPointer(dpreatt), SharedPointer(datt),
      SharedPointer(UnsafeMutablePointer(mutating: dout)),
      SharedPointer(UnsafeMutablePointer(mutating: qkv)), SharedPointer(UnsafeMutablePointer(mutating: att))
    )
    parallelRanges(B * NH, threads: threads) { pairs in
      for pair in pairs {
        let (b, h) = pair.quotientAndRemainder(dividingBy: NH)
        let query = qkv.pointer + b * T * 3 * C + h * hs
        let key = query + C
        let value = query + 2 * C
        let dquery = dqkv.pointer + b * T * 3 * C + h * hs
        let dkey = dquery + C
        let dvalue = dquery + 2 * C
        let dy = dout.pointer + b * T * C + h * hs
        let weights = att.pointer + pair * T * T
        let dweights = datt.pointer + pair * T * T
        let dscores = dpreatt.pointer + pair * T * T
        // out = A·V: dA = dout·Vᵀ, dV += Aᵀ·dout.
        blas.sgemm(
          transposeA: false, transposeB: true, m: T, n: T, k: hs, a: dy, lda: C, b: value, ldb: 3 * C, beta: 0,
          c: dweights, ldc: T)
        blas.sgemm(
          transposeA: true, transposeB: false, m: T, n: hs, k: T, a: weights, lda: T, b: dy, ldb: C, beta: 1, c: dvalue,
          ldc: 3 * C)
        // Through the softmax of each causal row: dS = A ⊙ (dA − Σ A·dA); 0 above the diagonal.
        for t in 0..<T {
          let a = weights + t * T
          let da = dweights + t * T
          let ds = dscores + t * T
          var weighted: Float = 0
          for t2 in 0...t { weighted += a[t2] * da[t2] }
          for t2 in 0...t { ds[t2] = a[t2] * (da[t2] - weighted) }
          for t2 in (t + 1)..<max(t + 1, T) { ds[t2] = 0 }
        }
        // S = scale · Q·Kᵀ: dQ += scale · dS·K, dK += scale · dSᵀ·Q.
        blas.sgemm(
          transposeA: false, transposeB: false, m: T, n: hs, k: T, alpha: scale, a: dscores, lda: T, b: key, ldb: 3 * C,
          beta: 1, c: dquery, ldc: 3 * C)
        blas.sgemm(
          transposeA: true, transposeB: false, m: T, n: hs, k: T, alpha: scale, a: dscores, lda: T, b: query,
          ldb: 3 * C, beta: 1, c: dkey, ldc: 3 * C)
      }
    }
  }
}
