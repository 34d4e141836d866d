import Filters
import Foundation
import HatcheryCore
import Tokenizer
import Training

/// The training runs' command lines, seeds and fingerprints.
extension AblationRunner {
  /// The base pipeline's train options as `hatchery train` flags, without those the ablation
  /// sets itself.
  static func trainArguments(_ file: AblationFile) -> [String] {
    let own: Set<String> = ["seed", "eval_text", "eval_text_bytes"]
    return PipelineRunner.arguments(file.trainOptions.filter { !own.contains($0.key) }, stage: .train)
  }

  static func seed(_ file: AblationFile, index: Int) -> UInt64 {
    let base =
      file.trainOptions.first { $0.key == "seed" }.flatMap { option -> UInt64? in
        if case .scalar(let text) = option.value { return UInt64(text) }
        return nil
      } ?? TrainOptions().seed
    return base + UInt64(index)
  }

  /// `hatchery train`'s arguments for one seed (after `-w` and `--run-name`).
  static func runArguments(_ file: AblationFile, seed: UInt64) -> [String] {
    let evalTexts =
      file.evalSets.flatMap { ["--eval-text", $0.path] }
      + (file.evalBytes.map { ["--eval-text-bytes", String($0)] } ?? [])
    return trainArguments(file) + ["--seed", String(seed)] + evalTexts
  }

  /// What a run's result depends on: the tool, the variant's data, the train options and seed,
  /// the evaluation text.
  static func runFingerprint(_ file: AblationFile, seed: UInt64, dataFingerprint: String, sets: [EvaluationSet])
    -> String
  {
    var hasher = SHA256Hasher()
    hasher.update(
      "hatchery-ablation-run-v1\0\(HatcheryVersion.current)\0\(dataFingerprint)\0\(runArguments(file, seed: seed).joined(separator: "\0"))\0"
    )
    for set in sets {
      hasher.update("\(set.name)\0")
      for document in set.documents {
        hasher.update(document.source + "\0")
        document.text.withUnsafeBytes { hasher.update($0) }
      }
    }
    return hasher.finalize().hex
  }
}
