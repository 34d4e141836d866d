import CZlib
import HatcheryCore

/// zlib's inflate for gzip (or zlib) members, driven by `DecompressingByteSource`.
final class GzipDecompressor: StreamDecompressor {
  let format = "gzip"
  let member = "member"
  // zlib keeps pointers into its stream structure, so it lives at one heap address.
  private let stream: UnsafeMutablePointer<z_stream>

  init(name: String) throws {
    stream = .allocate(capacity: 1)
    stream.initialize(to: z_stream())
    guard hatchery_inflateInit_gzip(stream) == Z_OK else {
      stream.deallocate()
      throw IngestError.libraryFailed(name: name, reason: "zlib could not start a decompressor")
    }
  }

  deinit {
    inflateEnd(stream)
    stream.deallocate()
  }

  func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> (
    consumed: Int, produced: Int, memberEnded: Bool
  ) {
    stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
    stream.pointee.avail_in = uInt(input.count)
    stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: Bytef.self)
    stream.pointee.avail_out = uInt(output.count)
    let status = inflate(stream, Z_NO_FLUSH)
    let step = (
      consumed: input.count - Int(stream.pointee.avail_in), produced: output.count - Int(stream.pointee.avail_out)
    )
    switch status {
    case Z_OK, Z_BUF_ERROR:
      return (step.consumed, step.produced, false)
    case Z_STREAM_END:
      inflateReset(stream)
      return (step.consumed, step.produced, true)
    default:
      throw CorruptData(stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)", consumed: step.consumed)
    }
  }
}

extension DecompressingByteSource {
  /// Gzip (or zlib) data read from another source: concatenated members, as in `.warc.gz` files
  /// and `cat a.gz b.gz`, one after another.
  public static func gzip(_ inner: ByteSource, name: String) throws -> DecompressingByteSource {
    DecompressingByteSource(inner, name: name, decompressor: try GzipDecompressor(name: name))
  }
}
