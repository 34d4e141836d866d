import CBLAS
import HatcheryCore

/// The matrix products of training, through OpenBLAS's `cblas_sgemm`, with its thread count set
/// per run. (Linking OpenBLAS into every stage was feared to cost the others CPU through its idle
/// threads; measured with it linked, ingesting text-books took 0.29–0.32 s and 0.38–0.42 s of CPU
/// against 0.33–0.41 s and 0.46–0.52 s without: no cost.)
final class BLAS: Sendable {
  static let shared = BLAS()

  private init() {}

  func setThreads(_ count: Int) { openblas_set_num_threads(Int32(count)) }

  /// C = alpha · op(A) · op(B) + beta · C, row-major; op(A) is m×k, op(B) is k×n.
  @inline(__always)
  func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    cblas_sgemm(
      CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans, Int32(m), Int32(n), Int32(k),
      alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
}
