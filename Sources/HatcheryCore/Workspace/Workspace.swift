import Foundation

/// A workspace directory: the provenance store and every stage's outputs (DESIGN.md).
public struct Workspace: Sendable {
  public static let storeName = "hatchery.db"

  /// Absolute path of the workspace directory.
  public let root: String

  private init(root: String) {
    self.root = root
  }

  /// Creates the directory (if needed) and its store; an existing workspace is left as it is.
  public static func create(at path: String) throws -> Workspace {
    let workspace = Workspace(root: absolutePath(path))
    do {
      try FileManager.default.createDirectory(atPath: workspace.root, withIntermediateDirectories: true)
      for folder in ["docs", "tmp"] {
        try FileManager.default.createDirectory(
          atPath: workspace.root + "/" + folder, withIntermediateDirectories: true)
      }
    } catch {
      throw StoreError.cannotCreateWorkspace(root: workspace.root, reason: error.localizedDescription)
    }
    _ = try workspace.openStore()
    return workspace
  }

  /// Opens an existing workspace, with a message that says how to make one when there is none.
  public static func open(at path: String) throws -> Workspace {
    let workspace = Workspace(root: absolutePath(path))
    guard FileManager.default.fileExists(atPath: workspace.storePath) else {
      throw StoreError.notAWorkspace(root: workspace.root, store: storeName, given: path)
    }
    // An empty store beside document parts is a lost store, not a new one: opening it would
    // make a fresh schema and every part would be ingested again as if never seen.
    var info = stat()
    if stat(workspace.storePath, &info) == 0, info.st_size == 0, workspace.hasDocumentParts {
      throw StoreError.lostStore(path: workspace.storePath)
    }
    return workspace
  }

  /// Whether any source folder under docs/ holds a part file.
  var hasDocumentParts: Bool {
    let docs = root + "/docs"
    for source in (try? FileManager.default.contentsOfDirectory(atPath: docs)) ?? [] {
      let names = (try? FileManager.default.contentsOfDirectory(atPath: docs + "/" + source)) ?? []
      if names.contains(where: { $0.hasPrefix("part-") && $0.hasSuffix(".jsonl.zst") }) { return true }
    }
    return false
  }

  public var storePath: String { root + "/" + Self.storeName }
  public var temporaryDirectory: String { root + "/tmp" }

  public func openStore() throws -> ProvenanceStore {
    try ProvenanceStore(path: storePath)
  }

  /// The store for a merge step, the one process writing it (`ProvenanceStore.init`'s
  /// `soleWriter`).
  public func openStoreForMerge() throws -> ProvenanceStore {
    try ProvenanceStore(path: storePath, soleWriter: true)
  }

  /// The store for commands that only read it (audit, trace, report, energy): they work on a
  /// workspace the user cannot write (another user's, or a published one).
  public func openStoreForReading() throws -> ProvenanceStore {
    try ProvenanceStore(path: storePath, readOnly: true)
  }

  /// `docs/<source>`, relative to the workspace.
  public static func documentsFolder(source: String) -> String { "docs/\(source)" }

  /// `docs/<source>/part-NNNNN.jsonl.zst`, relative to the workspace.
  public static func partPath(source: String, part: Int) -> String {
    documentsFolder(source: source) + "/part-" + String(format: "%05d", part) + ".jsonl.zst"
  }

  /// `docs/<source>/<version>/part-NNNNN.jsonl.zst`: a later version of a part (e.g. redacted).
  public static func partPath(source: String, part: Int, version: String) -> String {
    documentsFolder(source: source) + "/" + version + "/part-" + String(format: "%05d", part) + ".jsonl.zst"
  }

  public func absolute(_ relativePath: String) -> String { root + "/" + relativePath }

  /// A source name becomes a folder name and appears in every document: letters, digits, '.',
  /// '_' and '-', not starting with '.'.
  public static func validateSourceName(_ name: String) throws {
    try validateName(name, of: "source")
  }

  /// Names that become file names, job names and words in generated scripts (sources,
  /// pipelines): a strict character set, so none can leave its folder or be read as shell.
  public static func validateName(_ name: String, of kind: String, hint: String = "") throws {
    let allowed = name.utf8.allSatisfy { byte in
      ASCII.isAlphanumeric(byte) || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }
    guard !name.isEmpty, allowed, !name.hasPrefix("."), name.utf8.count <= 100 else {
      throw StoreError.invalidName(kind: kind, name: name, hint: hint)
    }
  }

  public static func absolutePath(_ path: String) -> String {
    let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath))
    return url.standardizedFileURL.path
  }
}
