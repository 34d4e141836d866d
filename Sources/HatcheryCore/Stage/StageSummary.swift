import Foundation

/// What a stage run reports: a line or two for the person who ran it (`text`), and its counters,
/// which `StageLifecycle` records as the run's `stage_runs.counts` — the summary encoded as JSON,
/// keys in snake case and sorted (a stage chooses what it encodes with its `CodingKeys`).
public protocol StageSummary: Encodable, Sendable {
  var text: String { get }
}

extension StageSummary {
  /// The summary as `stage_runs.counts` holds it.
  public var counts: JSONObject {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys]
    // Encoding plain counters cannot fail; were it to, the run still gets a row saying so.
    guard let data = try? encoder.encode(self),
      let object = try? data.withUnsafeBytes({ try JSONParser.parse($0) }).objectValue
    else { return JSONObject([("counts", .string("not encodable"))]) }
    return object
  }
}
