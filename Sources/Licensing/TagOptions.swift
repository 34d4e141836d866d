import Foundation
import HatcheryCore

public typealias TagStep = StageStep

/// What `hatchery tag` was asked to do.
public struct TagOptions: Sendable {
  /// A YAML licence policy; without one, nothing is dropped.
  public var policyPath: String?
  /// Folders of reference licence texts besides /usr/share/common-licenses.
  public var referenceFolders: [String] = []
  public var threads = ProcessInfo.processInfo.activeProcessorCount
  /// Licence files and package metadata cover the documents of their tree (LicenseScope).
  public var scope = true
  /// How many directory levels above a document a covering file may be (nil: up to the input root).
  public var scopeDepth: Int?
  public var force = false
  /// `all` in one process; across machines `task` (each --task: results to task files, the
  /// store only read), then `merge` once (the task files into the store, in part order).
  public var step = TagStep.all
  public var task = 0
  public var tasks = 1

  public init() {}
}
