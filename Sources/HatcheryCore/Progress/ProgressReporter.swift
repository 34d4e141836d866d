import Foundation

/// Progress of a long stage on one terminal line (items, MB, MB/s, ETA), redrawn at most five
/// times a second. Silent when standard error is not a terminal, so pipes and logs stay clean.
public final class ProgressReporter {
  private let label: String
  private let itemName: String
  private let totalItems: Int
  private let totalBytes: Int
  private let enabled: Bool
  private let started = Date()
  private var lastDraw = Date.distantPast

  public init(
    label: String, itemName: String = "files", totalItems: Int, totalBytes: Int,
    enabled: Bool = isatty(STDERR_FILENO) == 1
  ) {
    self.label = label
    self.itemName = itemName
    self.totalItems = totalItems
    self.totalBytes = totalBytes
    self.enabled = enabled
  }

  public func update(items: Int, bytes: Int) {
    guard enabled else { return }
    let now = Date()
    guard now.timeIntervalSince(lastDraw) >= 0.2 else { return }
    lastDraw = now
    let elapsed = max(now.timeIntervalSince(started), 1e-3)
    let rate = Double(bytes) / elapsed
    let eta = rate > 0 ? Double(max(totalBytes - bytes, 0)) / rate : 0
    let line = String(
      format: "\r%@: %d/%d %@  %.1f/%.1f MB  %.1f MB/s  ETA %@ ", label, items, totalItems, itemName,
      Double(bytes) / 1e6,
      Double(totalBytes) / 1e6, rate / 1e6, Self.duration(eta))
    FileHandle.standardError.write(Data(line.utf8))
  }

  public func finish() {
    guard enabled, lastDraw != .distantPast else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
  }

  static func duration(_ seconds: Double) -> String {
    let total = Int(seconds.rounded())
    return String(format: "%d:%02d:%02d", total / 3600, total / 60 % 60, total % 60)
  }
}
