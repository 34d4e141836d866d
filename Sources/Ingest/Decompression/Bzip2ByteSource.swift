import CBzip2
import HatcheryCore

/// Decompresses bzip2 data read from another source (Wikimedia publishes its dumps as
/// `.xml.bz2`). Concatenated streams, as written by parallel compressors (lbzip2, pbzip2), are
/// read one after another; a stream that ends early is reported as truncated, bad data as corrupt.
public final class Bzip2ByteSource: ByteSource {
  private let inner: ByteSource
  private let name: String
  // libbz2 keeps pointers into its stream structure, so it lives at one heap address.
  private let stream: UnsafeMutablePointer<bz_stream>
  private var inputBuffer: UnsafeMutableRawBufferPointer
  private var innerEnded = false
  private var streamOpen = false
  /// The last call neither consumed input nor produced output.
  private var stalled = false
  private var compressedOffset = 0

  public init(_ inner: ByteSource, name: String) throws {
    self.inner = inner
    self.name = name
    stream = .allocate(capacity: 1)
    stream.initialize(to: bz_stream())
    inputBuffer = .allocate(byteCount: 1 << 16, alignment: 8)
    guard BZ2_bzDecompressInit(stream, 0, 0) == BZ_OK else {
      stream.deallocate()
      inputBuffer.deallocate()
      throw HatcheryError("\(name): libbz2 could not start a decompressor")
    }
  }

  deinit {
    BZ2_bzDecompressEnd(stream)
    stream.deallocate()
    inputBuffer.deallocate()
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard !buffer.isEmpty else { return 0 }
    while true {
      if stream.pointee.avail_in == 0 && !innerEnded {
        let count = try inner.read(into: inputBuffer)
        innerEnded = count == 0
        stream.pointee.next_in = inputBuffer.baseAddress!.assumingMemoryBound(to: CChar.self)
        stream.pointee.avail_in = UInt32(count)
      }
      // At the end of the input an open stream may still hold output (the last read filled the
      // caller's buffer): it is truncated only once libbz2 stalls.
      if stream.pointee.avail_in == 0 && innerEnded && (!streamOpen || stalled) {
        if streamOpen {
          throw StreamError(.truncated, "\(name): truncated bzip2 stream (ends at compressed byte \(compressedOffset))")
        }
        return 0
      }
      let availableBefore = Int(stream.pointee.avail_in)
      stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: CChar.self)
      stream.pointee.avail_out = UInt32(buffer.count)
      streamOpen = true
      let status = BZ2_bzDecompress(stream)
      compressedOffset += availableBefore - Int(stream.pointee.avail_in)
      let produced = buffer.count - Int(stream.pointee.avail_out)
      stalled = produced == 0 && availableBefore == Int(stream.pointee.avail_in)
      switch status {
      case BZ_OK:
        break
      case BZ_STREAM_END:
        // The next stream, if any, starts with a fresh decompressor.
        streamOpen = false
        let (nextIn, availableIn) = (stream.pointee.next_in, stream.pointee.avail_in)
        BZ2_bzDecompressEnd(stream)
        stream.pointee = bz_stream()
        stream.pointee.next_in = nextIn
        stream.pointee.avail_in = availableIn
        guard BZ2_bzDecompressInit(stream, 0, 0) == BZ_OK else {
          throw StreamError(.corrupt, "\(name): libbz2 could not restart after compressed byte \(compressedOffset)")
        }
      default:
        throw StreamError(.corrupt, "\(name): corrupt bzip2 data near compressed byte \(compressedOffset) (libbz2 error \(status))")
      }
      if produced > 0 { return produced }
    }
  }
}
