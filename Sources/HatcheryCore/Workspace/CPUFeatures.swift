import Foundation

/// Processor features a build depends on. The dedup module is compiled for AVX2 on x86-64
/// (Package.swift); a processor without it would stop with an illegal instruction, so the
/// command line checks first and says so in one line.
public enum CPUFeatures {
  public static let hasAVX2: Bool = {
    #if arch(x86_64) && os(Linux)
      guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
        let flags = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
      else { return true }  // cannot tell: let it run
      return flags.split(separator: " ").contains("avx2")
    #else
      return true
    #endif
  }()
}
