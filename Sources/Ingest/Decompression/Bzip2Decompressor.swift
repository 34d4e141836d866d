import CBzip2
import HatcheryCore

/// libbz2 for bzip2 streams (Wikimedia publishes its dumps as `.xml.bz2`), driven by
/// `DecompressingByteSource`; concatenated streams, as parallel compressors (lbzip2, pbzip2)
/// write them, each start a fresh decompressor.
final class Bzip2Decompressor: StreamDecompressor {
  let format = "bzip2"
  let member = "stream"
  // libbz2 keeps pointers into its stream structure, so it lives at one heap address.
  private let stream: UnsafeMutablePointer<bz_stream>

  init(name: String) throws {
    stream = .allocate(capacity: 1)
    stream.initialize(to: bz_stream())
    guard BZ2_bzDecompressInit(stream, 0, 0) == BZ_OK else {
      stream.deallocate()
      throw IngestError.libraryFailed(name: name, reason: "libbz2 could not start a decompressor")
    }
  }

  deinit {
    BZ2_bzDecompressEnd(stream)
    stream.deallocate()
  }

  func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> (
    consumed: Int, produced: Int, memberEnded: Bool
  ) {
    stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: CChar.self))
    stream.pointee.avail_in = UInt32(input.count)
    stream.pointee.next_out = output.baseAddress!.assumingMemoryBound(to: CChar.self)
    stream.pointee.avail_out = UInt32(output.count)
    let status = BZ2_bzDecompress(stream)
    let step = (
      consumed: input.count - Int(stream.pointee.avail_in), produced: output.count - Int(stream.pointee.avail_out)
    )
    switch status {
    case BZ_OK:
      return (step.consumed, step.produced, false)
    case BZ_STREAM_END:
      BZ2_bzDecompressEnd(stream)
      stream.pointee = bz_stream()
      guard BZ2_bzDecompressInit(stream, 0, 0) == BZ_OK else {
        throw CorruptData("libbz2 could not start the next stream", consumed: step.consumed)
      }
      return (step.consumed, step.produced, true)
    default:
      throw CorruptData("libbz2 error \(status)", consumed: step.consumed)
    }
  }
}

extension DecompressingByteSource {
  /// Bzip2 data read from another source, concatenated streams one after another.
  public static func bzip2(_ inner: ByteSource, name: String) throws -> DecompressingByteSource {
    DecompressingByteSource(inner, name: name, decompressor: try Bzip2Decompressor(name: name))
  }
}
