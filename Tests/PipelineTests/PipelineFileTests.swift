import Foundation
import HatcheryCore
import XCTest

@testable import Pipeline

final class PipelineFileTests: XCTestCase {
  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  private func load(_ yaml: String) throws -> PipelineFile {
    let path = NSTemporaryDirectory() + "pipeline-\(UUID().uuidString).yaml"
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try PipelineFile.load(path: path)
  }

  /// Where in the file (":line:column", or "" for the file) and why `yaml` is refused.
  private func error(_ yaml: String) -> (at: String, reason: String)? {
    do {
      _ = try load(yaml)
      return nil
    } catch let PipelineError.badFile(place, reason) {
      return (place.firstIndex(of: ":").map { String(place[$0...]) } ?? "", reason)
    } catch {
      XCTFail("\(error)")
      return nil
    }
  }

  func testShippedPipelinesLoad() throws {
    let folder = Self.repository.appendingPathComponent("pipelines").path
    let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter {
      $0.hasSuffix(".yaml") && !$0.hasPrefix("policy-")
    }
    XCTAssertEqual(Set(files), ["quickstart.yaml", "wikipedia-en.yaml"])
    for file in files {
      let pipeline = try PipelineFile.load(path: folder + "/" + file)
      XCTAssertFalse(pipeline.stages.isEmpty, file)
    }
    let quickstart = try PipelineFile.load(path: folder + "/quickstart.yaml")
    XCTAssertEqual(
      quickstart.stages.map(\.stage), [.ingest, .dedup, .tag, .tokenizer, .shard, .train, .finetune, .sample, .report])
    XCTAssertEqual(quickstart.sources.map(\.name), ["examples", "system-docs", "common-licenses"])
  }

  /// A stage's pipeline options are read from its command's option group: names in snake case,
  /// kinds from the declared types, files and required options as the group marks them.
  func testStageOptionsComeFromTheirCommandsOptionGroup() {
    XCTAssertEqual(
      PipelineStage.tag.options,
      ["policy": .file, "references": .files, "threads": .integer, "scope": .boolean, "scope_depth": .integer])
    XCTAssertEqual(PipelineStage.tokenizer.requiredOptions, ["vocab_size"])
    XCTAssertEqual(PipelineStage.tokenizer.options["min_frequency"], .integer)
    XCTAssertEqual(PipelineStage.tokenizer.options["pattern"], .string, "an enum is written as its name")
    XCTAssertEqual(PipelineStage.ingest.options["reject_invalid_utf8"], .boolean)
    XCTAssertEqual(PipelineStage.ingest.options["level"], .integer, "an Int32")
    XCTAssertEqual(PipelineStage.dedup.options["seed"], .integer, "a UInt64")
    XCTAssertEqual(PipelineStage.shard.options["val_fraction"], .number)
    XCTAssertEqual(PipelineStage.filter.options, ["config": .file, "threads": .integer])
    XCTAssertEqual(PipelineStage.train.options["lr"], .number, "an optional Float")
    XCTAssertEqual(PipelineStage.train.options["config"], .file)
    XCTAssertEqual(PipelineStage.train.options["carbon_intensity"], .number, "from the nested energy group")
    XCTAssertEqual(PipelineStage.finetune.requiredOptions, ["data"])
    XCTAssertEqual(PipelineStage.sample.options["chat_prompt"], .string, "the runner's own option")
    for stage in PipelineStage.allCases {
      for option in ["task", "force", "resume", "from", "checkpoint", "workspace"] {
        XCTAssertNil(stage.options[option], "\(stage): the runner sets \(option)")
      }
    }
  }

  func testOptionsBecomeCommandLineArguments() throws {
    let pipeline = try load(
      """
      version: 1
      workspace: w
      stages:
        tokenizer: {vocab_size: 512, min_frequency: 2}
        tag: {references: [a, b]}
        dedup: {paragraphs: true, case_fold: false, verify_threshold: 0.75}
      """)
    XCTAssertEqual(pipeline.stages.map(\.stage), [.dedup, .tag, .tokenizer], "stages run in the fixed order")
    let arguments = pipeline.stages.map { PipelineRunner.arguments($0.options, stage: $0.stage) }
    XCTAssertEqual(arguments[0], ["--paragraphs", "--verify-threshold", "0.75"])
    XCTAssertEqual(arguments[1], ["--references", "a", "--references", "b"])
    XCTAssertEqual(arguments[2], ["--vocab-size", "512", "--min-frequency", "2"])
  }

  func testMistakesNameTheirLineAndColumn() {
    func check(_ yaml: String, _ at: String, _ reason: String, file: StaticString = #filePath, line: UInt = #line) {
      let found = error(yaml)
      XCTAssertEqual(found?.at, at, file: file, line: line)
      XCTAssertTrue(found?.reason.hasPrefix(reason) ?? false, "\(String(describing: found))", file: file, line: line)
    }
    check(
      "version: 1\nworkspace: w\nstagse: {}\n", ":3:1",
      "unknown key stagse (keys: version, name, workspace, sources, stages)")
    check("version: 1\nworkspace: w\nstages:\n  trian: {}\n", ":4:3", "unknown stage trian")
    check("version: 1\nworkspace: w\nstages:\n  train: {steps: many}\n", ":4:18", "train.steps is a whole number")
    check("version: 1\nworkspace: w\nstages:\n  tokenizer: {}\n", ":4:14", "stage tokenizer needs vocab_size")
    check("version: 2\nworkspace: w\n", ":1:10", "version is 1")
    check("workspace: w\n", "", "version: 1 is missing")
    check(
      "version: 1\nworkspace: w\nsources:\n  - {name: a, paths: [x], licence: MIT}\nstages: {ingest: {}}\n", ":4:27",
      "unknown source key licence")
  }
}
