import Foundation
import HatcheryCore
import HatcheryYAML
import Yams

extension TrainOptions {
  /// Sets the options named in a YAML mapping (`--config FILE`), with the command line's names
  /// in snake case: preset (applied first), layers, heads, dim, context, batch, batch_tokens, steps, lr, min_lr_fraction,
  /// warmup, weight_decay, decay_all, grad_clip, eval_every, eval_batches, eval_text, eval_text_bytes, checkpoint_every,
  /// threads, seed. An unknown key or a value of the wrong type is an error naming its line and
  /// column.
  public mutating func apply(configurationAt path: String) throws {
    try apply(configurationAt: path, ignoring: [])
  }

  /// The options a run was started with (its `train-config.json`), for `--resume`: the run's
  /// shape, schedule and seed. Threads are the machine's, not the run's.
  public mutating func apply(runConfigurationOf runDirectory: String) throws {
    let path = runDirectory + "/train-config.json"
    guard FileManager.default.fileExists(atPath: path) else {
      throw TrainingError.badFile(
        file: runDirectory, reason: "no train-config.json, so the run's options are unknown; is it a training run?")
    }
    try apply(configurationAt: path, ignoring: ["threads", "shards_tokenizer"])
  }

  private mutating func apply(configurationAt path: String, ignoring ignored: Set<String>) throws {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw HatcheryError.system("read", path: path, code: ENOENT)
    }
    let root = try YAMLFile.compose(String(decoding: data, as: UTF8.self), file: path)
    guard let root else { return }
    guard let mapping = root.mapping else {
      throw TrainingError.badConfiguration(place: path, reason: "the training configuration is a mapping")
    }
    func place(_ node: Node) -> String { "\(path):\(node.mark.map { "\($0.line):\($0.column)" } ?? "?")" }
    // A preset first, wherever it is written: the file's other options override it.
    if let node = mapping["preset"] {
      guard let name = node.string, let preset = Preset(rawValue: name) else {
        throw TrainingError.badConfiguration(
          place: place(node), reason: "preset is one of \(Preset.allCases.map(\.rawValue).joined(separator: ", "))")
      }
      apply(preset: preset)
    }
    for (key, value) in mapping where !ignored.contains(key.string ?? "") && key.string != "preset" {
      func int() throws -> Int {
        guard let number = value.int else {
          throw TrainingError.badConfiguration(place: place(value), reason: "\(key.string ?? "") is a whole number")
        }
        return number
      }
      func float() throws -> Float {
        guard let number = value.float else {
          throw TrainingError.badConfiguration(place: place(value), reason: "\(key.string ?? "") is a number")
        }
        return Float(number)
      }
      switch key.string ?? "" {
      case "layers": layers = try int()
      case "heads": heads = try int()
      case "dim": channels = try int()
      case "context": context = try int()
      case "batch": batch = try int()
      case "batch_tokens": batchTokens = try int()
      case "steps": steps = try int()
      case "lr": learningRate = try float()
      case "min_lr_fraction": minimumLearningRateFraction = try float()
      case "warmup": warmup = try int()
      case "weight_decay": weightDecay = try float()
      case "decay_all":
        guard let flag = value.bool else {
          throw TrainingError.badConfiguration(place: place(value), reason: "decay_all is true or false")
        }
        decayAll = flag
      case "grad_clip": gradientClip = try float()
      case "eval_every": evalEvery = try int()
      case "eval_batches": evalBatches = try int()
      case "eval_text":
        guard let paths = value.sequence?.compactMap(\.string), paths.count == value.sequence?.count else {
          throw TrainingError.badConfiguration(place: place(value), reason: "eval_text is a list of files or folders")
        }
        evalTexts = paths
      case "eval_text_bytes": evalTextBytes = try int()
      case "checkpoint_every": checkpointEvery = try int()
      case "threads": threads = try int()
      case "seed":
        guard let number = value.int, number >= 0 else {
          throw TrainingError.badConfiguration(place: place(value), reason: "seed is a whole number ≥ 0")
        }
        seed = UInt64(number)
      default:
        throw TrainingError.badConfiguration(place: place(key), reason: "unknown training option \(key.string ?? "?")")
      }
    }
  }
}
