import Foundation
import HatcheryCore
import HatcheryTestSupport
import Ingest
import Logging
import Shards
import Tokenizer
import XCTest

@testable import Training

final class TrainerTests: XCTestCase {
  private var fixture: IngestedWorkspace!
  private var folder: String { fixture.folder }
  private var workspace: Workspace { fixture.workspace }

  override func setUpWithError() throws {
    let files = (0..<20).map { number in
      (
        "d\(number).txt",
        (0..<30).map { "the cat sat on the mat number \($0 % 5) and the dog sat on the log \(number % 3)." }
          .joined(separator: "\n")
      )
    }
    fixture = try IngestedWorkspace("train", files: files)
    _ = try TokenizerStage.run(workspace: workspace, options: TokenizerTrainingOptions(vocabularySize: 320))
    var shardOptions = ShardOptions()
    shardOptions.validationFraction = 0.1
    _ = try ShardStage.run(workspace: workspace, options: shardOptions)
  }

  override func tearDown() { fixture?.remove() }

  private func options(steps: Int) -> TrainOptions {
    var options = TrainOptions()
    options.layers = 2
    options.heads = 2
    options.channels = 32
    options.context = 32
    options.batch = 4
    options.steps = steps
    options.learningRate = 3e-3
    options.warmup = 5
    options.evalEvery = 20
    options.evalBatches = 2
    options.checkpointEvery = 10
    options.threads = 2
    return options
  }

  private func losses(_ run: String) throws -> [Int: String] {
    let text = try String(contentsOfFile: run + "/metrics.jsonl", encoding: .utf8)
    var result: [Int: String] = [:]
    for line in text.split(separator: "\n") {
      let object = try XCTUnwrap(try JSONParser.parse(String(line)).objectValue)
      if case .number(let loss)? = object["loss"], let step = object["step"]?.intValue { result[step] = loss }
    }
    return result
  }

  /// Runs measured above a stale peak (one cached under slower OpenBLAS kernels) gave a
  /// utilisation over 1, and the next run's forecast trapped on an empty range.
  func testAForecastFromRunsAboveThePeakAssumesThePeak() {
    XCTAssertEqual(TrainerForecast.expectedUtilisation([1.8, 1.2]), 1)
    XCTAssertEqual(TrainerForecast.expectedUtilisation([0.3, 0.5]), 0.4, accuracy: 1e-12)
    XCTAssertEqual(TrainerForecast.utilisationRange(1), 0.8...1)
    XCTAssertEqual(TrainerForecast.utilisationRange(0.5).upperBound, 0.6, accuracy: 1e-12)
    let above = TrainerForecast.utilisationRange(1.5)
    XCTAssertEqual(above.lowerBound, above.upperBound)
  }

  func testTheLossFallsAndTheRunIsRecorded() throws {
    let summary = try Trainer.train(workspace: workspace, options: options(steps: 40), log: { _ in })
    let losses = try losses(summary.runDirectory)
    XCTAssertEqual(losses.count, 40)
    let first = try XCTUnwrap(Float(losses[1]!))
    let last = try XCTUnwrap(summary.finalLoss)
    XCTAssertGreaterThan(first, 5, "starts near ln(320) = 5.77")
    XCTAssertLessThan(last, first * 0.6, "a repetitive text is learnt: \(first) → \(last)")
    XCTAssertNotNil(summary.finalValidationLoss)
    let run = try XCTUnwrap(
      try workspace.openStore().trainingRunStatus(id: (summary.runDirectory as NSString).lastPathComponent))
    XCTAssertEqual(run.status, .completed)
    XCTAssertEqual(run.steps, 40)
    for file in ["model.safetensors", "config.json", "optimizer.bin", "tokenizer.json"] {
      XCTAssertTrue(FileManager.default.fileExists(atPath: summary.runDirectory + "/step-00040/" + file), file)
    }
    // Metered: an energy figure with its method, emissions.csv, samples in the store.
    XCTAssertGreaterThan(summary.kWh, 0)
    XCTAssertTrue(summary.energyMethod.contains("CPU:"), summary.energyMethod)
    let csv = try String(contentsOfFile: summary.runDirectory + "/emissions.csv", encoding: .utf8)
    XCTAssertTrue(csv.hasPrefix("timestamp,project_name,run_id,experiment_id,duration,emissions,"), csv)
    XCTAssertGreaterThan(
      try workspace.openStore().energySampleCount(trainingRunID: (summary.runDirectory as NSString).lastPathComponent),
      0)
  }

