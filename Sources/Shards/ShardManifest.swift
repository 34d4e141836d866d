import Foundation
import HatcheryCore

/// `shards/manifest.json`: what a trainer needs to trust the shards — the format version, the
/// tokenizer they were made with, the token type, and each shard's size and checksum.
/// schemas/shard-manifest.schema.json specifies it.
public struct ShardManifest: Sendable, Equatable {
  public static let path = "shards/manifest.json"
  public static let formatName = "hatchery-token-shards"
  public static let version = 1

  public struct Shard: Sendable, Equatable {
    /// Relative to the workspace.
    public var path: String
    public var split: String
    public var tokens: Int
    public var documents: Int
    public var frames: Int
    public var bytes: Int
    public var sha256: String
  }

  public var tokenizerPath: String
  public var tokenizerSHA256: String
  public var vocabularySize: Int
  public var endOfText: UInt32
  public var tokenType: TokenType
  public var frameTokens: Int
  public var seed: UInt64
  public var validationFraction: Double
  public var shards: [Shard]

  public func encoded() -> [UInt8] {
    let shardValues: [JSONValue] = shards.map { shard in
      .object(
        JSONObject([
          ("path", .string(shard.path)), ("split", .string(shard.split)), ("tokens", .int(shard.tokens)),
          ("documents", .int(shard.documents)), ("frames", .int(shard.frames)), ("bytes", .int(shard.bytes)),
          ("sha256", .string(shard.sha256)),
        ]))
    }
    let object = JSONObject([
      ("format", .string(Self.formatName)), ("version", .int(Self.version)),
      (
        "tokenizer",
        .object(
          JSONObject([
            ("path", .string(tokenizerPath)), ("sha256", .string(tokenizerSHA256)),
            ("vocab_size", .int(vocabularySize)),
            ("end_of_text", .int(Int(endOfText))),
          ]))
      ),
      ("dtype", .string(tokenType.rawValue)), ("frame_tokens", .int(frameTokens)),
      ("layout", .string("each document is preceded by the end-of-text token")),
      ("seed", .number(String(seed))), ("val_fraction", .number(String(validationFraction))),
      ("shards", .array(shardValues)),
    ])
    var writer = JSONWriter()
    writer.appendObject(object)
    writer.bytes.append(0x0A)
    return writer.bytes
  }

  public static func load(workspace: Workspace) throws -> ShardManifest {
    let path = workspace.absolute(Self.path)
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ShardError.missingManifest(path: path, workspace: workspace.root)
    }
    func fail(_ reason: String) -> ShardError { .damaged(file: path, reason: reason) }
    let value: JSONValue
    do { value = try data.withUnsafeBytes { try JSONParser.parse($0) } } catch {
      throw fail("not valid JSON: \(error)")
    }
    guard let root = value.objectValue, root["format"]?.stringValue == formatName else {
      throw fail("not a Hatchery shard manifest")
    }
    guard root["version"]?.intValue == version else {
      throw fail("manifest version \(root["version"].map { JSONWriter.encode($0) } ?? "?") is not \(version)")
    }
    guard let tokenizer = root["tokenizer"]?.objectValue, let tokenizerPath = tokenizer["path"]?.stringValue,
      let sha = tokenizer["sha256"]?.stringValue, let vocabulary = tokenizer["vocab_size"]?.intValue,
      let endOfText = tokenizer["end_of_text"]?.intValue,
      let dtype = root["dtype"]?.stringValue.flatMap(TokenType.init(rawValue:)),
      let frameTokens = root["frame_tokens"]?.intValue,
      case .number(let seedText)? = root["seed"], let seed = UInt64(seedText),
      case .number(let fractionText)? = root["val_fraction"], let fraction = Double(fractionText),
      case .array(let shardValues)? = root["shards"]
    else { throw fail("a required field is missing or has the wrong type") }
    var shards: [Shard] = []
    for (index, value) in shardValues.enumerated() {
      guard let object = value.objectValue, let path = object["path"]?.stringValue,
        let split = object["split"]?.stringValue,
        let tokens = object["tokens"]?.intValue, let documents = object["documents"]?.intValue,
        let frames = object["frames"]?.intValue, let bytes = object["bytes"]?.intValue,
        let sha = object["sha256"]?.stringValue
      else { throw fail("shard \(index) lacks a field") }
      shards.append(
        Shard(path: path, split: split, tokens: tokens, documents: documents, frames: frames, bytes: bytes, sha256: sha)
      )
    }
    return ShardManifest(
      tokenizerPath: tokenizerPath, tokenizerSHA256: sha, vocabularySize: vocabulary, endOfText: UInt32(endOfText),
      tokenType: dtype,
      frameTokens: frameTokens, seed: seed, validationFraction: fraction, shards: shards)
  }
}
