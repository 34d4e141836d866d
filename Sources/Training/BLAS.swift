import CBLAS
import HatcheryCore

/// The matrix products of training, through OpenBLAS's `cblas_sgemm`. OpenBLAS is opened on
/// first use, not linked: linked, its worker threads start with every process and spin for a
/// while, which cost each command about 0.1 s of CPU. It runs on one thread: a product on several
/// threads is split here into parts of the result, one per thread of the trainer's own pool.
/// OpenBLAS's own threads spun (`sched_yield`) through the element-wise kernels the trainer's
/// threads ran between products.
final class BLAS: Sendable {
  private static let loaded: Result<BLAS, TrainingError> = {
    if let error = hatchery_blas_load() {
      return .failure(
        TrainingError.blasUnavailable(reason: String(cString: error)))
    }
    hatchery_blas_set_threads(1)
    return .success(BLAS())
  }()

  /// OpenBLAS, opened the first time; an error names what is missing.
  static func load() throws -> BLAS { try loaded.get() }

  private init() {}

  /// OpenBLAS's version, build options and the kernels it chose ("… DYNAMIC_ARCH … SkylakeX …").
  var config: String { String(cString: hatchery_blas_config()) }

  /// C = alpha · op(A) · op(B) + beta · C, row-major; op(A) is m×k, op(B) is k×n. On several
  /// threads C is split along its longer side, each part one single-threaded product of the
  /// matching rows of op(A) or columns of op(B); the parts depend on the thread count only, so a
  /// run on the same thread count repeats its results exactly.
  func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int, threads: Int = 1
  ) {
    let splitRows = m >= n
    let parts = min(threads, (splitRows ? m : n) / Self.smallestPart)
    if parts <= 1 {
      hatchery_sgemm(
        transposeA, transposeB, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
      return
    }
    let (a, b, c) = (
      SharedPointer(UnsafeMutablePointer(mutating: a)), SharedPointer(UnsafeMutablePointer(mutating: b)),
      SharedPointer(c)
    )
    parallelRanges(splitRows ? m : n, threads: parts) { part in
      if splitRows {
        // Rows of op(A): rows of A, or columns of Aᵀ as stored.
        let rows = a.pointer + (transposeA ? part.lowerBound : part.lowerBound * lda)
        hatchery_sgemm(
          transposeA, transposeB, Int32(part.count), Int32(n), Int32(k), alpha, rows, Int32(lda), b.pointer,
          Int32(ldb), beta, c.pointer + part.lowerBound * ldc, Int32(ldc))
      } else {
        let columns = b.pointer + (transposeB ? part.lowerBound * ldb : part.lowerBound)
        hatchery_sgemm(
          transposeA, transposeB, Int32(m), Int32(part.count), Int32(k), alpha, a.pointer, Int32(lda), columns,
          Int32(ldb), beta, c.pointer + part.lowerBound, Int32(ldc))
      }
    }
  }

  /// Below this many rows (or columns) a part costs more in handing it to a thread than it saves.
  static let smallestPart = 16
}
