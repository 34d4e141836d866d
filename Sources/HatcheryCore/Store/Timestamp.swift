import Foundation

/// ISO 8601 timestamps in UTC to the second (`2026-11-27T14:13:52Z`), the one form the store
/// and the documents use.
public enum Timestamp {
  public static func now() -> String { string(fromEpochSeconds: Int(time(nil))) }

  public static func string(fromEpochSeconds seconds: Int) -> String {
    var value = time_t(seconds)
    var parts = tm()
    gmtime_r(&value, &parts)
    return String(
      format: "%04d-%02d-%02dT%02d:%02d:%02dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1, Int(parts.tm_mday),
      Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
  }
}
