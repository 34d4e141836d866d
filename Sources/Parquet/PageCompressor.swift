import CSnappy
import CZstd
import HatcheryCore

/// A data page ready for the file: its header and compressed body, and its size before
/// compression (header included), which the footer sums.
struct EncodedPage: Sendable {
  var bytes: [UInt8]
  var uncompressed: Int
}

/// Encodes and compresses pages, one thread's worth: its zstd context and buffers are reused
/// from page to page.
final class PageCompressor {
  let codec: Codec
  private let context: OpaquePointer?
  private var values: [UInt8] = []
  private var output: [UInt8] = []

  init(_ codec: Codec) throws(ParquetError.Reason) {
    self.codec = codec
    guard [.uncompressed, .zstd, .snappy].contains(codec) else { throw .unsupported("writing codec \(codec)") }
    if codec == .zstd {
      guard let context = ZSTD_createCCtx() else { throw .damaged("zstd: cannot allocate a compression context") }
      ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, 3)
      self.context = context
    } else {
      context = nil
    }
  }

  deinit { if let context { ZSTD_freeCCtx(context) } }

  /// A PLAIN data page of `rows`' values in column `index`.
  func plainPage(_ rows: ArraySlice<[ParquetWriter.Value]>, column index: Int, spec: ParquetWriter.ColumnSpec)
    throws(ParquetError.Reason) -> EncodedPage
  {
    values.removeAll(keepingCapacity: true)
    if spec.type == .boolean {
      let flags = rows.compactMap { row -> Bool? in
        if case .boolean(let flag) = row[index] { return flag } else { return nil }
      }
      values.append(contentsOf: repeatElement(0, count: (flags.count + 7) / 8))
      for (position, flag) in flags.enumerated() where flag { values[position >> 3] |= 1 << UInt8(position & 7) }
    } else {
      for row in rows {
        switch row[index] {
        case .string(var text):
          withUnsafeBytes(of: UInt32(text.utf8.count).littleEndian) { values.append(contentsOf: $0) }
          text.withUTF8 { values.append(contentsOf: $0) }
        case .int64(let number): withUnsafeBytes(of: number.littleEndian) { values.append(contentsOf: $0) }
        case .double(let number): withUnsafeBytes(of: number.bitPattern.littleEndian) { values.append(contentsOf: $0) }
        case .boolean, .null: break
        }
      }
    }
    let levels = spec.optional ? ParquetWriter.definitionLevels(rows, column: index) : []
    return try page(rows: rows.count, encoding: .plain, levels: levels, values: values)
  }

  /// A data page (v1) of `rows` rows: header, then the levels and values compressed together.
  func page(rows: Int, encoding: Encoding, levels: [UInt8], values: [UInt8]) throws(ParquetError.Reason) -> EncodedPage
  {
    let compressed = try compress(levels, values)
    var header = ThriftCompactWriter()
    header.i32(1, PageType.dataPage.rawValue)
    header.i32(2, Int32(levels.count + values.count))
    header.i32(3, Int32(compressed.count))
    header.beginStruct(5)
    header.i32(1, Int32(rows))
    header.i32(2, encoding.rawValue)
    header.i32(3, Encoding.rle.rawValue)
    header.i32(4, Encoding.rle.rawValue)
    header.endStruct()
    header.bytes.append(0)
    var bytes = header.bytes
    bytes.append(contentsOf: compressed)
    return EncodedPage(bytes: bytes, uncompressed: header.bytes.count + levels.count + values.count)
  }

  /// `first` then `second` compressed as one page body; valid until the next call.
  func compress(_ first: [UInt8], _ second: [UInt8]) throws(ParquetError.Reason) -> ArraySlice<UInt8> {
    switch codec {
    case .zstd:
      let bound = ZSTD_compressBound(first.count + second.count)
      if output.count < bound { output = [UInt8](repeating: 0, count: bound) }
      ZSTD_CCtx_reset(context, ZSTD_reset_session_only)
      ZSTD_CCtx_setPledgedSrcSize(context, UInt64(first.count + second.count))
      var failed = false
      let written = output.withUnsafeMutableBytes { out -> Int in
        var target = ZSTD_outBuffer(dst: out.baseAddress, size: out.count, pos: 0)
        for (input, last) in [(first, false), (second, true)] {
          input.withUnsafeBytes { raw in
            var source = ZSTD_inBuffer(src: raw.baseAddress, size: raw.count, pos: 0)
            let code = ZSTD_compressStream2(context, &target, &source, last ? ZSTD_e_end : ZSTD_e_continue)
            // With room for the whole bound, one call consumes the input (and ends the frame).
            if ZSTD_isError(code) != 0 || source.pos != source.size || (last && code != 0) { failed = true }
          }
        }
        return target.pos
      }
      guard !failed else { throw .damaged("zstd could not compress a page") }
      return output[..<written]
    case .snappy:
      let input = first + second
      var length = snappy_max_compressed_length(input.count)
      if output.count < length { output = [UInt8](repeating: 0, count: length) }
      let padded = input.isEmpty ? [0] : input
      let status = output.withUnsafeMutableBytes { out in
        padded.withUnsafeBytes {
          snappy_compress(
            $0.baseAddress!.assumingMemoryBound(to: CChar.self), input.count,
            out.baseAddress!.assumingMemoryBound(to: CChar.self), &length)
        }
      }
      guard status == SNAPPY_OK else { throw .damaged("snappy could not compress a page") }
      return output[..<length]
    default:
      return (first + second)[...]
    }
  }
}
