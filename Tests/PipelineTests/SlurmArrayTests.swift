import Foundation
import HatcheryCore
import HatcheryTestSupport
import XCTest

@testable import Pipeline

/// Job arrays past the cluster's MaxArraySize, throttled arrays and retried commands, checked by
/// running the generated scripts with stand-ins for sbatch and hatchery.
final class SlurmArrayTests: XCTestCase {
  var folder: String!

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "hatchery-slurm-arrays-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder + "/in", withIntermediateDirectories: true)
    try FileManager.default.createDirectory(atPath: folder + "/bin", withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: folder)
  }

  private func pipeline() throws -> PipelineFile {
    let path = folder + "/p.yaml"
    try
      "version: 1\nname: big\nworkspace: \(folder!)/ws\nsources:\n  - name: web\n    paths: [\(folder!)/in]\nstages:\n  ingest: {}\n  tag: {}\n"
      .write(toFile: path, atomically: true, encoding: .utf8)
    return try PipelineFile.load(path: path)
  }

  /// A stand-in hatchery that logs its arguments and fails its first `failures` runs.
  private func standIn(failures: Int) throws -> String {
    let path = folder + "/bin/hatchery"
    try """
    #!/usr/bin/env bash
    count=$(cat \(folder!)/runs 2>/dev/null || echo 0); echo $((count + 1)) > \(folder!)/runs
    echo "$*" >> \(folder!)/argv
    [ "$count" -ge \(failures) ]
    """.write(toFile: path, atomically: true, encoding: .utf8)
    chmod(path, 0o755)
    return path
  }

  private func run(_ script: String, _ environment: [String: String]) throws -> Int32 {
    TestSupport.run("/bin/bash", [script], environment: environment)
  }

  func testTasksPastTheMaximumArraySizeGoInSeveralThrottledArrays() throws {
    var options = SlurmScripts.Options(tasks: 5, output: folder + "/out", executable: try standIn(failures: 0))
    options.maximumArraySize = 2
    options.arrayThrottle = 1
    let paths = try SlurmScripts.write(try pipeline(), options: options)
    let ingest = try XCTUnwrap(paths.first { $0.hasSuffix("ingest-web.sbatch") })
    XCTAssertFalse(
      try String(contentsOfFile: ingest, encoding: .utf8).contains("#SBATCH --array"),
      "the ranges are on the sbatch lines")
    let submit = try String(contentsOfFile: folder + "/out/submit.sh", encoding: .utf8)
    for (index, (offset, range)) in [(0, "0-1"), (2, "0-1"), (4, "0-0")].enumerated() {
      XCTAssertTrue(
        submit.contains(
          "job_ingest_web_\(index)=$(sbatch --parsable --dependency=afterok:$job_init --array=\(range)%1 --export=ALL,HATCHERY_TASK_OFFSET=\(offset) 02-ingest-web.sbatch)"
        ),
        submit)
    }
    XCTAssertTrue(
      submit.contains(
        "--dependency=afterok:$job_ingest_web_0:$job_ingest_web_1:$job_ingest_web_2 03-ingest-web-merge.sbatch"), submit
    )
    XCTAssertTrue(
      submit.contains(
        "job_tag_0=$(sbatch --parsable --dependency=afterok:$job_ingest_web_merge --array=0-1%1 --export=ALL,HATCHERY_TASK_OFFSET=0 04-tag.sbatch)"
      ),
      submit)
    // The last array's only task is task 4 of 5.
    XCTAssertEqual(try run(ingest, ["HATCHERY_TASK_OFFSET": "4", "SLURM_ARRAY_TASK_ID": "0"]), 0)
    XCTAssertTrue(try String(contentsOfFile: folder + "/argv", encoding: .utf8).contains("--task 4 --tasks 5"))
    // Within the limit, one array whose range stands in the script.
    options.maximumArraySize = 1001
    options.output = folder + "/out-one"
    let one = try SlurmScripts.write(try pipeline(), options: options)
    XCTAssertTrue(
      try String(contentsOfFile: one.first { $0.hasSuffix("ingest-web.sbatch") }!, encoding: .utf8).contains(
        "#SBATCH --array=0-4%1"))
  }

  func testAFailedCommandIsRetriedInItsJobUpToTheLimit() throws {
    var options = SlurmScripts.Options(tasks: 1, output: folder + "/out", executable: try standIn(failures: 2))
    options.retries = 2
    let tag = try XCTUnwrap(
      try SlurmScripts.write(try pipeline(), options: options).first { $0.hasSuffix("tag.sbatch") })
    // The retry waits 10 s between attempts; the test lets it wait no longer than it must.
    try String(contentsOfFile: tag, encoding: .utf8).replacingOccurrences(of: "sleep 10", with: "sleep 0")
      .write(toFile: tag, atomically: true, encoding: .utf8)
    XCTAssertEqual(try run(tag, [:]), 0, "two failures, two retries")
    XCTAssertEqual(try String(contentsOfFile: folder + "/runs", encoding: .utf8), "3\n")
    try "0\n".write(toFile: folder + "/runs", atomically: true, encoding: .utf8)
    options.retries = 1
    options.output = folder + "/out-once"
    let once = try XCTUnwrap(
      try SlurmScripts.write(try pipeline(), options: options).first { $0.hasSuffix("tag.sbatch") })
    try String(contentsOfFile: once, encoding: .utf8).replacingOccurrences(of: "sleep 10", with: "sleep 0")
      .write(toFile: once, atomically: true, encoding: .utf8)
    XCTAssertNotEqual(try run(once, [:]), 0, "two failures, one retry: the job fails")
  }
}
