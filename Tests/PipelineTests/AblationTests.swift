import Foundation
import HatcheryCore
import XCTest

@testable import Pipeline

final class AblationTests: XCTestCase {
  private var folder = ""

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "ablation-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    try """
    version: 1
    workspace: ws
    sources:
      - {name: books, paths: [books]}
    stages:
      ingest: {}
      dedup: {paragraphs: true}
      tokenizer: {vocab_size: 512}
      shard: {val_fraction: 0.1}
      train: {layers: 1, steps: 10, seed: 7}
      report: {}

    """.write(toFile: folder + "/base.yaml", atomically: true, encoding: .utf8)
  }

  override func tearDown() { try? FileManager.default.removeItem(atPath: folder) }

  private func load(_ yaml: String) throws -> AblationFile {
    let path = folder + "/ablation.yaml"
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    return try AblationFile.load(path: path)
  }

  private func error(_ yaml: String) -> PipelineError? {
    do {
      _ = try load(yaml)
      return nil
    } catch let error as PipelineError {
      return error
    } catch {
      XCTFail("\(error)")
      return nil
    }
  }

  private func ablation(variants: String) -> String {
    """
    version: 1
    pipeline: \(folder)/base.yaml
    seeds: 2
    eval: {held: held-out.jsonl}
    variants:
    \(variants)

