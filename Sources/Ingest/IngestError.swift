import HatcheryCore

/// Why an ingest could not start or finish (what a single record or file gets is a reject,
/// `IngestRejectReason`, never an error).
public enum IngestError: HatcheryFailure, Equatable {
  case invalidOption(String)
  /// Two inputs that would make the same document locator.
  case sameName(locator: String, first: String, second: String)
  case noFiles(paths: [String])
  /// A task or merge step of a source that was not registered first.
  case notRegistered(source: String, workspace: String, step: IngestStep)
  /// A merge whose parts' task outputs are not all there.
  case missingParts(source: String, parts: [Int], tasks: Int, waiting: [Int])
  /// A C library (zlib, libbz2, libxml2) that could not start.
  case libraryFailed(name: String, reason: String)
  /// The HTML parser made no document of a page.
  case notMarkup

  public var line: String {
    switch self {
    case .invalidOption(let text): return text
    case .sameName(let locator, let first, let second):
      return
        "two inputs have the same name '\(PrintableText.escaped(locator))' (\(PrintableText.escaped(first)) "
        + "and \(PrintableText.escaped(second))); give their parent folders instead, or ingest them as separate sources"
    case .noFiles(let paths):
      return
        "no files to read under \(paths.map(PrintableText.escaped).joined(separator: ", ")) (hidden files are skipped)"
    case .notRegistered(let source, let workspace, let step):
      return step == .merge
        ? "source \(source) is not registered in \(workspace): nothing to merge"
        : "source \(source) is not registered in \(workspace): run `hatchery ingest --step register` with the "
          + "same options once before the tasks (hatchery slurm's init job does)"
    case .missingParts(let source, let parts, let tasks, let waiting):
      return "ingest merge of \(source): part(s) \(parts.prefix(20).map(String.init).joined(separator: ", "))"
        + (parts.count > 20 ? " and \(parts.count - 20) more" : "")
        + " have no finished task output: run `hatchery ingest --step task --tasks \(tasks)` for task(s) "
        + "\(waiting.prefix(20).map(String.init).joined(separator: ", ")) first"
    case .libraryFailed(let name, let reason): return "\(name): \(reason)"
    case .notMarkup: return "no HTML document could be parsed (empty or not markup)"
    }
  }
}