  /// Stopping after step 10 and resuming gives the same losses, to the last digit, as running
  /// straight through.
  /// Without a validation split the run trains without evaluating; a damaged validation shard
  /// stops it before the first step with the shard's name.
  func testNoValidationSplitTrainsAndADamagedOneIsAnError() throws {
    let manifest = try ShardManifest.load(workspace: workspace)
    let val = try XCTUnwrap(manifest.shards.first { $0.split == "val" })
    let data = try Data(contentsOf: URL(fileURLWithPath: workspace.absolute(val.path)))
    try data.prefix(data.count - 5).write(to: URL(fileURLWithPath: workspace.absolute(val.path)))
    XCTAssertThrowsError(try Trainer.train(workspace: workspace, options: options(steps: 2), log: { _ in })) { error in
      guard case .damaged(val.path, _)? = error as? ShardError else { return XCTFail("\(error)") }
    }

    var shardOptions = ShardOptions()
    shardOptions.validationFraction = 0
    _ = try ShardStage.run(workspace: workspace, options: shardOptions, force: true)
    let summary = try Trainer.train(workspace: workspace, options: options(steps: 2), log: { _ in })
    XCTAssertNil(summary.finalValidationLoss)
  }

  /// Held-out text is scored in bits per byte at every evaluation, beside the validation
  /// split's loss in bits per byte; a seed gives the same run twice, another seed another.
  func testEvalTextIsScoredInBitsPerByteAndASeedRepeatsItsRun() throws {
    let heldOut = folder + "/held-out.jsonl"
    try Data("{\"text\": \"the dog sat on the mat number 3 and the cat sat on the log 1.\"}\n".utf8)
      .write(to: URL(fileURLWithPath: heldOut))
    var options = options(steps: 40)
    options.evalEvery = 10
    options.evalTexts = [heldOut]
    let first = try Trainer.train(workspace: workspace, options: options, log: { _ in })
    let lines = try String(contentsOfFile: first.runDirectory + "/metrics.jsonl", encoding: .utf8).split(
      separator: "\n"
    )
    .map { try XCTUnwrap(try JSONParser.parse(String($0)).objectValue) }
    func number(_ value: JSONValue?) -> Double? {
      if case .number(let text)? = value { return Double(text) } else { return nil }
    }
    let curve = lines.compactMap { number($0["eval_bpb"]?.objectValue?["held-out"]) }
    XCTAssertEqual(curve.count, 4, "steps 10, 20, 30, 40")
    XCTAssertLessThan(curve.last!, curve.first! * 0.8, "the held-out sentence is like the training text: \(curve)")
    XCTAssertEqual(first.finalEvalBitsPerByte.map(\.name), ["held-out"])
    let validationBits = try XCTUnwrap(number(lines.last!["val_bpb"]))
    let validationLoss = try XCTUnwrap(number(lines.last!["val_loss"]))
    // Tokens of this tokenizer stand for one to a few bytes each.
    XCTAssertGreaterThan(validationBits, validationLoss / M_LN2 / 8)
    XCTAssertLessThan(validationBits, validationLoss / M_LN2)

    let again = try Trainer.train(workspace: workspace, options: options, log: { _ in })
    XCTAssertEqual(again.finalEvalBitsPerByte.map(\.bitsPerByte), first.finalEvalBitsPerByte.map(\.bitsPerByte))
    XCTAssertEqual(try losses(again.runDirectory), try losses(first.runDirectory))
    options.seed += 1
    let other = try Trainer.train(workspace: workspace, options: options, log: { _ in })
    XCTAssertNotEqual(other.finalEvalBitsPerByte.map(\.bitsPerByte), first.finalEvalBitsPerByte.map(\.bitsPerByte))

    options.evalTexts = [folder + "/missing"]
    XCTAssertThrowsError(try Trainer.train(workspace: workspace, options: options, log: { _ in })) { error in
      XCTAssertEqual(
        error as? TrainingError,
        .badFile(file: self.folder + "/missing", reason: "no such file or folder (evaluation set missing)"))
    }
  }

