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
    for b in 0..<B {
      for h in 0..<NH {
        let query = qkv + b * T * 3 * C + h * hs
        let key = query + C
        let value = query + 2 * C
        let scores = preatt + (b * NH + h) * T * T
        let weights = att + (b * NH + h) * T * T
        blas.sgemm(
          transposeA: false, transposeB: true, m: T, n: T, k: hs, alpha: scale, a: query, lda: 3 * C, b: key,
          ldb: 3 * C, beta: 0,
          c: scores, ldc: T)
        let (scoresPointer, weightsPointer) = (SharedPointer(scores), SharedPointer(weights))
        parallelRanges(T, threads: threads) { rows in
          for t in rows {
            let row = scoresPointer.pointer + t * T
            let weight = weightsPointer.pointer + t * T
            var maximum = -Float.greatestFiniteMagnitude
            for t2 in 0...t { maximum = max(maximum, row[t2]) }
            var sum: Float = 0
            for t2 in 0...t {
              let e = expf(row[t2] - maximum)
              weight[t2] = e
              sum += e
            }
            let inverse = 1 / sum
            for t2 in 0...t { weight[t2] *= inverse }
            for t2 in (t + 1)..<max(t + 1, T) { weight[t2] = 0 }
          }
        }
        blas.sgemm(
          transposeA: false, transposeB: false, m: T, n: hs, k: T, a: weights, lda: T, b: value, ldb: 3 * C, beta: 0,
          c: out + b * T * C + h * hs, ldc: C)
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
    for b in 0..<B {
      for h in 0..<NH {
        let query = qkv + b * T * 3 * C + h * hs
        let key = query + C
        let value = query + 2 * C
        let dquery = dqkv + b * T * 3 * C + h * hs
        let dkey = dquery + C
        let dvalue = dquery + 2 * C
        let dy = dout + b * T * C + h * hs
        let weights = att + (b * NH + h) * T * T
        let dweights = datt + (b * NH + h) * T * T
        let dscores = dpreatt + (b * NH + h) * T * T
        // out = A·V: dA = dout·Vᵀ, dV += Aᵀ·dout.
        blas.sgemm(
          transposeA: false, transposeB: true, m: T, n: T, k: hs, a: dy, lda: C, b: value, ldb: 3 * C, beta: 0,
          c: dweights, ldc: T)
        blas.sgemm(
          transposeA: true, transposeB: false, m: T, n: hs, k: T, a: weights, lda: T, b: dy, ldb: C, beta: 1, c: dvalue,
          ldc: 3 * C)
        // Through the softmax of each causal row: dS = A ⊙ (dA − Σ A·dA); 0 above the diagonal.
        let (weightsPointer, dweightsPointer, dscoresPointer) = (
          SharedPointer(UnsafeMutablePointer(mutating: weights)), SharedPointer(dweights), SharedPointer(dscores)
        )
        parallelRanges(T, threads: threads) { rows in
          for t in rows {
            let a = weightsPointer.pointer + t * T
            let da = dweightsPointer.pointer + t * T
            let ds = dscoresPointer.pointer + t * T
            var weighted: Float = 0
            for t2 in 0...t { weighted += a[t2] * da[t2] }
            for t2 in 0...t { ds[t2] = a[t2] * (da[t2] - weighted) }
            for t2 in (t + 1)..<max(t + 1, T) { ds[t2] = 0 }
          }
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
