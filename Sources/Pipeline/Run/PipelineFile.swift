import Foundation
import HatcheryCore
import HatcheryYAML
import Yams

/// A pipeline file (`pipelines/*.yaml`, schema in `schemas/pipeline.schema.json`): the
/// workspace, the sources to ingest, and the options of each stage to run. Relative paths are
/// taken from the directory `hatchery run` is started in, as on the command line.
///
/// ```yaml
/// version: 1
/// workspace: work-quickstart
/// sources:
///   - name: examples
///     paths: [examples/corpus]
///     license: CC0-1.0
/// stages:
///   ingest: {}
///   tokenizer: {vocab_size: 4096}
/// ```
/// Unknown keys, values of the wrong type and missing required options are errors naming the
/// line and column.
public struct PipelineFile: Sendable {
  public struct Source: Sendable {
    public var name: String
    public var paths: [String]
    public var format: String?
    public var license: String?
    /// Paths that do not exist are skipped with a note instead of failing the pipeline.
    public var optional = false
  }

  /// One option value, already in the form the command line takes.
  public enum Value: Sendable, Equatable {
    case scalar(String)
    case flag(Bool)
    case list([String])
  }

  public static let version = 1
  /// The file's name without extension: steps are recorded under it.
  public var name: String
  public var workspace: String
  public var sources: [Source]
  /// The stages named in the file, in run order, with their options.
  public var stages: [(stage: PipelineStage, options: [(key: String, value: Value)])]