  /// The val shards in bits per byte: every window's targets counted once, their bytes those of
  /// the tokens (the end-of-text token none); a model of zero weights pays ln V a token.
  func testValidationShardsAreScoredInBitsPerByte() throws {
    let data = try ShardDataset(workspace: workspace, split: "val")
    let tokenizer = try TokenizerFile.load(path: workspace.absolute(data.manifest.tokenizerPath))
    let vocabulary = data.manifest.vocabularySize
    let model = try GPT(
      config: GPTConfig(vocabularySize: vocabulary, context: 16, layers: 1, heads: 1, channels: 4), batch: 3,
      sequence: 16, threads: 1)
    let tally = try TextEvaluator(model: model, tokenizer: tokenizer).evaluate(shards: data)
    var tokens = 0
    var bytes = 0
    try data.forEachSequentialWindow(length: 17) { window in
      for target in window.dropFirst() {
        tokens += 1
        bytes += target == data.manifest.endOfText ? 0 : tokenizer.tokens[Int(target)].count
      }
      return true
    }
    XCTAssertGreaterThan(tokens, 48, "more than one batch")
    XCTAssertEqual(tally.tokens, tokens)
    XCTAssertEqual(tally.bytes, bytes)
    XCTAssertEqual(tally.nats, Double(tokens) * log(Double(vocabulary)), accuracy: 1e-3 * Double(tokens))
    XCTAssertEqual(try TextEvaluator(model: model, tokenizer: tokenizer).evaluate(shards: data, batches: 1).tokens, 48)
  }

  func testResumeIsBitIdentical() throws {
    let straight = try Trainer.train(workspace: workspace, options: options(steps: 20), log: { _ in })
    // A run killed after its step-10 checkpoint: the same run folder without what came later.
    let interrupted = folder + "/interrupted"
    try FileManager.default.copyItem(atPath: straight.runDirectory, toPath: interrupted)
    try FileManager.default.removeItem(atPath: interrupted + "/step-00020")
    let resumed = try Trainer.train(
      workspace: workspace, options: options(steps: 20), resume: interrupted, log: { _ in })
    XCTAssertEqual(resumed.steps, 20)
    XCTAssertEqual(try losses(interrupted), try losses(straight.runDirectory))
    let a = try Data(contentsOf: URL(fileURLWithPath: straight.runDirectory + "/step-00020/model.safetensors"))
    let b = try Data(contentsOf: URL(fileURLWithPath: interrupted + "/step-00020/model.safetensors"))
    XCTAssertEqual(a, b, "the same weights")
  }

