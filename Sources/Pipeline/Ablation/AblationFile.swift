import Foundation
import HatcheryCore
import HatcheryYAML
import Training
import Yams

/// An ablation file (`hatchery ablate FILE`): variants of one corpus pipeline, each prepared in
/// its own workspace and trained with the same model and token budget for several seeds, then
/// scored on shared held-out text in bits per byte.
///
/// ```yaml
/// version: 1
/// pipeline: pipelines/base.yaml     # its stages up to shard make each variant's data;
///                                   # its train stage is the model and token budget of every run
/// folder: work-ablation             # variant V's workspace is folder/V (default: work-<name>)
/// seeds: 3
/// eval:                             # held-out text none of the variants may train on
///   books: held-out/books.jsonl
/// variants:
///   baseline: {}
///   no-dedup: {dedup: off}
///   vocab-8k: {tokenizer.vocab_size: 8192}
///   shuffled: {pipeline: pipelines/shuffled.yaml}
/// ```
/// An override is `STAGE: off` (leave a stage out), `STAGE: {options}` (the stage with these
/// options), `STAGE.OPTION: value` (one option), or `pipeline: FILE` (another base). Unknown keys,
/// stages and options, and values of the wrong kind, are errors naming the line and column.
public struct AblationFile: Sendable {
  public enum Override: Sendable {
    case remove(PipelineStage)
    case replace(PipelineStage, [(key: String, value: PipelineFile.Value)])
    case set(PipelineStage, key: String, value: PipelineFile.Value)
  }

  public struct Variant: Sendable {
    public var name: String
    /// The pipeline file the variant starts from.
    public var pipeline: String
    public var overrides: [Override]
  }

  public static let version = 1
  /// The stages a variant runs: its data, up to its shards. Training is the ablation's.
  static let dataStages: Set<PipelineStage> = [.ingest, .dedup, .tag, .filter, .tokenizer, .shard]
  /// Stages every variant needs (it cannot be trained without them).
  static let requiredStages: [PipelineStage] = [.ingest, .tokenizer, .shard]

  public var path: String
  public var name: String
  public var folder: String
  public var seeds: Int
  /// Held-out sets: name and path (EvaluationSet).
  public var evalSets: [(name: String, path: String)]
  /// Bytes of each set scored after training (nil: all).
  public var evalBytes: Int?
  /// Contamination: word n-grams of the evaluation text found in a variant's kept documents;
  /// more than this fraction of them refuses the ablation.
  public var ngram = 13
  public var maximumSharedFraction = 0.01
  public var variants: [Variant]
  /// The base pipeline: its train stage gives every run's options.
  public var base: PipelineFile
  public var basePath: String

