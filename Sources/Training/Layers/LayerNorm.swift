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

  /// Adds to `dinput`, `dweight` and `dbias`: the input's gradient row by row over `threads`
  /// ranges of rows, then the weight's and bias's, sums over rows, over ranges of columns (each
  /// sum in row order, as on one thread).
  static func backward(
    dinput: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>,
    dout: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, mean: UnsafePointer<Float>,
    rstd: UnsafePointer<Float>, rows: Int, C: Int, threads: Int
  ) {
    let (dinput, dweight, dbias) = (SharedPointer(dinput), SharedPointer(dweight), SharedPointer(dbias))
    let (dout, input, weight, mean, rstd) = (
      SharedPointer(UnsafeMutablePointer(mutating: dout)), SharedPointer(UnsafeMutablePointer(mutating: input)),
      SharedPointer(UnsafeMutablePointer(mutating: weight)), SharedPointer(UnsafeMutablePointer(mutating: mean)),
      SharedPointer(UnsafeMutablePointer(mutating: rstd))
    )
    parallelRanges(rows, threads: threads) { range in
      let weight = weight.pointer
      for row in range {
        let x = input.pointer + row * C
        let dy = dout.pointer + row * C
        let dx = dinput.pointer + row * C
        let m = mean.pointer[row]
        let s = rstd.pointer[row]
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
          dx[i] += (dnorm - dnormMean - norm * dnormNormMean) * s
        }
      }
    }
    parallelRanges(C, threads: threads) { columns in
      for row in 0..<rows {
        let x = input.pointer + row * C
        let dy = dout.pointer + row * C
        let (m, s) = (mean.pointer[row], rstd.pointer[row])
        for i in columns {
          dbias.pointer[i] += dy[i]
          dweight.pointer[i] += (x[i] - m) * s * dy[i]
        }
      }
    }
  }
}