  func testFineTuningFromACheckpointThenSampling() throws {
    let pretrained = try Trainer.train(workspace: workspace, options: options(steps: 10), log: { _ in })
    let lines = (0..<25).map { number in
      number % 2 == 0
        ? #"{"prompt": "where did the cat sit?", "response": "on the mat."}"#
        : #"{"messages": [{"role": "user", "content": "where did the dog sit?"}, {"role": "assistant", "content": "on the log."}]}"#
    }
    try lines.joined(separator: "\n").write(toFile: folder + "/sft.jsonl", atomically: false, encoding: .utf8)
    var tuning = options(steps: 80)
    tuning.learningRate = 3e-3
    tuning.evalEvery = 40
    let tuned = try FineTuner.finetune(
      workspace: workspace, from: pretrained.runDirectory + "/step-00010", data: folder + "/sft.jsonl", options: tuning,
      log: { _ in })
    let losses = try losses(tuned.runDirectory)
    XCTAssertLessThan(try XCTUnwrap(tuned.finalLoss), try XCTUnwrap(Float(losses[1]!)) * 0.5, "the answers are learnt")
    XCTAssertNotNil(tuned.finalValidationLoss, "25 examples: one in twenty held out")
    let checkpoint = tuned.runDirectory + "/step-00080"
    let base = try Checkpoint.config(of: pretrained.runDirectory + "/step-00010").vocabularySize
    XCTAssertEqual(try Checkpoint.config(of: checkpoint).vocabularySize, base + 4, "the four chat tokens are added")
    let config =
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: checkpoint + "/config.json")))
      as! [String: Any]
    XCTAssertEqual(config["eos_token_id"] as? Int, base - 1, "still <|endoftext|>, not the last of the chat tokens")
    let answer = try Sampler.sample(
      checkpoint: checkpoint, prompt: "where did the cat sit?", tokens: 12, temperature: 0, topK: 1, seed: 1,
      chat: true, threads: 1)
    XCTAssertTrue(answer.contains("on the"), answer)
    XCTAssertEqual(
      try workspace.openStore().trainingRunStatus(id: (tuned.runDirectory as NSString).lastPathComponent)?.status,
      .completed)
  }

  func testSafetensorsRoundTripInGPT2Names() throws {
    let config = GPTConfig(vocabularySize: 17, context: 8, layers: 1, heads: 2, channels: 4)
    let model = try GPT(config: config, batch: 1, sequence: 8, threads: 1)
    model.initializeParameters(seed: 9)
    let optimizer = AdamW(model: model)
    try Checkpoint.save(
      model: model, optimizer: optimizer, step: 3, randomState: 77, endOfText: 16, to: folder + "/ckpt")
    let tensors = try Safetensors.read(path: folder + "/ckpt/model.safetensors")
    XCTAssertEqual(tensors["transformer.h.0.attn.c_attn.weight"]?.shape, [4, 12], "Conv1D orientation (in, out)")
    XCTAssertEqual(tensors["transformer.wte.weight"]?.shape, [17, 4])
    XCTAssertNil(tensors["lm_head.weight"], "tied to the token embedding")
    let copy = try GPT(config: config, batch: 1, sequence: 8, threads: 1)
    let restored = try Checkpoint.load(from: folder + "/ckpt", model: copy, optimizer: AdamW(model: copy))
    XCTAssertEqual(restored.step, 3)
    XCTAssertEqual(restored.randomState, 77)
    XCTAssertEqual(Array(copy.parameters), Array(model.parameters))
    let json =
      try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: folder + "/ckpt/config.json")))
      as! [String: Any]
    XCTAssertEqual(json["model_type"] as? String, "gpt2")
    XCTAssertEqual(json["n_embd"] as? Int, 4)
    XCTAssertEqual(json["eos_token_id"] as? Int, 16)
  }

  func testOptionsFromAYAMLFileAndUnknownKeysRefused() throws {
    try "layers: 3\nlr: 0.001\ndecay_all: true\nseed: 9\n".write(
      toFile: folder + "/t.yaml", atomically: false, encoding: .utf8)
    var options = TrainOptions()
    try options.apply(configurationAt: folder + "/t.yaml")
    XCTAssertEqual(options.layers, 3)
    XCTAssertEqual(options.learningRate, 0.001)
    XCTAssertTrue(options.decayAll)
    XCTAssertEqual(options.seed, 9)
    try "layers: 3\nlayres: 4\n".write(toFile: folder + "/bad.yaml", atomically: false, encoding: .utf8)
    XCTAssertThrowsError(try options.apply(configurationAt: folder + "/bad.yaml")) { error in
      XCTAssertEqual(
        error as? TrainingError,
        .badConfiguration(place: self.folder + "/bad.yaml:2:1", reason: "unknown training option layres"))
    }
    // A preset is applied first wherever it is written; the file's own options override it.
    try "steps: 40\npreset: cpu-small\n".write(toFile: folder + "/preset.yaml", atomically: false, encoding: .utf8)
    var preset = TrainOptions()
    try preset.apply(configurationAt: folder + "/preset.yaml")
    XCTAssertEqual(
      [preset.layers, preset.channels, preset.context, preset.batch, preset.steps, preset.warmup],
      [4, 128, 128, 16, 40, 50])
    try "preset: gpu-huge\n".write(toFile: folder + "/preset.yaml", atomically: false, encoding: .utf8)
    XCTAssertThrowsError(try preset.apply(configurationAt: folder + "/preset.yaml")) { error in
      guard case .badConfiguration(let place, let reason)? = error as? TrainingError else { return XCTFail("\(error)") }
      XCTAssertEqual(place, self.folder + "/preset.yaml:1:9")
      XCTAssertTrue(reason.hasPrefix("preset is one of cpu-tiny, cpu-small, cpu-medium"), reason)
    }
  }

  func testLearningRateWarmsUpThenDecays() {
    var options = TrainOptions()
    options.steps = 100
    options.warmup = 10
    options.learningRate = 1e-3
    XCTAssertEqual(options.learningRate(at: 0), 1e-4, accuracy: 1e-9)
    XCTAssertEqual(options.learningRate(at: 9), 1e-3, accuracy: 1e-9)
    XCTAssertEqual(options.learningRate(at: 10), 1e-3, accuracy: 1e-9)
    XCTAssertEqual(options.learningRate(at: 99), 1e-4, accuracy: 1e-9)
    XCTAssertLessThan(options.learningRate(at: 60), options.learningRate(at: 40))
  }
}
