import HatcheryCore

/// A run of training text and the byte ranges of the documents in it. Pre-tokens never span two
/// documents; a long document may be spread over several chunks, cut only where the split
/// patterns always end a piece.
public struct TextChunk: Sendable {
  public var bytes: [UInt8]
  public var documents: [Range<Int>]

  public init(bytes: [UInt8], documents: [Range<Int>]) {
    self.bytes = bytes
    self.documents = documents
  }
}

/// Where the trainer's text comes from; called from several threads, one call at a time.
public protocol TextChunkSource: AnyObject {
  func nextChunk() throws -> TextChunk?
}

/// Plain text files read in blocks: with `lines`, each line (without its line end) is a
/// document; else each file is one. A file's block is cut after a newline that is followed by
/// an ASCII character other than whitespace: both split patterns always end a piece there (no
/// pattern continues past a newline into a non-space), so splitting the parts separately gives
/// the pieces of the whole.
public final class TextFileChunks: TextChunkSource {
  private let paths: [String]
  private let lines: Bool
  private let blockBytes: Int
  private var fileIndex = 0
  private var source: FileByteSource?
  private var carry: [UInt8] = []
  public private(set) var bytesRead = 0

  public init(paths: [String], lines: Bool, blockBytes: Int = 4 << 20) {
    self.paths = paths
    self.lines = lines
    self.blockBytes = blockBytes
  }

  public func nextChunk() throws -> TextChunk? {
    while fileIndex < paths.count {
      if source == nil { source = try FileByteSource(path: paths[fileIndex]) }
      var block = carry
      carry = []
      let start = block.count
      // No more than what is left of a regular file, and a byte more to see its end: a whole
      // block for each small file would be allocated and zeroed for nothing.
      let wanted = source!.remainingBytes.map { min(blockBytes, $0 + 1) } ?? blockBytes
      block.append(contentsOf: repeatElement(0, count: wanted))
      let read = try block.withUnsafeMutableBytes { buffer in
        try source!.readFully(into: UnsafeMutableRawBufferPointer(rebasing: buffer[start...]))
      }
      bytesRead += read
      block.removeLast(wanted - read)
      let atEnd = read < wanted
      if atEnd {
        source = nil
        fileIndex += 1
      } else if let cut = cutPoint(block) {
        carry = Array(block[cut...])
        block.removeLast(block.count - cut)
      } else {
        carry = block  // no place to cut yet: read on
        continue
      }
      guard !block.isEmpty else { continue }
      return TextChunk(bytes: block, documents: lines ? Self.lineRanges(block) : [0..<block.count])
    }
    return nil
  }

  /// Where the block may end: after its last newline (lines), or after the last newline that is
  /// followed by a non-space ASCII byte (one document per file).
  private func cutPoint(_ block: [UInt8]) -> Int? {
    var index = block.count - 1
    while index > 0 {
      if block[index - 1] == 0x0A {
        if lines { return index }
        let byte = block[index]
        if byte > 0x20 && byte < 0x7F { return index }
      }
      index -= 1
    }
    return nil
  }

  private static func lineRanges(_ block: [UInt8]) -> [Range<Int>] {
    var ranges: [Range<Int>] = []
    var start = 0
    block.withUnsafeBufferPointer { bytes in
      while start < bytes.count {
        var end = start
        while end < bytes.count && bytes[end] != 0x0A { end += 1 }
        if end > start { ranges.append(start..<end) }
        start = end + 1
      }
    }
    return ranges
  }
}
