import Accounting
import Foundation
import HatcheryCore

/// The machine's single-precision matrix-multiply peak, the denominator of model-FLOPs
/// utilisation: the best of five 1024³ `sgemm` calls on the given thread count, measured once
/// per CPU model, OpenBLAS build and kernels, and thread count, and cached in
/// `~/.cache/hatchery/sgemm-peak.json` (`$XDG_CACHE_HOME` when set).
public enum GEMMPeak {
  public static func flopsPerSecond(threads: Int) throws -> Double {
    let key = "\(MachineProfile.current.cpuModel)|\(try BLAS.load().config)|split threads=\(threads)"
    let cachePath = cacheFolder() + "/sgemm-peak.json"
    var cached: [String: Double] = [:]
    if let data = FileManager.default.contents(atPath: cachePath),
      let object = try? JSONParser.parse(String(decoding: data, as: UTF8.self)).objectValue
    {
      for (name, value) in object.members {
        if case .number(let text) = value, let number = Double(text) { cached[name] = number }
      }
    }
    if let known = cached[key] { return known }
    let measured = try measure(threads: threads)
    cached[key] = measured
    try? FileManager.default.createDirectory(atPath: cacheFolder(), withIntermediateDirectories: true)
    let object = JSONObject(
      cached.sorted { $0.key < $1.key }.map { ($0.key, .number(String(format: "%.0f", $0.value))) })
    try? AtomicFileOutput.write(Array((JSONWriter.encode(.object(object)) + "\n").utf8), to: cachePath)
    return measured
  }

  static func measure(threads: Int) throws -> Double {
    let blas = try BLAS.load()
    let n = 1024
    let a = [Float](repeating: 0.5, count: n * n)
    let b = [Float](repeating: 0.25, count: n * n)
    var c = [Float](repeating: 0, count: n * n)
    var best = Double.infinity
    let clock = ContinuousClock()
    for _ in 0..<5 {
      let start = clock.now
      c.withUnsafeMutableBufferPointer { c in
        blas.sgemm(
          transposeA: false, transposeB: false, m: n, n: n, k: n, a: a, lda: n, b: b, ldb: n, beta: 0,
          c: c.baseAddress!, ldc: n, threads: threads)
      }
      best = min(best, (clock.now - start).seconds)
    }
    return 2 * Double(n * n * n) / best
  }

  static func cacheFolder() -> String {
    if let xdg = ProcessInfo.processInfo.environment["XDG_CACHE_HOME"], !xdg.isEmpty { return xdg + "/hatchery" }
    return NSHomeDirectory() + "/.cache/hatchery"
  }
}
