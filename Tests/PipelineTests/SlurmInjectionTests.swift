import Foundation
import HatcheryCore
import HatcheryTestSupport
import XCTest

@testable import Pipeline

/// Every value of a pipeline file that reaches a generated script, made hostile: the scripts are
/// run for real (with stand-ins for sbatch and hatchery) and must pass each value through as
/// one argument and run nothing of it.
final class SlurmInjectionTests: XCTestCase {
  var folder: String!
  var marker: String { folder + "/pwned" }

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "hatchery-slurm-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: folder)
  }

  /// Payloads that run `touch MARKER` if any shell evaluates them.
  private var payloads: [String] {
    [
      "$(touch \(marker))", "`touch \(marker)`", "'; touch \(marker); '", "\"; touch \(marker); \"",
      "x\ntouch \(marker)\n", "a b\t$HOME",
    ]
  }

  private func yamlQuoted(_ text: String) -> String {
    "\""
      + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
      .replacingOccurrences(of: "\n", with: "\\n").replacingOccurrences(of: "\t", with: "\\t") + "\""
  }

  private func load(_ yaml: String, name: String = "p.yaml") throws -> PipelineFile {
    let path = folder + "/" + name
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    return try PipelineFile.load(path: path)
  }

  private func executable(_ name: String, _ body: String) throws -> String {
    let path = folder + "/bin/" + name
    try FileManager.default.createDirectory(atPath: folder + "/bin", withIntermediateDirectories: true)
    try ("#!/usr/bin/env bash\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    chmod(path, 0o755)
    return path
  }

  private func bash(_ script: String) throws -> Int32 {
    TestSupport.run(
      "/bin/bash", [script],
      environment: [
        "PATH": folder + "/bin:" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"),
        "SLURM_ARRAY_TASK_ID": "0",
      ])
  }

  func testHostileValuesReachCommandsAsWordsAndRunNothing() throws {
    let log = folder + "/argv.log"
    let hatchery = try executable("hatchery stand-in '$(date)", "printf '%s\\0' \"$@\" >> \(log)")
    _ = try executable("sbatch", "echo 1")
    var paths: [String] = []
    for (index, payload) in payloads.enumerated() {
      let path = folder + "/in-\(index)-" + payload.replacingOccurrences(of: "/", with: "_")
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
      paths.append(path)
    }
    let hostile = payloads[0]
    let yaml = """
      version: 1
      name: safe-name
      workspace: \(yamlQuoted(folder + "/ws " + hostile))
      sources:
        - name: web
          paths: [\(paths.map(yamlQuoted).joined(separator: ", "))]
          license: \(yamlQuoted("MIT " + payloads[2]))
          format: \(yamlQuoted("text" + payloads[4]))
      stages:
        ingest: {added: \(yamlQuoted(payloads[1]))}
        dedup: {method: \(yamlQuoted(payloads[3]))}
        tag: {policy: \(yamlQuoted(payloads[4]))}
        tokenizer: {vocab_size: 300, pattern: \(yamlQuoted(payloads[5])), special: \(yamlQuoted(payloads[0]))}
        train: {config: \(yamlQuoted(payloads[2]))}
        sample: {prompt: \(yamlQuoted(payloads[1]))}
      """
    let file = try load(yaml)
    var options = SlurmScripts.Options(tasks: 2, output: folder + "/out", executable: hatchery)
    options.partition = "gpu"
    let scripts = try SlurmScripts.write(file, options: options)
    for script in scripts {
      _ = try bash(script)
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: marker), "a value was run as shell")
    let arguments = try String(contentsOfFile: log, encoding: .utf8).split(
      separator: "\0", omittingEmptySubsequences: false
    ).map(String.init)
    for expected in paths + [
      "MIT " + payloads[2], "text" + payloads[4], payloads[1], payloads[3], payloads[4], payloads[5],
    ] {
      XCTAssertTrue(arguments.contains(expected), "\(expected.debugDescription) did not arrive as one argument")
    }
  }

  func testNamesAndDirectiveValuesThatCannotBeQuotedAreRefused() throws {
    for name in payloads + ["../escape", "a/b", ".hidden", ""] {
      XCTAssertThrowsError(try load("version: 1\nname: \(yamlQuoted(name))\nworkspace: ws\n"), name.debugDescription)
    }
    // Without `name:`, the file's own name is the pipeline's name.
    XCTAssertThrowsError(try load("version: 1\nworkspace: ws\n", name: "evil$(touch x).yaml")) { error in
      guard case .badFile(_, let reason)? = error as? PipelineError else { return XCTFail("\(error)") }
      XCTAssertTrue(reason.hasPrefix("invalid pipeline name"), reason)
    }
    let file = try load("version: 1\nworkspace: ws\n", name: "fine.yaml")
    for (option, value) in [
      ("partition", "gpu\ntouch \(marker)"), ("time", "1:00 --wrap=x"), ("account", "a;b"),
      ("output", folder + "/out\n#SBATCH --x"),
    ] {
      var options = SlurmScripts.Options(
        tasks: 1, output: option == "output" ? value : folder + "/out2", executable: "/bin/true")
      if option == "partition" { options.partition = value }
      if option == "time" { options.time = value }
      if option == "account" { options.account = value }
      XCTAssertThrowsError(try SlurmScripts.write(file, options: options), option)
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: marker))
  }
}
