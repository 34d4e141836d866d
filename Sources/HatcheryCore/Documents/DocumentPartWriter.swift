/// Writes a document part, `docs/<source>/part-NNNNN.jsonl.zst`: document lines compressed as
/// one zstd frame, written under a temporary name and renamed into place by `commit()`.
public final class DocumentPartWriter {
  public static let flushBytes = 1 << 20

  private let output: AtomicFileOutput
  private let compressor: ZstdWriter
  private var pending = JSONWriter(capacity: DocumentPartWriter.flushBytes * 2)
  public private(set) var lines = 0

  public init(path: String, compressor: ZstdCompressor) throws {
    output = try AtomicFileOutput(path: path)
    self.compressor = ZstdWriter(output: output, compressor: compressor)
  }

  public var path: String { output.path }
  /// Uncompressed bytes of the lines appended so far.
  public var uncompressedBytes: Int { compressor.bytesIn + pending.bytes.count }

  public func append(
    id: String, text: UnsafeRawBufferPointer, source: String, added: String, created: String?, metadata: JSONObject
  ) throws {
    pending.appendDocument(id: id, text: text, source: source, added: added, created: created, metadata: metadata)
    lines += 1
    if pending.bytes.count >= Self.flushBytes { try flush() }
  }

  private func flush() throws {
    try pending.bytes.withUnsafeBytes { try compressor.write($0) }
    pending.removeAll()
  }

  /// Finishes the frame, renames the part into place and returns its size and SHA-256.
  public func commit() throws -> (bytes: Int, sha256: SHA256Digest) {
    try flush()
    try compressor.finish()
    let digest = try output.commit()
    return (output.bytesWritten, digest)
  }
}
