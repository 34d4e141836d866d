import CZstd

/// Decompresses a zstd stream (one or more frames) read from another source.
/// A stream that ends inside a frame is reported as truncated, at the compressed offset.
public final class ZstdByteSource: ByteSource {
  private let context: OpaquePointer
  private let inner: ByteSource
  private let name: String
  private var inputBuffer: [UInt8]
  private var inputStart = 0
  private var inputEnd = 0
  private var compressedOffset = 0
  private var innerEnded = false
  private var frameOpen = false
  /// The last call neither consumed input nor produced output: at the end of the input, an
  /// open frame can then never be finished.
  private var stalled = false

  public init(_ inner: ByteSource, name: String) throws {
    guard let context = ZSTD_createDCtx() else { throw HatcheryError("zstd: cannot allocate a decompression context") }
    self.context = context
    self.inner = inner
    self.name = name
    inputBuffer = [UInt8](repeating: 0, count: ZSTD_DStreamInSize())
  }

  deinit { ZSTD_freeDCtx(context) }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    while true {
      if inputStart == inputEnd && !innerEnded {
        inputEnd = try inputBuffer.withUnsafeMutableBytes { try inner.read(into: $0) }
        inputStart = 0
        innerEnded = inputEnd == 0
      }
      // At the end of the input an open frame may still hold output (the last read filled the
      // caller's buffer): one more call flushes it. A finished frame must not be called again:
      // zstd would take the empty input as the start of a new frame.
      if inputStart == inputEnd && innerEnded && (!frameOpen || stalled) {
        if frameOpen {
          throw StreamError(
            .truncated, "\(name): truncated zstd stream (ends inside a frame at compressed byte \(compressedOffset))")
        }
        return 0
      }
      var output = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
      let (hint, consumed) = inputBuffer.withUnsafeBytes { raw in
        var input = ZSTD_inBuffer(src: raw.baseAddress! + inputStart, size: inputEnd - inputStart, pos: 0)
        let hint = ZSTD_decompressStream(context, &output, &input)
        return (hint, input.pos)
      }
      if ZSTD_isError(hint) != 0 {
        throw StreamError(
          .corrupt,
          "\(name): corrupt zstd data near compressed byte \(compressedOffset + consumed): \(String(cString: ZSTD_getErrorName(hint)))"
        )
      }
      inputStart += consumed
      compressedOffset += consumed
      // 0: the frame is decoded and flushed whole.
      frameOpen = hint != 0
      stalled = consumed == 0 && output.pos == 0
      if output.pos > 0 { return output.pos }
    }
  }
}
