import Foundation
import HatcheryCore

extension ShardDataset {
  /// Reads the split as a trainer would — `windows` random windows of `length` tokens in batches
  /// of `batch` (positions from SplitMix64 seeded with `seed`), or with `windows` 0 one sequential
  /// pass over every frame — and returns `shard read`'s JSON line: tokens, windows, seconds and
  /// the rates.
  public func timedRead(windows: Int, length: Int, batch: Int, seed: UInt64) throws -> String {
    let clock = ContinuousClock()
    let start = clock.now
    var tokens = 0
    if windows > 0 {
      var generator = SplitMix64(seed: seed)
      var buffer = [UInt32](repeating: 0, count: batch * length)
      var left = windows
      while left > 0 {
        let count = min(batch, left)
        try buffer.withUnsafeMutableBufferPointer { output in
          try randomWindows(count: count, length: length, into: output.baseAddress!) {
            Int(generator.next() % UInt64($0))
          }
        }
        left -= count
      }
      tokens = windows * length
    } else {
      tokens = try sequentialPass()
    }
    let seconds = (clock.now - start).seconds
    let bytes = tokens * manifest.tokenType.width
    return JSONWriter.encode(
      .object(
        JSONObject([
          ("split", .string(split)), ("mode", .string(windows > 0 ? "random" : "sequential")), ("tokens", .int(tokens)),
          ("windows", .int(windows)), ("seconds", .number(String(format: "%.4f", seconds))),
          ("tokens_per_s", .number(String(format: "%.0f", Double(tokens) / max(seconds, 1e-9)))),
          ("windows_per_s", .number(String(format: "%.0f", Double(windows) / max(seconds, 1e-9)))),
          ("mb_per_s", .number(String(format: "%.1f", Double(bytes) / max(seconds, 1e-9) / 1e6))),
        ])))
  }
}
