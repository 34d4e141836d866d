import HatcheryCore

/// `hatchery trace SHARD:TOKEN`: which document a token of a shard came from.
public enum ShardTrace {
  public struct Location: Sendable {
    public var shardPath: String
    public var token: Int
    /// Nil for an end-of-text separator.
    public var document: (id: String, tokenOffset: Int, tokenCount: Int)?

    public var line: String {
      guard let document else { return "token     \(shardPath):\(token) is the end-of-text token before a document" }
      return
        "token     \(shardPath):\(token) is token \(token - document.tokenOffset) of \(document.tokenCount) of this document"
    }
  }

  /// Resolves `reference` (`SHARD:TOKEN`, the shard as its path in the manifest, with or
  /// without `shards/` and `.tok.zst`), or returns nil when it names no shard.
  public static func locate(_ reference: String, store: ProvenanceStore) throws -> Location? {
    guard let colon = reference.lastIndex(of: ":"), let token = Int(reference[reference.index(after: colon)...]) else {
      return nil
    }
    let name = String(reference[..<colon])
    let candidates = [name, "shards/" + name, "shards/" + name + ".tok.zst", name + ".tok.zst"]
    guard let shard = try store.shards().first(where: { candidates.contains($0.path) }) else { return nil }
    guard token >= 0 && token < shard.tokens else {
      throw ShardError.tokenOutside(file: shard.path, token: token, count: shard.tokens)
    }
    let document = try store.shardDocument(path: shard.path, token: token)
    return Location(
      shardPath: shard.path, token: token, document: document.map { ($0.documentID, $0.tokenOffset, $0.tokenCount) })
  }
}
