import Foundation

public enum ByteCount {
  /// Decimal units, as throughput figures use: `812 B`, `14.2 kB`, `40.3 MB`, `1.07 GB`.
  public static func format(_ bytes: Int) -> String {
    let value = Double(bytes)
    switch bytes {
    case ..<1000: return "\(bytes) B"
    case ..<1_000_000: return String(format: "%.1f kB", value / 1e3)
    case ..<1_000_000_000: return String(format: "%.1f MB", value / 1e6)
    default: return String(format: "%.2f GB", value / 1e9)
    }
  }
}
