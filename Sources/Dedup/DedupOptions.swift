import Foundation
import HatcheryCore

/// What `hatchery dedup` was asked to do.
public struct DedupOptions: Sendable {
  public enum Method: String, Sendable, CaseIterable {
    case both, exact, near
  }

  /// The steps of the stage. `all` runs them in one process; the others let N processes (a
  /// Slurm array) share the work: `signatures` per task (files only, the store only read),
  /// `cluster` once, then `merge` once (every task's decisions into the store, in task order).
  /// `decide` writes one task's decisions, for a split run on one machine.
  public enum Step: String, Sendable, CaseIterable, Codable {
    case all, signatures, cluster, decide, merge
  }

  public var method = Method.both
  public var step = Step.all
  /// Words per shingle.
  public var shingleSize = 5
  /// LSH bands × rows per band = MinHash values per document (14 × 8 = 112, FineWeb's setting).
  public var bands = 14
  public var rows = 8
  public var seed: UInt64 = 42
  /// Exact dedup compares case-folded text.
  public var caseFold = false
  /// Keep a near-duplicate candidate pair only when its signatures agree on at least this share,
  /// and drop a cluster member only as the duplicate of a kept member it agrees with that much.
  /// 0 turns verification off (FineWeb's rule: every member of a cluster but the first is
  /// dropped); 0.75 measured precision 0.997 instead of 0.835 at the same recall (docs/benchmarks.md).
  public var verifyThreshold = 0.75
  /// Paragraph-level exact dedup: a paragraph (line) seen in an earlier kept document is removed
  /// from later ones, and a document left with fewer than `paragraphMinWords` words is dropped.
  public var paragraphs = false
  public var paragraphMinWords = 20
  public var task = 0
  public var tasks = 1
  public var threads = ProcessInfo.processInfo.activeProcessorCount
  public var force = false
  /// Keep DIR/dedup/'s files once the stage has completed; they are removed otherwise
  /// (DESIGN.md: no intermediates left behind). Not part of the configuration: results are the same.
  public var keepIntermediates = false
  /// Bytes a signature task may hold of bucket and paragraph entries (with their sort scratch)
  /// before it sorts and spills them to disk (an external sort); the bucket files, and so the
  /// decisions, do not depend on it.
  public var memoryBudget = 256 << 20

  public init() {}

  public func validate() throws {
    guard tasks >= 1, task >= 0, task < tasks else {
      throw DedupError.invalidOption("--task must be between 0 and --tasks - 1 (got task \(task) of \(tasks))")
    }
    guard threads >= 1 else { throw DedupError.invalidOption("--threads must be at least 1") }
    guard (1...64).contains(shingleSize) else {
      throw DedupError.invalidOption("--shingle-size must be between 1 and 64")
    }
    guard bands >= 1, rows >= 1, bands * rows <= 1024 else {
      throw DedupError.invalidOption("--bands and --rows must be positive, with at most 1024 hashes in all")
    }
    guard memoryBudget > 0 else { throw DedupError.invalidOption("--memory-budget must be positive") }
    guard paragraphMinWords >= 0 else { throw DedupError.invalidOption("--paragraph-min-words must not be negative") }
    if !(0...1).contains(verifyThreshold) {
      throw DedupError.invalidOption("--verify-threshold must be between 0 and 1")
    }
  }

  /// The options that decide the result (not how the work is split or run).
  var configuration: JSONObject {
    JSONObject([
      ("method", .string(method.rawValue)), ("shingle_size", .int(shingleSize)), ("bands", .int(bands)),
      ("rows", .int(rows)), ("seed", .string(String(seed))), ("case_fold", .bool(caseFold)),
      ("verify_threshold", .number(String(verifyThreshold))),
      ("paragraphs", .bool(paragraphs)), ("paragraph_min_words", .int(paragraphMinWords)),
    ])
  }
}
