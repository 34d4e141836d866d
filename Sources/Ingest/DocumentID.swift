import HatcheryCore

/// Stable document ids: the first 128 bits, in hex, of
/// SHA-256("hatchery-doc-v1\0" + source + "\0" + locator key). The locator key is the input's
/// locator, plus ":LINE" for a JSONL record or "@OFFSET" for a piece of a split text file after
/// the first. Nothing in it depends on time, machine, working directory or task split.
public enum DocumentID {
  public static func make(source: String, locatorKey: String) -> String {
    var hasher = SHA256Hasher()
    hasher.update("hatchery-doc-v1\0\(source)\0\(locatorKey)")
    return String(hasher.finalize().hex.prefix(32))
  }
}
