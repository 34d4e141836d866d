/// A stage's configuration as canonical JSON (members in a fixed order, chosen by the stage) and
/// its SHA-256, recorded in `stage_runs` so that a re-run can tell whether anything changed.
public struct StageConfig: Sendable {
  public let json: String
  public let hash: String

  public init(_ object: JSONObject) {
    json = JSONWriter.encode(.object(object))
    hash = SHA256Hasher.hash(json).hex
  }
}
