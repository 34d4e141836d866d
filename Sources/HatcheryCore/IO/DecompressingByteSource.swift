/// A streaming decompressor (zlib's inflate, libbz2) as `DecompressingByteSource` drives it.
public protocol StreamDecompressor: AnyObject {
  /// The format's name in messages ("gzip").
  var format: String { get }
  /// What the format calls one of its concatenated parts ("member", "stream").
  var member: String { get }
  /// Decodes from the start of `input` into `output`: the bytes consumed and produced, and
  /// whether a member ended there (the decompressor is then ready for the next one). Throws
  /// `CorruptData` with the library's own words for data it cannot decode.
  func decode(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) throws -> (
    consumed: Int, produced: Int, memberEnded: Bool
  )
}

/// What a decompressor said of data it could not decode, and how much input it had consumed.
public struct CorruptData: Error {
  public let detail: String
  public let consumed: Int
  public init(_ detail: String, consumed: Int = 0) {
    self.detail = detail
    self.consumed = consumed
  }
}

/// Decompressed bytes of another source, read in 64 KiB pieces of compressed input.
/// Concatenated members (`.warc.gz`, `cat a.gz b.gz`, parallel bzip2) are read one after another;
/// input that ends inside a member is truncated — once the decompressor stalls, since at the end
/// of the input it may still hold output the caller's buffer had no room for — and data it cannot
/// decode is corrupt, each with the compressed offset.
public final class DecompressingByteSource: ByteSource {
  private let inner: ByteSource
  private let name: String
  private let decompressor: StreamDecompressor
  private let inputBuffer: UnsafeMutableRawBufferPointer
  /// The input read but not yet consumed, within `inputBuffer`.
  private var pending = 0..<0
  private var innerEnded = false
  private var memberOpen = false
  /// The last call neither consumed input nor produced output.
  private var stalled = false
  private var compressedOffset = 0

  public init(_ inner: ByteSource, name: String, decompressor: StreamDecompressor) {
    self.inner = inner
    self.name = name
    self.decompressor = decompressor
    inputBuffer = .allocate(byteCount: 1 << 16, alignment: 8)
  }

  deinit { inputBuffer.deallocate() }

  public func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
    guard !buffer.isEmpty else { return 0 }
    while true {
      if pending.isEmpty && !innerEnded {
        let count = try inner.read(into: inputBuffer)
        innerEnded = count == 0
        pending = 0..<count
      }
      if pending.isEmpty && innerEnded && (!memberOpen || stalled) {
        if memberOpen {
          throw StreamError(
            .truncated,
            "\(name): truncated \(decompressor.format) stream (ends inside a \(decompressor.member) at compressed byte \(compressedOffset))"
          )
        }
        return 0
      }
      memberOpen = true
      let step: (consumed: Int, produced: Int, memberEnded: Bool)
      do {
        step = try decompressor.decode(UnsafeRawBufferPointer(rebasing: inputBuffer[pending]), into: buffer)
      } catch let error as CorruptData {
        throw StreamError(
          .corrupt,
          "\(name): corrupt \(decompressor.format) data near compressed byte \(compressedOffset + error.consumed): "
            + error.detail)
      }
      compressedOffset += step.consumed
      pending = (pending.lowerBound + step.consumed)..<pending.upperBound
      stalled = step.produced == 0 && step.consumed == 0
      if step.memberEnded { memberOpen = false }
      if step.produced > 0 { return step.produced }
    }
  }
}
