import Foundation
import HatcheryCore

/// Reading and writing a tokenizer by file name: `.tiktoken` is tiktoken's ranks file, anything
/// else Hugging Face's tokenizer.json. Writes are atomic.
public enum TokenizerFile {
  public static func load(path: String, pattern: SplitPattern = .gpt4, specialTokens: [String] = ["<|endoftext|>"])
    throws -> Tokenizer
  {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw HatcheryError.system(
        "read", path: path, code: FileManager.default.fileExists(atPath: path) ? EACCES : ENOENT)
    }
    if path.hasSuffix(".tiktoken") {
      return try TiktokenFile.decode(Array(data), path: path, pattern: pattern, specialTokens: specialTokens)
    }
    return try HuggingFaceTokenizerFile.decode(Array(data), path: path)
  }

  /// Writes `tokenizer` to `path`; returns the SHA-256 of the file.
  @discardableResult
  public static func save(_ tokenizer: Tokenizer, to path: String) throws -> SHA256Digest {
    if path.hasSuffix(".tiktoken") {
      guard tokenizer.mergeRule == .anySplit || tokenizer.isRankOrdered else {
        throw TokenizerError.badFile(
          path: path, line: nil, reason: "this tokenizer's ids are not in merge order, so they cannot be tiktoken ranks"
        )
      }
    }
    let bytes =
      path.hasSuffix(".tiktoken") ? TiktokenFile.encode(tokenizer) : HuggingFaceTokenizerFile.encode(tokenizer)
    let output = try AtomicFileOutput(path: path)
    try bytes.withUnsafeBytes { try output.write($0) }
    return try output.commit()
  }
}
