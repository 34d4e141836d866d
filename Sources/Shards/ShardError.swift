import HatcheryCore

/// Why shards could not be written, read, verified, traced or exported.
public enum ShardError: HatcheryFailure, Equatable {
  /// Options that cannot make shards or an export (sizes, level, threads, task).
  case invalidOption(String)
  case missingManifest(path: String, workspace: String)
  /// A manifest, shard file or frame that is not what it should be; `file` as the user names it.
  case damaged(file: String, reason: String)
  /// A shard task's file, incomplete or of another layout.
  case incompleteTaskFile(path: String, reason: String)
  /// A write step's result that cannot be read.
  case incompleteResult(path: String, reason: String)
  case unwrittenShards(unwritten: Int, of: Int, tasks: Int, waiting: [Int])
  case missingTokenizer(path: String, workspace: String)
  case noEndOfText(tokenizer: String)
  /// Nothing kept to shard (`action` "shard") or export ("export").
  case noDocuments(workspace: String, action: String)
  case noSplit(workspace: String, split: String)
  /// Tokens asked of a shard beyond its end.
  case tokensOutside(file: String, range: Range<Int>, count: Int)
  /// A token asked of a shard beyond its end (trace).
  case tokenOutside(file: String, token: Int, count: Int)
  /// No shard of the split is as long as one window.
  case shardsTooShort(split: String, tokens: Int)
  /// A shard and its manifest disagree on its token count.
  case tokenCountMismatch(file: String, holds: Int, manifest: Int)
  case documentTooLong(path: String, documentID: String)
  /// llm.c's header counts tokens in an Int32.
  case tooManyTokensForHeader(file: String)
  /// zstd cannot make a context, refuses a level or fails to compress.
  case compression(path: String, reason: String)
  case exportFailed(path: String, reason: String)

  public var line: String {
    switch self {
    case .invalidOption(let text): return text
    case .missingManifest(let path, let workspace):
      return "\(path): no shard manifest; run `hatchery shard --workspace \(workspace)` first"
    case .damaged(let file, let reason): return "\(file): \(reason)"
    case .incompleteTaskFile(let path, let reason):
      return "\(path): not a complete shard task file (\(reason)); run the shard task of its part again"
    case .incompleteResult(let path, let reason):
      return "\(path): not a written shard's result (\(reason)); run its write step again"
    case .unwrittenShards(let unwritten, let total, let tasks, let waiting):
      return "shard merge: \(unwritten) of \(total) shards are not written for this configuration: run "
        + "`hatchery shard run --step write --tasks \(tasks)` for task(s) "
        + "\(waiting.prefix(20).map(String.init).joined(separator: ", ")) first"
    case .missingTokenizer(let path, let workspace):
      return "\(path): no tokenizer; run `hatchery tokenizer train --workspace \(workspace)` first"
    case .noEndOfText(let tokenizer):
      return "\(tokenizer): the tokenizer has no <|endoftext|> special token to separate documents"
    case .noDocuments(let workspace, let action):
      return action == "export"
        ? "\(workspace): no documents to export; run `hatchery ingest` first"
        : "\(workspace): no documents to shard (every document was dropped, or none was ingested)"
    case .noSplit(let workspace, let split): return "\(workspace): no \(split) shards in \(ShardManifest.path)"
    case .tokensOutside(let file, let range, let count):
      return "\(file): tokens \(range.lowerBound)..<\(range.upperBound) are outside the shard (\(count) tokens)"
    case .tokenOutside(let file, let token, let count):
      return "\(file) has \(count) tokens; token \(token) is outside it"
    case .shardsTooShort(let split, let tokens): return "no \(split) shard holds \(tokens) tokens"
    case .tokenCountMismatch(let file, let holds, let manifest):
      return "\(file): \(holds) tokens, the manifest says \(manifest); run `hatchery shard verify`"
    case .documentTooLong(let path, let id): return "\(path): document \(id) has more than 2^32 tokens"
    case .tooManyTokensForHeader(let file): return "\(file): too many tokens for an llm.c header"
    case .compression(let path, let reason): return "\(path): \(reason)"
    case .exportFailed(let path, let reason): return "\(path): \(reason)"
    }
  }
}
