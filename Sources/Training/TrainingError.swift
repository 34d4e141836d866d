import HatcheryCore

/// Why a model could not be trained, fine-tuned, evaluated, sampled or resumed.
public enum TrainingError: HatcheryFailure, Equatable {
  /// Options or a model shape that cannot train.
  case invalidOption(String)
  /// A training configuration file's value; `place` is file, line and column.
  case badConfiguration(place: String, reason: String)
  /// A checkpoint, safetensors, optimizer state, run configuration, evaluation or fine-tuning
  /// file that is missing or not what it should be; `file` may carry a line.
  case badFile(file: String, reason: String)
  /// The loss or the gradient norm stopped being finite at `step`.
  case diverged(step: Int, quantity: String, value: Float)
  case runExists(folder: String)
  case noCheckpoint(run: String)
  /// A run resumed with another model shape or on shards of another tokenizer.
  case notResumable(run: String, reason: String)
  /// A tokenizer and a model that do not fit together.
  case vocabularyMismatch(String)
  case tokenOutsideVocabulary(source: String, id: UInt32, vocabularySize: Int)
  case tooFewTokens(source: String, tokens: Int, windows: Int, length: Int)
  case blasUnavailable(reason: String)

  public var line: String {
    switch self {
    case .invalidOption(let text): return text
    case .badConfiguration(let place, let reason): return "\(place): \(reason)"
    case .badFile(let file, let reason): return "\(file): \(reason)"
    case .diverged(let step, let quantity, let value):
      return quantity == "loss"
        ? "step \(step): the loss is \(value); training stopped, the last good checkpoint is kept (try a lower --lr)"
        : "step \(step): the \(quantity) is \(value); training stopped, the last good checkpoint is kept"
    case .runExists(let folder): return "\(folder) exists already: choose another --run-name, or --resume it"
    case .noCheckpoint(let run): return "\(run): no complete checkpoint to resume from"
    case .notResumable(let run, let reason): return "\(run): \(reason)"
    case .vocabularyMismatch(let text): return text
    case .tokenOutsideVocabulary(let source, let id, let size):
      return "\(source): token \(id) is outside the vocabulary (\(size))"
    case .tooFewTokens(let source, let tokens, let windows, let length):
      return "\(source): \(tokens) tokens, fewer than \(windows) windows of \(length)"
    case .blasUnavailable(let reason):
      return "OpenBLAS is needed to train and could not be opened (\(reason)); install libopenblas0"
    }
  }
}
