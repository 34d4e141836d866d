import Foundation

/// What `hatchery tag` was asked to do.
public struct TagOptions: Sendable {
  /// A YAML licence policy; without one, nothing is dropped.
  public var policyPath: String?
  /// Folders of reference licence texts besides /usr/share/common-licenses.
  public var referenceFolders: [String] = []
  public var threads = ProcessInfo.processInfo.activeProcessorCount
  public var force = false

  public init() {}
}
