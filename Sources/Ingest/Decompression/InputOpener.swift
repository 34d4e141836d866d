import HatcheryCore

/// How an input file is compressed, told by its name.
public enum Compression: String, Sendable {
  case none, gzip, zstd, bzip2

  /// The compression a file name implies and the name without that suffix.
  public static func of(fileName: String) -> (Compression, String) {
    for (suffix, compression) in [(".gz", Compression.gzip), (".zst", .zstd), (".zstd", .zstd), (".bz2", .bzip2)]
    where fileName.hasSuffix(suffix) {
      return (compression, String(fileName.dropLast(suffix.count)))
    }
    return (.none, fileName)
  }

  /// Opens `path` as a stream of decompressed bytes, choosing the decompressor by its name.
  public static func open(path: String) throws -> ByteSource {
    try of(fileName: path).0.open(path: path, name: path)
  }

  /// Opens `path` as a stream of decompressed bytes.
  func open(path: String, name: String) throws -> ByteSource {
    try open(source: try FileByteSource(path: path), name: name)
  }

  /// Decompresses `file`, read from an already opened source.
  func open(source file: ByteSource, name: String) throws -> ByteSource {
    switch self {
    case .none: return file
    case .gzip: return try DecompressingByteSource.gzip(file, name: name)
    case .zstd: return try ZstdByteSource(file, name: name)
    case .bzip2: return try DecompressingByteSource.bzip2(file, name: name)
    }
  }
}
