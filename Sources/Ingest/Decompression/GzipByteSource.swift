import CZlib
import HatcheryCore

/// Decompresses gzip (or zlib) data read from another source. Concatenated members, as in
/// `.warc.gz` files and `cat a.gz b.gz`, are read one after another; a stream that ends inside a
/// member is reported as truncated and corrupt data as corrupt, with the compressed offset.
public final class GzipByteSource: ByteSource {
  private let inner: ByteSource
  private let name: String
  // zlib keeps pointers into its stream structure, so it lives at one heap address.
  private let stream: UnsafeMutablePointer<z_stream>
  private var inputBuffer: UnsafeMutableRawBufferPointer
  private var innerEnded = false
  private var memberOpen = false
  /// The last call neither consumed input nor produced output.
  private var stalled = false
  private var compressedOffset = 0

  public init(_ inner: ByteSource, name: String) throws {
    self.inner = inner
    self.name = name
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    inputBuffer = .allocate(byteCount: 1 << 16, alignment: 8)
    guard hatchery_inflateInit_gzip(stream) == Z_OK else {
      stream.deallocate()
      inputBuffer.deallocate()
      throw HatcheryError("\(name): zlib could not start a decompressor")
    }
  }

  deinit {
    inflateEnd(stream)
    stream.deallocate()
    inputBuffer.deallocate()
  }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard !buffer.isEmpty else { return 0 }
    while true {
      if stream.pointee.avail_in == 0 && !innerEnded {
        let count = try inner.read(into: inputBuffer)
        innerEnded = count == 0
        stream.pointee.next_in = inputBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(count)
      }
      // At the end of the input an open member may still finish from zlib's own bit buffer
      // (the last read filled the caller's buffer): it is truncated only once inflate stalls.
      if stream.pointee.avail_in == 0 && innerEnded && (!memberOpen || stalled) {
        if memberOpen {
          throw StreamError(.truncated, "\(name): truncated gzip stream (ends inside a member at compressed byte \(compressedOffset))")
        }
        return 0
      }
      let availableBefore = Int(stream.pointee.avail_in)
      stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
      stream.pointee.avail_out = uInt(buffer.count)
      memberOpen = true
      let status = inflate(stream, Z_NO_FLUSH)
      compressedOffset += availableBefore - Int(stream.pointee.avail_in)
      let produced = buffer.count - Int(stream.pointee.avail_out)
      stalled = produced == 0 && availableBefore == Int(stream.pointee.avail_in)
      switch status {
      case Z_OK, Z_BUF_ERROR:
        break
      case Z_STREAM_END:
        memberOpen = false
        inflateReset(stream)
      default:
        let message = stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
        throw StreamError(.corrupt, "\(name): corrupt gzip data near compressed byte \(compressedOffset): \(message)")
      }
      if produced > 0 { return produced }
    }
  }
}
