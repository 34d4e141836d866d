/// Layer normalisation over the channels of each row (ε = 1e-5, biased variance), keeping each
/// row's mean and reciprocal standard deviation for the backward pass.
enum LayerNorm {
  static let epsilon: Float = 1e-5

  static func forward(
    _ out: UnsafeMutablePointer<Float>, mean: UnsafeMutablePointer<Float>, rstd: UnsafeMutablePointer<Float>,
    _ input: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, rows: Int, C: Int,
    threads: Int
  ) {
    let (out, mean, rstd) = (SharedPointer(out), SharedPointer(mean), SharedPointer(rstd))
    let (input, weight, bias) = (
      SharedPointer(UnsafeMutablePointer(mutating: input)), SharedPointer(UnsafeMutablePointer(mutating: weight)),
      SharedPointer(UnsafeMutablePointer(mutating: bias))
    )
    parallelRanges(rows, threads: threads) { range in
      for row in range {
        let x = input.pointer + row * C
        var sum: Float = 0
        for i in 0..<C { sum += x[i] }
        let m = sum / Float(C)
        var variance: Float = 0
        for i in 0..<C {
          let d = x[i] - m
          variance += d * d
        }
        let s = 1 / (variance / Float(C) + epsilon).squareRoot()
        let y = out.pointer + row * C
        for i in 0..<C { y[i] = (x[i] - m) * s * weight.pointer[i] + bias.pointer[i] }
        mean.pointer[row] = m
        rstd.pointer[row] = s
      }
    }
  }

  /// Adds to `dinput`, `dweight` and `dbias`. The weight and bias gradients are summed over
  /// rows, so this pass runs on one thread (it is a small share of a step).
  static func backward(
    dinput: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, mean: UnsafePointer<Float>,
    rstd: UnsafePointer<Float>, rows: Int, C: Int
  ) {
    for row in 0..<rows {
      let x = input + row * C
      let dy = dout + row * C
      let dx = dinput + row * C
      let m = mean[row]
      let s = rstd[row]
      var dnormMean: Float = 0
      var dnormNormMean: Float = 0
      for i in 0..<C {
        let norm = (x[i] - m) * s
        let dnorm = weight[i] * dy[i]
        dnormMean += dnorm
        dnormNormMean += dnorm * norm
      }
      dnormMean /= Float(C)
      dnormNormMean /= Float(C)
      for i in 0..<C {
        let norm = (x[i] - m) * s
        let dnorm = weight[i] * dy[i]
        dbias[i] += dy[i]
        dweight[i] += norm * dy[i]
        dx[i] += (dnorm - dnormMean - norm * dnormNormMean) * s
      }
    }
  }
}