    """
  }

  func testOverridesMakeEachVariantsDataPipeline() throws {
    let file = try load(
      ablation(
        variants: """
            baseline: {}
            no-dedup: {dedup: off}
            big-vocab: {tokenizer.vocab_size: 2048, shard.val_fraction: 0.2}
            lines: {dedup: {paragraphs: false, verify_threshold: 0.9}}
          """))
    XCTAssertEqual(file.name, "ablation")
    XCTAssertEqual(file.folder, "work-ablation")
    XCTAssertEqual(file.seeds, 2)
    XCTAssertEqual(file.variants.map(\.name), ["baseline", "no-dedup", "big-vocab", "lines"])

    let baseline = try file.pipeline(for: file.variants[0])
    XCTAssertEqual(baseline.name, "ablation-baseline")
    XCTAssertEqual(baseline.workspace, "work-ablation/baseline")
    XCTAssertEqual(
      baseline.stages.map(\.stage), [.ingest, .dedup, .tokenizer, .shard],
      "the data stages only: training is the ablation's")
    XCTAssertEqual(try file.pipeline(for: file.variants[1]).stages.map(\.stage), [.ingest, .tokenizer, .shard])
    let bigVocab = try file.pipeline(for: file.variants[2])
    XCTAssertEqual(bigVocab.stages.first { $0.stage == .tokenizer }?.options.map(\.key), ["vocab_size"])
    XCTAssertEqual(bigVocab.stages.first { $0.stage == .tokenizer }?.options.first?.value, .scalar("2048"))
    XCTAssertEqual(bigVocab.stages.first { $0.stage == .shard }?.options.first?.value, .scalar("0.2"))
    let lines = try file.pipeline(for: file.variants[3])
    XCTAssertEqual(lines.stages.first { $0.stage == .dedup }?.options.map(\.key), ["paragraphs", "verify_threshold"])
    XCTAssertEqual(lines.stages.first { $0.stage == .dedup }?.options.first?.value, .flag(false))
    // Every run: the base train stage without the options the ablation sets (seed, eval text).
    XCTAssertEqual(AblationRunner.trainArguments(file), ["--layers", "1", "--steps", "10"])
  }

  func testUnknownAndForbiddenOverridesAreNamedWithLineAndColumn() {
    let path = folder + "/ablation.yaml"
    XCTAssertEqual(
      error(ablation(variants: "  baseline: {}\n  other: {dedup.treshold: 0.5}")),
      .badFile(
        place: "\(path):7:11",
        reason: "unknown option treshold of stage dedup (options: "
          + "\(PipelineStage.dedup.options.keys.sorted().joined(separator: ", ")))"))
    XCTAssertEqual(
      error(ablation(variants: "  baseline: {}\n  other: {dedupe: off}")),
      .badFile(
        place: "\(path):7:11",
        reason:
          "unknown override dedupe (pipeline, or a stage: ingest, dedup, tag, filter, tokenizer, shard, train, finetune, sample, report)"
      ))
    guard
      case .badFile("\(path):7:11", let trainReason)? = error(
        ablation(variants: "  baseline: {}\n  other: {train.steps: 20}"))
    else { return XCTFail("train override") }
    XCTAssertTrue(
      trainReason.hasPrefix("train is not a data stage; the model and token budget are the base pipeline's train stage")
    )
    XCTAssertEqual(
      error(ablation(variants: "  baseline: {}\n  other: {tokenizer: off}")),
      .badFile(place: "\(path):7:22", reason: "every variant needs its tokenizer stage"))
    XCTAssertEqual(
      error(ablation(variants: "  baseline: {}\n  other: {tokenizer.vocab_size: big}")),
      .badFile(place: "\(path):7:33", reason: "tokenizer.vocab_size is a whole number"))
    guard
      case .badFile(_, let overrideReason)? = error(
        ablation(variants: "  baseline: {}\n  other: {filter.quality.gopher: off}"))
    else { return XCTFail("a three-part override") }
    XCTAssertTrue(overrideReason.contains("an override is STAGE or STAGE.OPTION"), overrideReason)
    XCTAssertEqual(
      error(ablation(variants: "  baseline: {}")),
      .badFile(place: path, reason: "an ablation compares at least two variants"))
    XCTAssertEqual(
      error(ablation(variants: "  baseline: {}\n  runs: {}")),
      .badFile(
        place: "\(path):7:3",
        reason: "runs is the name of the ablation's own folder of runs; name the variant otherwise"))
    XCTAssertEqual(
      error("version: 1\npipeline: \(folder)/base.yaml\neval: {a: b}\nvariants: {a: {}, b: {}}\nseed: 3\n"),
      .badFile(
        place: "\(path):5:1",
        reason:
          "unknown key seed (keys: version, name, folder, pipeline, seeds, eval, eval_bytes, contamination, variants)"))
    XCTAssertEqual(
      error("version: 1\npipeline: \(folder)/base.yaml\nvariants: {a: {}, b: {}}\n"),
      .badFile(place: path, reason: "eval (held-out text to score every variant on) is missing"))
  }

  /// Against scipy.stats.ttest_ind(equal_var=False) and scipy.stats.t.sf.
  func testWelchTestAndStudentTails() throws {
    let first = try XCTUnwrap(AblationStatistics.welch([1, 2, 3], [4, 5, 6]))
    XCTAssertEqual(first.t, -3.6742346141747673, accuracy: 1e-12)
    XCTAssertEqual(first.degreesOfFreedom, 4, accuracy: 1e-12)
    XCTAssertEqual(first.p, 0.021311641128756713, accuracy: 1e-9)
    let second = try XCTUnwrap(AblationStatistics.welch([1.02, 1.05, 1.01], [1.10, 1.16, 1.12]))
    XCTAssertEqual(second.t, -4.685212856658195, accuracy: 1e-9)
    XCTAssertEqual(second.degreesOfFreedom, 3.5278069254984343, accuracy: 1e-9)
    XCTAssertEqual(second.p, 0.012690598843945005, accuracy: 1e-9)
    XCTAssertEqual(AblationStatistics.twoSidedP(t: 2.228, degreesOfFreedom: 10), 0.05001177181711132, accuracy: 1e-10)
    XCTAssertEqual(AblationStatistics.twoSidedP(t: 1, degreesOfFreedom: 1), 0.5, accuracy: 1e-12)
    XCTAssertEqual(AblationStatistics.twoSidedP(t: 0.5, degreesOfFreedom: 3.7), 0.6453356333199318, accuracy: 1e-10)
    XCTAssertEqual(AblationStatistics.twoSidedP(t: 12, degreesOfFreedom: 2.5), 0.0028362150300783244, accuracy: 1e-12)
    XCTAssertEqual(AblationStatistics.incompleteBeta(a: 2.5, b: 0.5, x: 0.3), 0.018927124071945658, accuracy: 1e-12)
    XCTAssertEqual(AblationStatistics.incompleteBeta(a: 0.5, b: 3, x: 0.9), 0.9996750253207289, accuracy: 1e-12)
    XCTAssertNil(AblationStatistics.welch([1], [2, 3]))
    XCTAssertEqual(AblationStatistics.welch([1, 1], [1, 1])?.p, 1)
    XCTAssertEqual(AblationStatistics.welch([2, 2], [1, 1])?.p, 0)
    let (mean, deviation) = AblationStatistics.summary([1, 2, 3, 4])
    XCTAssertEqual(mean, 2.5)
    XCTAssertEqual(deviation, (5.0 / 3).squareRoot(), accuracy: 1e-12)

    XCTAssertEqual(AblationReport.verdict(second, baseline: "a"), "better than a (p = 0.013)")
    XCTAssertEqual(
      AblationReport.verdict(AblationStatistics.welch([1.1, 1.2, 1.0], [1.0, 1.2, 1.1]), baseline: "a"),
      "no difference beyond the seeds' spread (p = 1.000)")
  }
}
