import HatcheryCore
import Yams

/// The one way Hatchery reads YAML (pipelines, policies, filter and training configurations):
/// a parse error is one line naming the file, the line and column, and the problem. Yams's own
/// description adds the offending line and a caret under it, which would make the message
/// several lines, with the file's raw bytes in it.
public enum YAMLFile {
  /// The document's root node (nil for an empty document).
  public static func compose(_ text: String, file: String) throws -> Node? {
    do {
      return try Yams.compose(yaml: text)
    } catch {
      throw HatcheryError("\(file): not YAML: \(oneLine(String(describing: error)))")
    }
  }

  /// `mark: error: context` and the problem, without the quoted line and the caret under it.
  static func oneLine(_ description: String) -> String {
    var lines = description.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    if lines.count >= 3, lines.last?.trimmingCharacters(in: .whitespaces) == "^" { lines.removeLast(2) }
    var text = lines.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.joined(separator: " ")
    if text.hasSuffix(":") { text.removeLast() }
    return PrintableText.escaped(text)
  }
}
