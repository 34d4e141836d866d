import CBLAS
import HatcheryCore

/// The matrix products of training, through OpenBLAS's `cblas_sgemm`, with its thread count set
/// per run. OpenBLAS is opened on first use, not linked: linked, its worker threads start with
/// every process and spin for a while, which cost each command about 0.1 s of CPU.
final class BLAS: Sendable {
  private static let loaded: Result<BLAS, TrainingError> = {
    if let error = hatchery_blas_load() {
      return .failure(
        TrainingError.blasUnavailable(reason: String(cString: error)))
    }
    return .success(BLAS())
  }()

  /// OpenBLAS, opened the first time; an error names what is missing.
  static func load() throws -> BLAS { try loaded.get() }

  private init() {}

  func setThreads(_ count: Int) { hatchery_blas_set_threads(Int32(count)) }

  /// OpenBLAS's version, build options and the kernels it chose ("… DYNAMIC_ARCH … SkylakeX …").
  var config: String { String(cString: hatchery_blas_config()) }

  /// C = alpha · op(A) · op(B) + beta · C, row-major; op(A) is m×k, op(B) is k×n.
  @inline(__always)
  func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    hatchery_sgemm(
      transposeA, transposeB, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
}
