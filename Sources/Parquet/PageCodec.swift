import CBrotli
import CLZ4
import CSnappy
import CZlib
import CZstd

/// Decompresses a page's bytes with its column's codec into exactly `size` bytes (the page
/// header's uncompressed size): anything else is an error naming the codec.
enum PageCodec {
  static func decompress(_ input: UnsafeRawBufferPointer, codec: Codec, size: Int) throws(ParquetError.Reason)
    -> [UInt8]
  {
    var failure: ParquetError.Reason?
    // Not zero-filled first: the codec writes every byte (or the page is refused).
    let output = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
      do throws(ParquetError.Reason) {
        try decompress(input, codec: codec, into: UnsafeMutableRawBufferPointer(buffer))
        count = size
      } catch {
        failure = error
        count = 0
      }
    }
    if let failure { throw failure }
    return output
  }

  /// Decompresses into `out`, which must be exactly the page's uncompressed size.
  static func decompress(_ input: UnsafeRawBufferPointer, codec: Codec, into out: UnsafeMutableRawBufferPointer)
    throws(ParquetError.Reason)
  {
    if codec == .uncompressed {
      guard input.count == out.count else {
        throw .damaged("an uncompressed page of \(input.count) bytes says \(out.count)")
      }
      if !input.isEmpty { out.copyMemory(from: input) }
      return
    }
    let produced = decode(input, codec: codec, size: out.count, into: out)
    if produced == -2 { throw .unsupported("codec LZO") }
    guard produced == out.count else {
      throw .damaged("\(codec) data does not decompress to the page's \(out.count) bytes")
    }
  }

  /// Decompresses into `out`; the bytes written, -1 on an error, -2 for LZO.
  private static func decode(
    _ input: UnsafeRawBufferPointer, codec: Codec, size: Int, into out: UnsafeMutableRawBufferPointer
  ) -> Int {
    do {
      let source = input.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!
      let target = out.baseAddress ?? UnsafeMutableRawPointer(bitPattern: 1)!
      switch codec {
      case .uncompressed: return -1
      case .snappy:
        var length = 0
        guard snappy_uncompressed_length(source.assumingMemoryBound(to: CChar.self), input.count, &length) == SNAPPY_OK,
          length == size
        else { return -1 }
        var written = size
        return snappy_uncompress(
          source.assumingMemoryBound(to: CChar.self), input.count, target.assumingMemoryBound(to: CChar.self), &written)
          == SNAPPY_OK ? written : -1
      case .zstd:
        let result = ZSTD_decompress(target, size, source, input.count)
        return ZSTD_isError(result) != 0 ? -1 : result
      case .lz4Raw:
        return Int(
          LZ4_decompress_safe(
            source.assumingMemoryBound(to: CChar.self), target.assumingMemoryBound(to: CChar.self),
            Int32(clamping: input.count), Int32(clamping: size)))
      case .lz4:
        return hadoopLZ4(input, into: UnsafeMutableRawBufferPointer(start: target, count: size))
      case .brotli:
        var written = size
        return BrotliDecoderDecompress(
          input.count, source.assumingMemoryBound(to: UInt8.self), &written, target.assumingMemoryBound(to: UInt8.self))
          == BROTLI_DECODER_RESULT_SUCCESS ? written : -1
      case .gzip:
        return inflate(input, into: UnsafeMutableRawBufferPointer(start: target, count: size))
      case .lzo:
        return -2
      }
    }
  }

  /// gzip or zlib (window bits 15 + 32: either header), into `output`; the bytes written or -1.
  private static func inflate(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
    var stream = z_stream()
    guard inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else { return -1 }
    defer { inflateEnd(&stream) }
    stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
    stream.avail_in = uInt(clamping: input.count)
    stream.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
    stream.avail_out = uInt(clamping: output.count)
    var status = Z_OK
    // Concatenated gzip members are one stream to Parquet writers that append.
    while status == Z_OK {
      status = CZlib.inflate(&stream, Z_FINISH)
      if status == Z_STREAM_END, stream.avail_in > 0, stream.avail_out > 0 {
        guard inflateReset(&stream) == Z_OK else { return -1 }
        status = Z_OK
      } else if status == Z_BUF_ERROR {
        return -1
      }
    }
    return status == Z_STREAM_END ? output.count - Int(stream.avail_out) : -1
  }

  /// The deprecated LZ4 codec as Hadoop frames it (blocks of big-endian uncompressed and
  /// compressed sizes), or, as Arrow falls back to, one raw LZ4 block.
  private static func hadoopLZ4(_ input: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int {
    var read = 0
    var written = 0
    func bigEndian(_ at: Int) -> Int {
      Int(UInt32(bigEndian: input.loadUnaligned(fromByteOffset: at, as: UInt32.self)))
    }
    while input.count - read >= 8 {
      let expected = bigEndian(read)
      let compressed = bigEndian(read + 4)
      read += 8
      guard compressed <= input.count - read, expected <= output.count - written else { break }
      let produced = LZ4_decompress_safe(
        (input.baseAddress! + read).assumingMemoryBound(to: CChar.self),
        (output.baseAddress! + written).assumingMemoryBound(to: CChar.self),
        Int32(compressed), Int32(output.count - written))
      guard produced == expected else { break }
      read += compressed
      written += expected
      if read == input.count { return written }
    }
    return Int(
      LZ4_decompress_safe(
        input.baseAddress!.assumingMemoryBound(to: CChar.self), output.baseAddress!.assumingMemoryBound(to: CChar.self),
        Int32(clamping: input.count),
        Int32(clamping: output.count)))
  }

  /// The CRC-32 Parquet's page headers carry (zlib's polynomial), over the page's bytes as stored.
  static func crc32(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
    var crc: uLong = CZlib.crc32(0, nil, 0)
    var offset = 0
    while offset < bytes.count {
      let length = min(bytes.count - offset, 1 << 30)
      crc = CZlib.crc32(crc, (bytes.baseAddress! + offset).assumingMemoryBound(to: Bytef.self), uInt(length))
      offset += length
    }
    return UInt32(truncatingIfNeeded: crc)
  }
}
