import Foundation
import HatcheryCore

/// A data file shipped as a module resource, as its test checks it: the file's bytes and SHA-256,
/// and the record its generator script wrote beside the source copy (`Sources/MODULE/Resources/
/// NAME.json`, read from the repository the tests were built from).
public struct ShippedResource {
  public let bytes: Data
  public let sha256: String
  public let record: [String: Any]

  /// `file`: the resource as the module finds it; `record`: the record's path in the repository.
  public init(_ file: URL, record: String, repository: String = #filePath) throws {
    bytes = try Data(contentsOf: file)
    sha256 = bytes.withUnsafeBytes { SHA256Hasher.hash($0).hex }
    let root = URL(fileURLWithPath: repository).deletingLastPathComponent().appendingPathComponent("../..")
    let data = try Data(contentsOf: root.appendingPathComponent(record).standardized)
    self.record = (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
  }
}
