import Classifiers
import Foundation
import HatcheryCore
import Yams

/// A fastText classifier in the filter stage (`classifiers:` in the filter configuration): it
/// scores every document with the probability of `label` (the whole text, its newlines read as
/// spaces — DCLM's and Dolma's use), the scores are kept per part, and with action `drop` a
/// document scoring below `threshold` is dropped (reason `classifier_<name>`), or, with
/// `keep_top_fraction`, every document outside the best-scoring fraction of those the other
/// rules kept (DCLM keeps its classifier's top 10%).
public struct ClassifierFilter: Sendable {
  public enum Action: String, Sendable {
    case drop, score
  }

  public let name: String
  public let path: String
  public let model: FastTextModel
  public let label: String
  public let labelIndex: Int
  public let threshold: Float
  public let action: Action
  /// Instead of a threshold: keep the best-scoring fraction of the documents no other filter
  /// rule dropped, decided once every part is scored (the run's end, or the merge).
  public let keepTopFraction: Double?

  public init(
    name: String, path: String, model: FastTextModel, label: String? = nil, threshold: Float = 0.5,
    action: Action = .drop,
    keepTopFraction: Double? = nil
  ) throws {
    self.name = name
    self.path = path
    self.model = model
    let labels = model.labels
    let wanted = label.map { $0.hasPrefix("__label__") ? $0 : "__label__" + $0 } ?? labels[0]
    guard let index = labels.firstIndex(of: wanted) else {
      throw FilterError.badFile(
        path: path,
        reason:
          "the model has no label '\(wanted)' (it has \(labels.prefix(10).joined(separator: ", "))\(labels.count > 10 ? ", …" : ""))"
      )
    }
    self.label = wanted
    labelIndex = index
    self.threshold = threshold
    self.action = action
    self.keepTopFraction = keepTopFraction
  }

  /// The rule a drop names (`classifier_<name>`).
  public var rule: String { "classifier_" + name }

  /// What the configuration hash keeps of it.
  var fingerprint: String {
    "classifier:\(name):\(label):" + (keepTopFraction.map { "top \($0)" } ?? "\(threshold)") + ":\(action.rawValue)"
  }

  /// One entry of `classifiers:`: `{name, model, label, threshold or keep_top_fraction, action}`.
  static func parse(_ node: Node, place: (Node) -> String, folder: String) throws -> ClassifierFilter {
    guard let settings = node.mapping else {
      throw FilterError.badConfiguration(
        place: place(node), reason: "a classifier is a mapping of name, model, label, threshold, action")
    }
    var name: String?
    var path: String?
    var label: String?
    var threshold: Float?
    var action = Action.drop
    var keepTopFraction: Double?
    for (key, value) in settings {
      switch key.string ?? "" {
      case "name":
        guard let text = value.string, !text.isEmpty,
          text.utf8.allSatisfy({ $0 == 0x5F || $0 == 0x2D || (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) })
        else {
          throw FilterError.badConfiguration(
            place: place(value), reason: "a classifier's name is lower-case letters, digits, '_' and '-'")
        }
        name = text
      case "model":
        guard let text = value.string else {
          throw FilterError.badConfiguration(place: place(value), reason: "expected a model file (.bin or .ftz)")
        }
        path = text.hasPrefix("/") ? text : folder + "/" + text
      case "label":
        guard let text = value.string, !text.isEmpty else {
          throw FilterError.badConfiguration(place: place(value), reason: "expected a label of the model")
        }
        label = text
      case "threshold":
        guard let number = value.float, (0...1).contains(number) else {
          throw FilterError.badConfiguration(place: place(value), reason: "threshold is a probability from 0 to 1")
        }
        threshold = Float(number)
      case "action":
        guard let text = value.string, let parsed = Action(rawValue: text) else {
          throw FilterError.badConfiguration(place: place(value), reason: "action is drop or score")
        }
        action = parsed
      case "keep_top_fraction":
        guard let number = value.float, number > 0, number <= 1 else {
          throw FilterError.badConfiguration(
            place: place(value), reason: "keep_top_fraction is a fraction above 0 and at most 1")
        }
        keepTopFraction = number
      default:
        throw FilterError.badConfiguration(
          place: place(key),
          reason:
            "unknown key '\(key.string ?? "?")' (expected name, model, label, threshold, keep_top_fraction, action)"
        )
      }
    }
    guard let name else { throw FilterError.badConfiguration(place: place(node), reason: "a classifier needs a name") }
    if keepTopFraction != nil {
      guard threshold == nil else {
        throw FilterError.badConfiguration(
          place: place(node), reason: "classifier '\(name)': give threshold or keep_top_fraction, not both")
      }
      guard action == .drop else {
        throw FilterError.badConfiguration(
          place: place(node), reason: "classifier '\(name)': keep_top_fraction drops; action score records only")
      }
    }
    guard let path else {
      throw FilterError.badConfiguration(place: place(node), reason: "classifier '\(name)' needs a model file")
    }
    let model: FastTextModel
    do {
      model = try FastTextModel(path: path)
    } catch {
      throw FilterError.badConfiguration(place: place(node), reason: "classifier '\(name)': \(error)")
    }
    return try ClassifierFilter(
      name: name, path: path, model: model, label: label, threshold: threshold ?? 0.5, action: action,
      keepTopFraction: keepTopFraction)
  }
}
