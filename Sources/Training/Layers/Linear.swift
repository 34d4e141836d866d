/// A fully connected layer through `sgemm`: out[rows, outC] = input[rows, inC] · weight[inC, outC]
/// + bias, with the weight in Conv1D's (in, out) orientation.
enum Linear {
  static func forward(
    _ out: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
    bias: UnsafePointer<Float>?,
    rows: Int, inC: Int, outC: Int, blas: BLAS, threads: Int
  ) {
    if let bias {
      for row in 0..<rows { (out + row * outC).update(from: bias, count: outC) }
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
      for row in 0..<rows {
        let dy = dout + row * outC
        for o in 0..<outC { dbias[o] += dy[o] }
      }
    }
  }
}
