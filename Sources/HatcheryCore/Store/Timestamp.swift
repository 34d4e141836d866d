import Foundation

/// ISO 8601 timestamps in UTC to the second (`2026-11-27T14:13:52Z`), the one form the store
/// and the documents use.
public enum Timestamp {
  public static func now() -> String { string(fromEpochSeconds: Int(time(nil))) }

  public static func string(fromEpochSeconds seconds: Int) -> String {
    var value = time_t(seconds)
    var parts = tm()
    gmtime_r(&value, &parts)
    let year = Int(parts.tm_year) + 1900
    guard (0...9999).contains(year) else {
      return String(
        format: "%04d-%02d-%02dT%02d:%02d:%02dZ", year, Int(parts.tm_mon) + 1, Int(parts.tm_mday), Int(parts.tm_hour),
        Int(parts.tm_min), Int(parts.tm_sec))
    }
    // Written digit by digit: ingest asks once per document (a file's time), and String(format:)
    // cost more than the rest of a short document's metadata.
    return String(unsafeUninitializedCapacity: 20) { buffer in
      func put(_ value: Int, _ digits: Int, at offset: Int) {
        var rest = value
        for index in stride(from: offset + digits - 1, through: offset, by: -1) {
          buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
          rest /= 10
        }
      }
      put(year, 4, at: 0)
      put(Int(parts.tm_mon) + 1, 2, at: 5)
      put(Int(parts.tm_mday), 2, at: 8)
      put(Int(parts.tm_hour), 2, at: 11)
      put(Int(parts.tm_min), 2, at: 14)
      put(Int(parts.tm_sec), 2, at: 17)
      (buffer[4], buffer[7], buffer[10]) = (UInt8(ascii: "-"), UInt8(ascii: "-"), UInt8(ascii: "T"))
      (buffer[13], buffer[16], buffer[19]) = (UInt8(ascii: ":"), UInt8(ascii: ":"), UInt8(ascii: "Z"))
      return 20
    }
  }
}
