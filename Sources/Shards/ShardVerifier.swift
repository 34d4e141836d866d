import Foundation
import HatcheryCore

/// `hatchery shard verify`: every shard of the manifest against the manifest — its seek table,
/// every frame decoded and checked against its checksum, the token and frame counts, every id
/// below the vocabulary size, one end-of-text token per document, the file's size and SHA-256.
/// Stops at the first problem, naming the shard (and the frame when the problem is in one).
public enum ShardVerifier {
  public struct Report: Sendable {
    public var shards = 0
    public var tokens = 0
    public var bytes = 0

    public var text: String {
      "shard verify: \(shards) shards, \(tokens) tokens, \(ByteCount.format(bytes)): all match the manifest"
    }
  }

  public static func verify(workspace: Workspace) throws -> Report {
    let manifest = try ShardManifest.load(workspace: workspace)
    var report = Report()
    for shard in manifest.shards {
      let path = workspace.absolute(shard.path)
      func fail(_ reason: String) -> ShardError { .damaged(file: shard.path, reason: reason) }
      guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
        let size = attributes[.size] as? Int
      else {
        throw fail("missing")
      }
      let reader = try ShardReader(path: path, tokenType: manifest.tokenType, name: shard.path)
      guard reader.frameCount == shard.frames else {
        throw fail("\(reader.frameCount) frames, the manifest says \(shard.frames)")
      }
      guard reader.count == shard.tokens else {
        throw fail("\(reader.count) tokens, the manifest says \(shard.tokens)")
      }
      guard reader.frameCount == 1 || reader.frameTokens == manifest.frameTokens else {
        throw fail("\(reader.frameTokens) tokens per frame, the manifest says \(manifest.frameTokens)")
      }
      var separators = 0
      let width = manifest.tokenType.width
      try reader.forEachFrame { frame, bytes in
        for index in 0..<bytes.count / width {
          let id =
            width == 2
            ? UInt32(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 2, as: UInt16.self)))
            : UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
          guard Int(id) < manifest.vocabularySize else {
            throw fail(
              "frame \(frame): token \(frame * manifest.frameTokens + index) is \(id), outside the vocabulary (\(manifest.vocabularySize))"
            )
          }
          if id == manifest.endOfText { separators += 1 }
        }
      }
      guard separators == shard.documents else {
        throw fail("\(separators) end-of-text tokens, the manifest says \(shard.documents) documents")
      }
      guard size == shard.bytes else { throw fail("\(size) bytes, the manifest says \(shard.bytes)") }
      let sha = try SHA256Hasher.hash(fileAt: path)
      guard sha.hex == shard.sha256 else {
        throw fail("SHA-256 \(sha.hex) differs from the manifest's \(shard.sha256)")
      }
      report.shards += 1
      report.tokens += shard.tokens
      report.bytes += size
    }
    return report
  }
}
