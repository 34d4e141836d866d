import Foundation

/// Causal multi-head self-attention over `qkv` (B, T, 3C: queries, keys, values side by side),
/// writing (B, T, C). `preatt` and `att` (B, NH, T, T) keep the scores before and after the
/// softmax for the backward pass. Work is split over batch × heads: each (b, h) pair reads and
/// writes only its own slices, so threads never share an output.
enum Attention {
  static func forward(
    _ out: UnsafeMutablePointer<Float>, preatt: UnsafeMutablePointer<Float>, att: UnsafeMutablePointer<Float>,
    qkv: UnsafePointer<Float>, B: Int, T: Int, C: Int, NH: Int, threads: Int
  ) {
    let hs = C / NH
    let scale = 1 / Float(hs).squareRoot()
    let (out, preatt, att, qkv) = (SharedPointer(out), SharedPointer(preatt), SharedPointer(att), SharedPointer(UnsafeMutablePointer(mutating: qkv)))
    parallelRanges(B * NH, threads: threads) { range in
      for pair in range {
        let b = pair / NH
        let h = pair % NH
        for t in 0..<T {
          let query = qkv.pointer + (b * T + t) * 3 * C + h * hs
          let scores = preatt.pointer + ((b * NH + h) * T + t) * T
          let weights = att.pointer + ((b * NH + h) * T + t) * T
          var maximum = -Float.greatestFiniteMagnitude
          for t2 in 0...t {
            let key = qkv.pointer + (b * T + t2) * 3 * C + C + h * hs
            let dot = Vector.dot(query, key, count: hs) * scale
            scores[t2] = dot
            maximum = max(maximum, dot)
          }
          var sum: Float = 0
          for t2 in 0...t {
            let e = expf(scores[t2] - maximum)
            weights[t2] = e
            sum += e
          }
          let inverse = 1 / sum
          for t2 in 0..<T { weights[t2] = t2 <= t ? weights[t2] * inverse : 0 }
          let y = out.pointer + (b * T + t) * C + h * hs
          for i in 0..<hs { y[i] = 0 }
          for t2 in 0...t {
            Vector.addScaled(y, qkv.pointer + (b * T + t2) * 3 * C + 2 * C + h * hs, weights[t2], count: hs)
          }
        }
      }
    }
  }

  /// Adds to `dqkv`; `datt` and `dpreatt` are scratch of the scores' size.
  static func backward(
    dqkv: UnsafeMutablePointer<Float>, dpreatt: UnsafeMutablePointer<Float>, datt: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, qkv: UnsafePointer<Float>, att: UnsafePointer<Float>, B: Int, T: Int, C: Int, NH: Int,
    threads: Int
  ) {
    let hs = C / NH
    let scale = 1 / Float(hs).squareRoot()
    let (dqkv, dpreatt, datt) = (SharedPointer(dqkv), SharedPointer(dpreatt), SharedPointer(datt))
    let (dout, qkv, att) = (SharedPointer(UnsafeMutablePointer(mutating: dout)), SharedPointer(UnsafeMutablePointer(mutating: qkv)), SharedPointer(UnsafeMutablePointer(mutating: att)))
    parallelRanges(B * NH, threads: threads) { range in
      for pair in range {
        let b = pair / NH
        let h = pair % NH
        for t in 0..<T {
          let weights = att.pointer + ((b * NH + h) * T + t) * T
          let dweights = datt.pointer + ((b * NH + h) * T + t) * T
          let dscores = dpreatt.pointer + ((b * NH + h) * T + t) * T
          let dy = dout.pointer + (b * T + t) * C + h * hs
          let query = qkv.pointer + (b * T + t) * 3 * C + h * hs
          let dquery = dqkv.pointer + (b * T + t) * 3 * C + h * hs
          // Through the weighted sum of values.
          for t2 in 0...t {
            let value = qkv.pointer + (b * T + t2) * 3 * C + 2 * C + h * hs
            let dvalue = dqkv.pointer + (b * T + t2) * 3 * C + 2 * C + h * hs
            dweights[t2] = Vector.dot(value, dy, count: hs)
            Vector.addScaled(dvalue, dy, weights[t2], count: hs)
          }
          // Through the softmax: dscore = att · (datt − Σ att · datt).
          var weighted: Float = 0
          for t2 in 0...t { weighted += weights[t2] * dweights[t2] }
          for t2 in 0...t { dscores[t2] = weights[t2] * (dweights[t2] - weighted) }
          // Through the scaled dot products.
          for t2 in 0...t {
            let key = qkv.pointer + (b * T + t2) * 3 * C + C + h * hs
            let dkey = dqkv.pointer + (b * T + t2) * 3 * C + C + h * hs
            let d = dscores[t2] * scale
            Vector.addScaled(dquery, key, d, count: hs)
            Vector.addScaled(dkey, query, d, count: hs)
          }
        }
      }
    }
  }
}
