/// A fully connected layer through `sgemm`: out[rows, outC] = input[rows, inC] · weight[inC, outC]
/// + bias, with the weight in Conv1D's (in, out) orientation.
enum Linear {
  static func forward(
    _ out: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?,
    rows: Int, inC: Int, outC: Int, blas: BLAS, threads: Int
  ) {
    if let bias {
      let (out, bias) = (SharedPointer(out), SharedPointer(UnsafeMutablePointer(mutating: bias)))
      parallelRanges(rows, threads: threads) { range in
        for row in range { (out.pointer + row * outC).update(from: bias.pointer, count: outC) }
      }
    }
    blas.sgemm(
      transposeA: false, transposeB: false, m: rows, n: outC, k: inC, a: input, lda: inC, b: weight, ldb: outC,
      beta: bias == nil ? 0 : 1, c: out, ldc: outC, threads: threads)
  }

  /// Adds to `dinput` (dout · weightᵀ), `dweight` (inputᵀ · dout) and `dbias` (column sums).
  static func backward(
    dinput: UnsafeMutablePointer<Float>, dweight: UnsafeMutablePointer<Float>, dbias: UnsafeMutablePointer<Float>?,
    dout: UnsafePointer<Float>, input: UnsafePointer<Float>, weight: UnsafePointer<Float>, rows: Int, inC: Int,
    outC: Int,
    blas: BLAS, threads: Int
  ) {
    blas.sgemm(
      transposeA: false, transposeB: true, m: rows, n: inC, k: outC, a: dout, lda: outC, b: weight, ldb: outC, beta: 1,
      c: dinput, ldc: inC, threads: threads)
    blas.sgemm(
      transposeA: true, transposeB: false, m: inC, n: outC, k: rows, a: input, lda: inC, b: dout, ldb: outC, beta: 1,
      c: dweight, ldc: outC, threads: threads)
    if let dbias {
      // Column sums over ranges of columns, each in row order.
      let (dbias, dout) = (SharedPointer(dbias), SharedPointer(UnsafeMutablePointer(mutating: dout)))
      parallelRanges(outC, threads: threads) { columns in
        for row in 0..<rows {
          let dy = dout.pointer + row * outC
          for o in columns { dbias.pointer[o] += dy[o] }
        }
      }
    }
  }
}
