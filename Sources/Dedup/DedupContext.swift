import Foundation
import HatcheryCore

/// What every step of one dedup configuration shares: the workspace's parts in order, the
/// split into tasks, and the folder of intermediate files, named by the configuration's hash
/// (options and the digests of every part), so files of another configuration never mix in.
struct DedupContext: Sendable {
  let workspace: Workspace
  let store: ProvenanceStore
  let options: DedupOptions
  let parts: [(source: SourceRecord, part: PartRecord)]
  let config: StageConfig
  let folder: String
  let minHasher: MinHasher

  init(workspace: Workspace, store: ProvenanceStore, options: DedupOptions) throws {
    self.workspace = workspace
    self.store = store
    self.options = options
    parts = try store.allParts()
    guard !parts.isEmpty else {
      throw DedupError.noDocuments(workspace: workspace.root)
    }
    var configuration = options.configuration
    configuration["tasks"] = .int(options.tasks)
    // The intermediate files' layout: files of another layout are in another folder, not misread.
    configuration["record_format"] = .int(Int(RecordFile.version))
    configuration["parts"] = .array(parts.map { .string("\($0.source.name)/\($0.part.part):\($0.part.sha256)") })
    config = StageConfig(configuration)
    folder = workspace.absolute("dedup/\(config.hash.prefix(16))")
    minHasher = MinHasher(bands: options.bands, rows: options.rows, seed: options.seed)
  }

  /// The parts task `task` reads: every `tasks`-th, counted over all sources.
  func parts(ofTask task: Int) -> [(source: SourceRecord, part: PartRecord)] {
    parts.enumerated().filter { $0.offset % options.tasks == task }.map(\.element)
  }

  private func name(_ kind: String, task: Int) -> String {
    folder + "/" + kind + "-" + String(format: "%05d", task) + ".bin"
  }

  func documentsPath(task: Int) -> String { name("documents", task: task) }
  func signaturesPath(task: Int) -> String { name("signatures", task: task) }
  func exactPath(task: Int) -> String { name("exact", task: task) }
  func bandPath(band: Int, task: Int) -> String { name("band-" + String(format: "%03d", band), task: task) }
  func dropsPath(task: Int) -> String { name("drops", task: task) }
  func paragraphsPath(task: Int) -> String { name("paragraphs", task: task) }
  func spansPath(task: Int) -> String { name("spans", task: task) }

  func signatureOutputs(task: Int) -> [String] {
    [documentsPath(task: task), signaturesPath(task: task), exactPath(task: task)]
      + (0..<options.bands).map { bandPath(band: $0, task: task) }
      + (options.paragraphs ? [paragraphsPath(task: task)] : [])
  }

  static func exists(_ paths: [String]) -> Bool {
    paths.allSatisfy { FileManager.default.fileExists(atPath: $0) }
  }
}
