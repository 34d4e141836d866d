import Foundation

/// Splits a byte stream into `\n`-terminated lines, reusing one buffer. A line longer than
/// `maximumLineBytes` is reported as oversized (its bytes are skipped, never held in memory),
/// so memory stays bounded whatever the input.
public final class LineReader {
  public struct Line {
    /// The line without its `\n`; valid only until the next call to `next()`.
    public let bytes: UnsafeRawBufferPointer
    /// 1-based line number.
    public let number: Int
    /// Offset of the line's first byte in the stream.
    public let offset: Int
    /// The line exceeded the limit; `bytes` is empty and `length` tells its size.
    public let oversized: Bool
    public let length: Int
  }

  private let source: ByteSource
  private let maximumLineBytes: Int
  private var buffer: UnsafeMutableRawBufferPointer
  private var start = 0
  private var end = 0
  private var scanned = 0
  private var ended = false
  private var lineNumber = 0
  private var streamOffset = 0

  public init(_ source: ByteSource, maximumLineBytes: Int, bufferBytes: Int = 1 << 20) {
    self.source = source
    self.maximumLineBytes = maximumLineBytes
    buffer = .allocate(byteCount: min(bufferBytes, maximumLineBytes + 1), alignment: 8)
  }

  deinit { buffer.deallocate() }

  /// Offset in the stream of the first byte not yet returned as part of a line.
  public var offset: Int { streamOffset }

  public func next() throws -> Line? {
    var skippedBytes = 0  // bytes of an oversized line already thrown away
    while true {
      if scanned < end, let newline = memchr(buffer.baseAddress! + scanned, 0x0A, end - scanned) {
        let lineEnd = buffer.baseAddress!.distance(to: newline)
        return emit(lineEnd: lineEnd, consumed: lineEnd + 1, skippedBytes: skippedBytes)
      }
      scanned = end
      if ended {
        if start == end && skippedBytes == 0 { return nil }
        return emit(lineEnd: end, consumed: end, skippedBytes: skippedBytes)
      }
      if start > 0 {
        buffer.baseAddress!.copyMemory(from: buffer.baseAddress! + start, byteCount: end - start)
        end -= start
        scanned -= start
        start = 0
      }
      if end == buffer.count {
        if buffer.count <= maximumLineBytes {
          let grown = UnsafeMutableRawBufferPointer.allocate(
            byteCount: min(buffer.count * 2, maximumLineBytes + 1), alignment: 8)
          grown.baseAddress!.copyMemory(from: buffer.baseAddress!, byteCount: end)
          buffer.deallocate()
          buffer = grown
        } else {
          skippedBytes += end
          start = 0
          end = 0
          scanned = 0
        }
      }
      let count = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
      if count == 0 { ended = true }
      end += count
    }
  }

  private func emit(lineEnd: Int, consumed: Int, skippedBytes: Int) -> Line {
    lineNumber += 1
    let length = skippedBytes + lineEnd - start
    let oversized = length > maximumLineBytes
    let line = Line(
      bytes: oversized
        ? UnsafeRawBufferPointer(start: nil, count: 0)
        : UnsafeRawBufferPointer(rebasing: buffer[start..<lineEnd]),
      number: lineNumber, offset: streamOffset, oversized: oversized, length: length)
    streamOffset += skippedBytes + consumed - start
    start = consumed
    scanned = consumed
    return line
  }
}
