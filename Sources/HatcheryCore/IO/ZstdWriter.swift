import CZstd

/// A zstd compression context with Hatchery's settings: the level, a content checksum in each
/// frame (so corruption is detected on read) and zstd's own worker threads.
///
/// zstd's output is the same for every worker count of one or more (checked with zstd 1.5.4 on
/// 40 MB of books), so `workers` changes speed, never the bytes; 0 workers would give a
/// different stream and is never used. A context is reused from file to file: its buffers stay
/// allocated, which saved the page faults of a fresh 8 MB job buffer per part file.
public final class ZstdCompressor {
  fileprivate let context: OpaquePointer

  public init(level: Int32 = 3, workers: Int = 1) throws {
    guard let context = ZSTD_createCCtx() else { throw HatcheryError("zstd: cannot allocate a compression context") }
    self.context = context
    for (parameter, value) in [(ZSTD_c_compressionLevel, level), (ZSTD_c_checksumFlag, 1)] {
      let code = ZSTD_CCtx_setParameter(context, parameter, value)
      if ZSTD_isError(code) != 0 {
        throw HatcheryError("zstd: invalid setting \(value): \(String(cString: ZSTD_getErrorName(code)))")
      }
    }
    // Asking for workers fails on a libzstd built without threads; compress in-line there.
    _ = ZSTD_CCtx_setParameter(context, ZSTD_c_nbWorkers, Int32(max(1, workers)))
    // zstd sizes a worker's job at four windows (8 MB at level 3) and holds its input and output
    // while it compresses: a part of 8 MB held ~40 MB more than one of 2 MB. 2 MB jobs keep that
    // bounded whatever the part size, for ~1% larger files.
    _ = ZSTD_CCtx_setParameter(context, ZSTD_c_jobSize, Self.jobBytes)
  }

  /// The bytes of input one zstd worker compresses as one job.
  static let jobBytes: Int32 = 2 << 20

  deinit { ZSTD_freeCCtx(context) }
}

/// Streams bytes through a `ZstdCompressor` into an `AtomicFileOutput` as one frame.
public final class ZstdWriter {
  private let compressor: ZstdCompressor
  private let output: AtomicFileOutput
  private var outputBuffer: [UInt8]
  public private(set) var bytesIn = 0

  public init(output: AtomicFileOutput, compressor: ZstdCompressor) {
    self.compressor = compressor
    self.output = output
    outputBuffer = [UInt8](repeating: 0, count: ZSTD_CStreamOutSize())
    ZSTD_CCtx_reset(compressor.context, ZSTD_reset_session_only)
  }

  public func write(_ bytes: UnsafeRawBufferPointer) throws {
    bytesIn += bytes.count
    try compress(bytes, directive: ZSTD_e_continue)
  }

  /// Ends the frame and flushes everything into the output (which the caller then commits).
  public func finish() throws {
    try compress(UnsafeRawBufferPointer(start: nil, count: 0), directive: ZSTD_e_end)
  }

  private func compress(_ bytes: UnsafeRawBufferPointer, directive: ZSTD_EndDirective) throws {
    var input = ZSTD_inBuffer(src: bytes.baseAddress, size: bytes.count, pos: 0)
    try outputBuffer.withUnsafeMutableBytes { buffer in
      while true {
        var out = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
        let remaining = ZSTD_compressStream2(compressor.context, &out, &input, directive)
        if ZSTD_isError(remaining) != 0 {
          throw HatcheryError(
            "\(output.path): zstd compression failed: \(String(cString: ZSTD_getErrorName(remaining)))")
        }
        if out.pos > 0 { try output.write(UnsafeRawBufferPointer(rebasing: buffer[..<out.pos])) }
        let done = directive == ZSTD_e_continue ? input.pos == input.size : remaining == 0
        if done { break }
      }
    }
  }
}
