import Foundation
import HatcheryCore

/// What an ingest run did, for the summary line, the stage run's counters and tests.
public struct IngestSummary: StageSummary {
  public var source: String
  public var step = IngestStep.all
  public var partsPlanned = 0
  public var partsWritten = 0
  public var partsUpToDate = 0
  public var partsRemoved = 0
  public var files = 0
  public var documents = 0
  public var repairedDocuments = 0
  /// Text files larger than --max-document-bytes, kept as several documents (pieces).
  public var splitFiles = 0
  public var rejected = 0
  /// By `IngestRejectReason` raw value (the counters' JSON and the store name reasons so).
  public var rejectsByReason: [String: Int] = [:]
  /// Records passed over by design, by kind: WARC request and metadata records, responses that
  /// are not text, MediaWiki redirects and pages outside the main namespace.
  public var skipped: [String: Int] = [:]
  /// The first rejects' one-line messages, to show; all of them are in the store.
  public var rejectMessages: [String] = []
  public var inputBytes = 0
  public var outputBytes = 0
  public var seconds = 0.0

  public static let shownRejects = 20

  /// The rejects counted by reason (a name this Hatchery does not know, from a store written by
  /// another version, is left out).
  public var rejectCounts: [IngestRejectReason: Int] {
    var counts: [IngestRejectReason: Int] = [:]
    for (name, count) in rejectsByReason {
      if let reason = IngestRejectReason(rawValue: name) { counts[reason] = count }
    }
    return counts
  }

  // The run's counters: everything but the messages shown (all rejects are in the store).
  enum CodingKeys: String, CodingKey {
    case source, step, partsPlanned, partsWritten, partsUpToDate, partsRemoved, files, documents, repairedDocuments,
      splitFiles
    case rejected, rejectsByReason, skipped, inputBytes, outputBytes, seconds
  }

  public var nothingToDo: Bool { partsWritten == 0 && partsRemoved == 0 }

  /// Adds the counts of `other` (a part's summary) to these.
  mutating func add(_ other: IngestSummary) {
    partsWritten += other.partsWritten
    files += other.files
    documents += other.documents
    repairedDocuments += other.repairedDocuments
    splitFiles += other.splitFiles
    rejected += other.rejected
    rejectsByReason.merge(other.rejectsByReason, uniquingKeysWith: +)
    skipped.merge(other.skipped, uniquingKeysWith: +)
    rejectMessages.append(contentsOf: other.rejectMessages.prefix(Self.shownRejects - rejectMessages.count))
    inputBytes += other.inputBytes
    outputBytes += other.outputBytes
  }

  mutating func countReject(reason: String, message: String) {
    rejected += 1
    rejectsByReason[reason, default: 0] += 1
    if rejectMessages.count < Self.shownRejects { rejectMessages.append(message) }
  }

  /// The summary as printed at the end of the stage.
  public var text: String {
    switch step {
    case .register: return "ingest \(source): registered"
    case .merge:
      return nothingToDo
        ? "ingest \(source): nothing to merge, \(partsUpToDate) part(s) up to date"
        : "ingest \(source): merged \(partsWritten) task part(s): \(files) files, \(documents) documents, \(rejected) rejected, "
          + "\(ByteCount.format(outputBytes)) out" + (partsRemoved > 0 ? ", \(partsRemoved) stale part(s) removed" : "")
          + String(format: ", %.2f s", seconds)
    case .task where nothingToDo:
      return "ingest \(source) task: nothing to do, \(partsUpToDate) part(s) up to date or waiting for the merge"
    case .task, .all: break
    }
    if nothingToDo {
      return "ingest \(source): nothing to do, \(partsUpToDate) part(s) up to date (use --force to redo them)"
    }
    let rate = seconds > 0 ? Double(inputBytes) / seconds / 1e6 : 0
    var line =
      "ingest \(source): \(files) files, \(documents) documents (\(repairedDocuments) repaired), "
      + "\(rejected) rejected, \(ByteCount.format(inputBytes)) in, \(ByteCount.format(outputBytes)) out, "
      + "\(partsWritten) part(s) written, \(partsUpToDate) up to date, "
      + String(format: "%.2f s, %.1f MB/s", seconds, rate)
    if partsRemoved > 0 { line += ", \(partsRemoved) stale part(s) removed" }
    if splitFiles > 0 {
      line += "\n\(splitFiles) file(s) larger than --max-document-bytes kept as several documents (metadata: piece)"
    }
    if !rejectsByReason.isEmpty {
      line +=
        "\nrejected by reason: "
        + rejectsByReason.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
    if !skipped.isEmpty {
      line += "\nskipped: " + skipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
    return line
  }
}