  public static func load(path: String) throws -> PipelineFile {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw HatcheryError.system("read", path: path, code: ENOENT)
    }
    let root = try YAMLFile.compose(String(decoding: data, as: UTF8.self), file: path)
    func place(_ node: Node) -> String { "\(path):\(node.mark.map { "\($0.line):\($0.column)" } ?? "?")" }
    guard let mapping = root?.mapping else {
      throw PipelineError.badFile(
        place: path, reason: "a pipeline file is a mapping (version, workspace, sources, stages)")
    }
    var name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    var workspace: String?
    var sources: [Source] = []
    var stages: [PipelineStage: [(key: String, value: Value)]] = [:]
    var sawVersion = false
    for (key, value) in mapping {
      switch key.string ?? "" {
      case "version":
        guard value.int == version else {
          throw PipelineError.badFile(place: place(value), reason: "version is \(version)")
        }
        sawVersion = true
      case "name":
        guard let text = value.string, !text.isEmpty else {
          throw PipelineError.badFile(place: place(value), reason: "name is a string")
        }
        name = text
      case "workspace":
        guard let text = value.string, !text.isEmpty else {
          throw PipelineError.badFile(place: place(value), reason: "workspace is a path")
        }
        workspace = text
      case "sources":
        guard let list = value.sequence else {
          throw PipelineError.badFile(place: place(value), reason: "sources is a list")
        }
        for item in list { sources.append(try source(item, place: place)) }
      case "stages":
        guard let stageMapping = value.mapping else {
          throw PipelineError.badFile(place: place(value), reason: "stages is a mapping of stage names")
        }
        for (stageKey, stageValue) in stageMapping {
          guard let stage = PipelineStage(rawValue: stageKey.string ?? "") else {
            throw PipelineError.badFile(
              place: place(stageKey),
              reason:
                "unknown stage \(stageKey.string ?? "?") (stages: \(PipelineStage.allCases.map(\.rawValue).joined(separator: ", ")))"
            )
          }
          stages[stage] = try options(of: stage, stageValue, place: place)
        }
      default:
        throw PipelineError.badFile(
          place: place(key),
          reason: "unknown key \(key.string ?? "?") (keys: version, name, workspace, sources, stages)")
      }
    }
    guard sawVersion else { throw PipelineError.badFile(place: path, reason: "version: \(version) is missing") }
    // The name becomes job names, script lines and the default output folder.
    do {
      try Workspace.validateName(
        name, of: "pipeline", hint: mapping["name"] == nil ? " (the file's name; set name: in the file)" : "")
    } catch let error as any HatcheryFailure {
      throw PipelineError.badFile(place: path, reason: "\(error.message)")
    }
    guard let workspace else { throw PipelineError.badFile(place: path, reason: "workspace is missing") }
    if stages[.ingest] != nil && sources.isEmpty {
      throw PipelineError.badFile(place: path, reason: "the ingest stage needs sources")
    }
    let names = sources.map(\.name)
    if let repeated = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
      throw PipelineError.badFile(place: path, reason: "source \(repeated) is named twice")
    }
    return PipelineFile(
      name: name, workspace: workspace, sources: sources,
      stages: PipelineStage.allCases.compactMap { stage in stages[stage].map { (stage, $0) } })
  }

  private static func source(_ node: Node, place: (Node) -> String) throws -> Source {
    guard let mapping = node.mapping else {
      throw PipelineError.badFile(
        place: place(node), reason: "a source is a mapping (name, paths, format, license, optional)")
    }
    var source = Source(name: "", paths: [])
    for (key, value) in mapping {
      switch key.string ?? "" {
      case "name": source.name = value.string ?? ""
      case "paths":
        guard let list = value.sequence?.compactMap(\.string), !list.isEmpty else {
          throw PipelineError.badFile(place: place(value), reason: "paths is a list of files or folders")
        }
        source.paths = list
      case "format": source.format = value.string
      case "license": source.license = value.string
      case "optional":
        guard let flag = value.bool else {
          throw PipelineError.badFile(place: place(value), reason: "optional is true or false")
        }
        source.optional = flag
      default:
        throw PipelineError.badFile(
          place: place(key), reason: "unknown source key \(key.string ?? "?") (name, paths, format, license, optional)")
      }
    }
    guard !source.name.isEmpty, !source.paths.isEmpty else {
      throw PipelineError.badFile(place: place(node), reason: "a source needs a name and paths")
    }
    do {
      try Workspace.validateSourceName(source.name)
    } catch let error as any HatcheryFailure {
      throw PipelineError.badFile(place: place(node), reason: "\(error.message)")
    }
    return source
  }

  /// The options of a stage from its YAML node (a mapping, or nothing for none).
  static func options(of stage: PipelineStage, _ node: Node, place: (Node) -> String) throws -> [(
    key: String, value: Value
  )] {
    // `train:` with no options.
    if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" { return [] }
    guard let mapping = node.mapping else {
      throw PipelineError.badFile(place: place(node), reason: "the options of \(stage.rawValue) are a mapping")
    }
    var result: [(key: String, value: Value)] = []
    for (key, value) in mapping {
      let name = key.string ?? ""
      result.append((name, try option(name, of: stage, key: key, value: value, place: place)))
    }
    for required in stage.requiredOptions where !result.contains(where: { $0.key == required }) {
      throw PipelineError.badFile(place: place(node), reason: "stage \(stage.rawValue) needs \(required)")
    }
    return result
  }

  /// One option of a stage, checked against the stage's table: an unknown name is an error at
  /// `key`, a value of the wrong kind at `value`.
  static func option(_ name: String, of stage: PipelineStage, key: Node, value: Node, place: (Node) -> String) throws
    -> Value
  {
    guard let kind = stage.options[name] else {
      throw PipelineError.badFile(
        place: place(key),
        reason:
          "unknown option \(name) of stage \(stage.rawValue) (options: \(stage.options.keys.sorted().joined(separator: ", ")))"
      )
    }
    func wrong(_ expected: String) -> PipelineError {
      PipelineError.badFile(place: place(value), reason: "\(stage.rawValue).\(name) is \(expected)")
    }
    switch kind {
    case .integer:
      guard let number = value.int else { throw wrong("a whole number") }
      return .scalar(String(number))
    case .number:
      guard let number = value.float else { throw wrong("a number") }
      return .scalar(value.string ?? String(number))
    case .boolean:
      guard let flag = value.bool else { throw wrong("true or false") }
      return .flag(flag)
    case .string, .file:
      guard let text = value.string, value.scalar != nil else { throw wrong("a string") }
      return .scalar(text)
    case .files:
      guard let list = value.sequence?.compactMap(\.string) else { throw wrong("a list of paths") }
      return .list(list)
    }
  }
}
