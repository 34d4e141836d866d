import Foundation
import HatcheryCore

/// OpenBLAS, loaded when training starts rather than linked into `hatchery`: a linked OpenBLAS
/// starts its thread pool in every process, and its idle threads cost the ingest stage CPU
/// (measured when the spine was built). Only `sgemm` and the thread count are needed.
final class BLAS: @unchecked Sendable {
  typealias SGEMM = @convention(c) (
    Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32, UnsafePointer<Float>?, Int32, Float,
    UnsafeMutablePointer<Float>?, Int32
  ) -> Void
  typealias SetThreads = @convention(c) (Int32) -> Void

  static let rowMajor: Int32 = 101
  static let noTranspose: Int32 = 111
  static let transpose: Int32 = 112

  private let sgemmFunction: SGEMM
  private let setThreadsFunction: SetThreads?

  private init(sgemm: SGEMM, setThreads: SetThreads?) {
    sgemmFunction = sgemm
    setThreadsFunction = setThreads
  }

  private static let loaded: Result<BLAS, HatcheryError> = {
    for name in ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"] {
      guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL), let sgemm = dlsym(handle, "cblas_sgemm") else { continue }
      let threads = dlsym(handle, "openblas_set_num_threads")
      return .success(
        BLAS(sgemm: unsafeBitCast(sgemm, to: SGEMM.self), setThreads: threads.map { unsafeBitCast($0, to: SetThreads.self) }))
    }
    return .failure(HatcheryError("OpenBLAS is not installed: training needs libopenblas.so.0 (Debian: apt-get install libopenblas0)"))
  }()

  static func shared() throws -> BLAS { try loaded.get() }

  func setThreads(_ count: Int) { setThreadsFunction?(Int32(count)) }

  /// C = alpha · op(A) · op(B) + beta · C, row-major; op(A) is m×k, op(B) is k×n.
  @inline(__always)
  func sgemm(
    transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1, a: UnsafePointer<Float>, lda: Int,
    b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int
  ) {
    sgemmFunction(
      Self.rowMajor, transposeA ? Self.transpose : Self.noTranspose, transposeB ? Self.transpose : Self.noTranspose, Int32(m),
      Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
  }
}