  public static func load(path: String) throws -> AblationFile {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw HatcheryError.system("read", path: path, code: ENOENT)
    }
    let root = try YAMLFile.compose(String(decoding: data, as: UTF8.self), file: path)
    func place(_ node: Node) -> String { "\(path):\(node.mark.map { "\($0.line):\($0.column)" } ?? "?")" }
    guard let mapping = root?.mapping else {
      throw PipelineError.badFile(
        place: path, reason: "an ablation file is a mapping (version, pipeline, seeds, eval, variants)")
    }
    var name = ((path as NSString).lastPathComponent as NSString).deletingPathExtension
    var folder: String?
    var basePath: String?
    var seeds = 3
    var evalSets: [(name: String, path: String)] = []
    var evalBytes: Int?
    var ngram = 13
    var maximumShared = 0.01
    var variantNodes: [(Node, Node)] = []
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
      case "folder":
        guard let text = value.string, !text.isEmpty else {
          throw PipelineError.badFile(place: place(value), reason: "folder is a path")
        }
        folder = text
      case "pipeline":
        guard let text = value.string, !text.isEmpty else {
          throw PipelineError.badFile(place: place(value), reason: "pipeline is a pipeline file")
        }
        basePath = text
      case "seeds":
        guard let number = value.int, number >= 1 else {
          throw PipelineError.badFile(place: place(value), reason: "seeds is a whole number ≥ 1")
        }
        seeds = number
      case "eval":
        guard let sets = value.mapping, !sets.isEmpty else {
          throw PipelineError.badFile(place: place(value), reason: "eval is a mapping of set names to files or folders")
        }
        for (setName, setPath) in sets {
          guard let text = setName.string, !text.isEmpty, let file = setPath.string, !file.isEmpty else {
            throw PipelineError.badFile(place: place(setName), reason: "an evaluation set is NAME: PATH")
          }
          evalSets.append((text, file))
        }
      case "eval_bytes":
        guard let number = value.int, number >= 1 else {
          throw PipelineError.badFile(place: place(value), reason: "eval_bytes is a whole number ≥ 1")
        }
        evalBytes = number
      case "contamination":
        guard let options = value.mapping else {
          throw PipelineError.badFile(
            place: place(value), reason: "contamination is a mapping (ngram, max_shared_ngrams)")
        }
        for (optionKey, optionValue) in options {
          switch optionKey.string ?? "" {
          case "ngram":
            guard let number = optionValue.int, number >= 1 else {
              throw PipelineError.badFile(place: place(optionValue), reason: "ngram is a whole number ≥ 1")
            }
            ngram = number
          case "max_shared_ngrams":
            guard let number = optionValue.float, number >= 0, number <= 1 else {
              throw PipelineError.badFile(
                place: place(optionValue), reason: "max_shared_ngrams is a number from 0 to 1")
            }
            maximumShared = number
          default:
            throw PipelineError.badFile(
              place: place(optionKey),
              reason: "unknown contamination option \(optionKey.string ?? "?") (ngram, max_shared_ngrams)")
          }
        }
      case "variants":
        guard let list = value.mapping, !list.isEmpty else {
          throw PipelineError.badFile(place: place(value), reason: "variants is a mapping of variant names")
        }
        variantNodes = Array(list)
      default:
        throw PipelineError.badFile(
          place: place(key),
          reason:
            "unknown key \(key.string ?? "?") (keys: version, name, folder, pipeline, seeds, eval, eval_bytes, contamination, variants)"
        )
      }
    }
    guard sawVersion else { throw PipelineError.badFile(place: path, reason: "version: \(version) is missing") }
    guard let basePath else {
      throw PipelineError.badFile(place: path, reason: "pipeline (the base pipeline file) is missing")
    }
    guard !evalSets.isEmpty else {
      throw PipelineError.badFile(place: path, reason: "eval (held-out text to score every variant on) is missing")
    }
    guard variantNodes.count >= 2 else {
      throw PipelineError.badFile(place: path, reason: "an ablation compares at least two variants")
    }
    do {
      try Workspace.validateName(
        name, of: "ablation", hint: mapping["name"] == nil ? " (the file's name; set name: in the file)" : "")
    } catch let error as any HatcheryFailure {
      throw PipelineError.badFile(place: path, reason: "\(error.message)")
    }
    let base = try PipelineFile.load(path: basePath)
    guard base.stages.contains(where: { $0.stage == .train }) else {
      throw PipelineError.badFile(
        place: basePath,
        reason: "the base pipeline has no train stage; its options are the model and token budget of every run")
    }
    var variants: [Variant] = []
    for (key, value) in variantNodes {
      guard let variantName = key.string, !variantName.isEmpty else {
        throw PipelineError.badFile(place: place(key), reason: "a variant needs a name")
      }
      do {
        try Workspace.validateName(variantName, of: "variant")
      } catch let error as any HatcheryFailure {
        throw PipelineError.badFile(place: place(key), reason: "\(error.message)")
      }
      guard !variants.contains(where: { $0.name == variantName }) else {
        throw PipelineError.badFile(place: place(key), reason: "variant \(variantName) is named twice")
      }
      // FOLDER/results and FOLDER/runs hold the runs; a variant's workspace is FOLDER/NAME.
      guard !["results", "runs"].contains(variantName) else {
        throw PipelineError.badFile(
          place: place(key),
          reason: "\(variantName) is the name of the ablation's own folder of runs; name the variant otherwise")
      }
      variants.append(try variant(variantName, value, basePath: basePath, place: place))
    }
    return AblationFile(
      path: path, name: name, folder: folder ?? "work-\(name)", seeds: seeds, evalSets: evalSets, evalBytes: evalBytes,
      ngram: ngram,
      maximumSharedFraction: maximumShared, variants: variants, base: base, basePath: basePath)
  }

  private static func variant(_ name: String, _ node: Node, basePath: String, place: (Node) -> String) throws -> Variant
  {
    var result = Variant(name: name, pipeline: basePath, overrides: [])
    if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "~" { return result }
    guard let mapping = node.mapping else {
      throw PipelineError.badFile(
        place: place(node), reason: "a variant is a mapping of overrides ({} for the base pipeline as it is)")
    }
    for (key, value) in mapping {
      let text = key.string ?? ""
      if text == "pipeline" {
        guard let file = value.string, !file.isEmpty else {
          throw PipelineError.badFile(place: place(value), reason: "pipeline is a pipeline file")
        }
        result.pipeline = file
        continue
      }
      let parts = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
      guard let stage = PipelineStage(rawValue: parts[0]) else {
        throw PipelineError.badFile(
          place: place(key),
          reason:
            "unknown override \(text) (pipeline, or a stage: \(PipelineStage.allCases.map(\.rawValue).joined(separator: ", ")))"
        )
      }
      guard dataStages.contains(stage) else {
        throw PipelineError.badFile(
          place: place(key),
          reason:
            "\(stage.rawValue) is not a data stage; the model and token budget are the base pipeline's train stage, the same for every variant"
        )
      }
      switch parts.count {
      case 1:
        if value.bool == false || value.string == "off" {
          guard !requiredStages.contains(stage) else {
            throw PipelineError.badFile(place: place(value), reason: "every variant needs its \(stage.rawValue) stage")
          }
          result.overrides.append(.remove(stage))
        } else {
          result.overrides.append(.replace(stage, try PipelineFile.options(of: stage, value, place: place)))
        }
      case 2:
        result.overrides.append(
          .set(
            stage, key: parts[1],
            value: try PipelineFile.option(parts[1], of: stage, key: key, value: value, place: place)))
      default:
        throw PipelineError.badFile(
          place: place(key),
          reason:
            "\(text): an override is STAGE or STAGE.OPTION; options below a stage's own are set in the file it reads "
            + "(a variant can name another one: \(stage.rawValue).config: FILE)")
      }
    }
    return result
  }

  /// A variant's pipeline: its base with the overrides applied, its own workspace, its data
  /// stages only (the ablation trains each variant itself).
  public func pipeline(for variant: Variant) throws -> PipelineFile {
    var file = variant.pipeline == basePath ? base : try PipelineFile.load(path: variant.pipeline)
    file.name = "\(name)-\(variant.name)"
    file.workspace = folder + "/" + variant.name
    for override in variant.overrides {
      switch override {
      case .remove(let stage):
        file.stages.removeAll { $0.stage == stage }
      case .replace(let stage, let options):
        if let index = file.stages.firstIndex(where: { $0.stage == stage }) {
          file.stages[index].options = options
        } else {
          file.stages.append((stage, options))
        }
      case .set(let stage, let key, let value):
        if let index = file.stages.firstIndex(where: { $0.stage == stage }) {
          file.stages[index].options.removeAll { $0.key == key }
          file.stages[index].options.append((key, value))
        } else {
          file.stages.append((stage, [(key, value)]))
        }
      }
    }
    file.stages = PipelineStage.allCases.compactMap { stage in
      Self.dataStages.contains(stage) ? file.stages.first { $0.stage == stage } : nil
    }
    for stage in Self.requiredStages where !file.stages.contains(where: { $0.stage == stage }) {
      throw PipelineError.badFile(
        place: variant.pipeline,
        reason: "variant \(variant.name) has no \(stage.rawValue) stage; every variant needs one")
    }
    for (stage, options) in file.stages {
      for required in stage.requiredOptions where !options.contains(where: { $0.key == required }) {
        throw PipelineError.badFile(
          place: "variant \(variant.name)", reason: "stage \(stage.rawValue) needs \(required)")
      }
    }
    return file
  }

  /// The base pipeline's train options: every run's.
  public var trainOptions: [(key: String, value: PipelineFile.Value)] {
    base.stages.first { $0.stage == .train }?.options ?? []
  }
}
