import Foundation
import HatcheryCore

/// Domains and URL substrings whose documents are dropped, read from files of one entry per line
/// (`#` starts a comment). A domain blocks itself and its subdomains.
public struct URLBlocklist: Sendable, Equatable {
  public var domains: Set<String> = []
  public var substrings: [String] = []

  /// An empty list.
  public init() {}

  public init(domainFiles: [String], substringFiles: [String]) throws {
    for file in domainFiles { domains.formUnion(try Self.entries(file).map { $0.lowercased() }) }
    for file in substringFiles { substrings += try Self.entries(file) }
  }

  private static func entries(_ file: String) throws -> [String] {
    guard let data = FileManager.default.contents(atPath: file) else {
      throw FilterError.badFile(path: file, reason: "cannot read the block-list")
    }
    return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line in
      let entry = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
        .trimmingCharacters(in: .whitespaces)
      return entry.isEmpty ? nil : entry
    }
  }

  public var isEmpty: Bool { domains.isEmpty && substrings.isEmpty }

  /// The entry that blocks `url`, if any.
  public func block(_ url: String) -> String? {
    if let substring = substrings.first(where: { url.contains($0) }) { return substring }
    guard !domains.isEmpty, let scheme = url.range(of: "://") else { return nil }
    var host = url[scheme.upperBound...].prefix { $0 != "/" && $0 != "?" && $0 != "#" }.lowercased()
    if let at = host.lastIndex(of: "@") { host = String(host[host.index(after: at)...]) }
    if let colon = host.lastIndex(of: ":") { host = String(host[..<colon]) }
    var candidate = Substring(host)
    while true {
      if domains.contains(String(candidate)) { return String(candidate) }
      guard let dot = candidate.firstIndex(of: ".") else { return nil }
      candidate = candidate[candidate.index(after: dot)...]
    }
  }
}
