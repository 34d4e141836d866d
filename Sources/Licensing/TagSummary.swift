import Foundation
import HatcheryCore

/// What a tag run did.
public struct TagSummary: StageSummary, Codable {
  public var nothingToDo = false
  public var documents = 0
  public var bytes = 0
  public var byBasis: [String: Int] = [:]
  public var byCategory: [String: Int] = [:]
  public var conflicts = 0
  public var dropped = 0
  public var review = 0
  public var seconds = 0.0

  mutating func add(_ other: TagSummary) {
    documents += other.documents
    bytes += other.bytes
    byBasis.merge(other.byBasis, uniquingKeysWith: +)
    byCategory.merge(other.byCategory, uniquingKeysWith: +)
    conflicts += other.conflicts
    dropped += other.dropped
    review += other.review
  }

  public var text: String {
    if nothingToDo { return "tag: nothing to do, the licences are up to date (use --force to redo them)" }
    let basis = ["detected", "scope", "declared", "unknown"].map { "\(byBasis[$0] ?? 0) \($0)" }.joined(separator: ", ")
    let categories = byCategory.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    return
      "tag: \(documents) documents (\(basis)), \(conflicts) conflicts, \(dropped) dropped and \(review) for review "
      + "by the policy, "
      + String(format: "%.2f s, %.1f MB/s", seconds, seconds > 0 ? Double(bytes) / seconds / 1e6 : 0)
      + (categories.isEmpty ? "" : "\nby category: \(categories)")
  }
}
