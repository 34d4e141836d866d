import Foundation
import GRDB
import HatcheryCore
import XCTest

/// `hatchery run` end to end on the repository's sample set (small: vocab 512, a tiny model, a
/// few steps): an uninterrupted run, and a run stopped by Ctrl-C in the middle of pre-training
/// and run again, must end with the same documents, shards and weights.
final class PipelineRunTests: XCTestCase {
  var folder: String!

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "hatchery-run-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: folder)
  }

  /// The repository's sample set through the data stages (parts small enough that every task
  /// of three has work), then whatever `more` adds: sources after `sources:`, stages at the end.
  private func samplePipeline(workspace: String, moreSources: String = "", moreStages: String = "") -> String {
    let repository = CommandLineTests.repository.path
    return """
      version: 1
      workspace: \(workspace)
      sources:
        - name: examples
          paths: [\(repository)/examples/corpus, \(repository)/examples/web]
          license: CC0-1.0
      \(moreSources)
      stages:
        ingest: {part_bytes: 1500, added: "2026-01-01T00:00:00Z", threads: 1}
        dedup: {paragraphs: true, threads: 1}
        tag: {policy: \(repository)/pipelines/policy-permissive-only.yaml, threads: 1}
        tokenizer: {vocab_size: 512, threads: 1}
        shard: {val_fraction: 0.2, threads: 1}
      \(moreStages)

      """
  }

  /// The sample set through every stage to a tiny fine-tuned model; one source is missing.
  private func pipeline(workspace: String) -> String {
    let repository = CommandLineTests.repository.path
    return samplePipeline(
      workspace: workspace,
      moreSources: """
          - name: absent
            paths: [\(folder!)/no-such-folder]
            optional: true
        """,
      moreStages: """
          train: {layers: 1, heads: 2, dim: 32, context: 32, batch: 4, steps: 240, checkpoint_every: 10, eval_every: 0, threads: 1}
          finetune: {data: \(repository)/examples/sft.jsonl, steps: 5, batch: 2, context: 32, eval_every: 0, threads: 1}
        """)
  }

  /// Starts `hatchery run FILE`, output to a file.
  private func start(_ file: String, log: String) throws -> Process {
    FileManager.default.createFile(atPath: log, contents: nil)
    let process = Process()
    process.executableURL = CommandLineTests.executable
    process.arguments = ["run", file]
    process.environment = ProcessInfo.processInfo.environment.merging(["XDG_CACHE_HOME": folder + "/cache"]) { $1 }
    let handle = FileHandle(forWritingAtPath: log)!
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    return process
  }

  private func runToEnd(_ file: String, log: String) throws -> Int32 {
    let process = try start(file, log: log)
    process.waitUntilExit()
    return process.terminationStatus
  }

  private func read(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

  /// What the pipeline produced: every part file, the shards, the weights of the pre-trained and
  /// fine-tuned models at every checkpoint. Run folders are named by the step's fingerprint,
  /// which includes the workspace's path, so they are compared by stage.
  private func outputs(_ workspace: String) throws -> [String: Data] {
    var result: [String: Data] = [:]
    let files = FileManager.default.enumerator(atPath: workspace)!.compactMap { $0 as? String }
    for path in files
    where path.hasSuffix(".jsonl.zst") || path.hasSuffix(".tok.zst") || path.hasSuffix("model.safetensors") {
      var key = path.split(separator: "/").map(String.init)
      if key.first == "runs" { key[1] = key[1].contains("-train-") ? "train" : "finetune" }
      result[key.joined(separator: "/")] = try read(workspace + "/" + path)
    }
    return result
  }

  /// Ctrl-C as a terminal sends it: to the process and to the step it is running.
  private func interrupt(_ process: Process) {
    let parent = process.processIdentifier
    let children = ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap(Int32.init).filter
    { pid in
      guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
      else { return false }
      let fields = stat[stat.index(after: close)...].split(separator: " ")
      return fields.count > 1 && Int32(fields[1]) == parent
    }
    kill(parent, SIGINT)
    for child in children { kill(child, SIGINT) }
  }

  func testAnInterruptedRunResumesToTheSameOutputs() throws {
    let straight = folder + "/straight"
    let interrupted = folder + "/interrupted"
    for workspace in [straight, interrupted] {
      try FileManager.default.createDirectory(atPath: workspace + "-file", withIntermediateDirectories: true)
      try pipeline(workspace: workspace).write(
        toFile: workspace + "-file/sample.yaml", atomically: true, encoding: .utf8)
    }

    let straightStatus = try runToEnd(straight + "-file/sample.yaml", log: folder + "/straight.log")
    XCTAssertEqual(straightStatus, 0, (try? String(contentsOfFile: folder + "/straight.log", encoding: .utf8)) ?? "")

    // Ctrl-C once pre-training has written a checkpoint and before it ends.
    let process = try start(interrupted + "-file/sample.yaml", log: folder + "/first.log")
    let deadline = Date().addingTimeInterval(300)
    var sent = false
    while process.isRunning && Date() < deadline {
      let runs = (try? FileManager.default.contentsOfDirectory(atPath: interrupted + "/runs")) ?? []
      if let run = runs.first(where: { $0.contains("-train-") }),
        FileManager.default.fileExists(atPath: interrupted + "/runs/\(run)/step-00020/optimizer.bin")
      {
        interrupt(process)
        sent = true
        break
      }
      usleep(5_000)
    }
    process.waitUntilExit()
    let first = try String(contentsOfFile: folder + "/first.log", encoding: .utf8)
    XCTAssertTrue(sent, "pre-training never reached its first checkpoints: \(first)")
    XCTAssertEqual(process.terminationStatus, 130, first)
    XCTAssertTrue(first.contains("interrupted during train"), first)

    XCTAssertEqual(try runToEnd(interrupted + "-file/sample.yaml", log: folder + "/second.log"), 0)
    let second = try String(contentsOfFile: folder + "/second.log", encoding: .utf8)
    XCTAssertTrue(second.contains("ingest:examples: up to date"), second)
    XCTAssertTrue(second.contains("skipping missing"), second)
    XCTAssertTrue(second.contains("from its newest checkpoint"), second)

    let expected = try outputs(straight)
    let resumed = try outputs(interrupted)
    XCTAssertEqual(Set(resumed.keys), Set(expected.keys))
    XCTAssertTrue(
      expected.keys.contains { $0.hasSuffix(".tok.zst") } && expected.keys.contains { $0.hasPrefix("runs/finetune/") })
    for (path, data) in expected { XCTAssertEqual(resumed[path], data, "\(path) differs after the resumed run") }

    // A third run has nothing to do.
    XCTAssertEqual(try runToEnd(interrupted + "-file/sample.yaml", log: folder + "/third.log"), 0)
    let third = try String(contentsOfFile: folder + "/third.log", encoding: .utf8)
    XCTAssertTrue(third.contains("8 steps, 0 run, 7 up to date"), third)
  }

  /// The same pipeline run by one `hatchery run` in `one/ws`, and its scripts for `--tasks 3`
  /// in `array/slurm` (for `array/ws`).
  private func oneProcessAndSlurmScripts(tasks: Int, extra: [String] = []) throws -> [String] {
    for name in ["one", "array"] {
      try FileManager.default.createDirectory(atPath: folder + "/" + name, withIntermediateDirectories: true)
      try samplePipeline(workspace: folder + "/\(name)/ws").write(
        toFile: folder + "/\(name)/sample.yaml", atomically: true, encoding: .utf8)
    }
    XCTAssertEqual(try runToEnd(folder + "/one/sample.yaml", log: folder + "/one.log"), 0)
    let generate = Process()
    generate.executableURL = CommandLineTests.executable
    generate.arguments =
      ["slurm", folder + "/array/sample.yaml", "--tasks", "\(tasks)", "--output", folder + "/array/slurm"] + extra
    try generate.run()
    generate.waitUntilExit()
    XCTAssertEqual(generate.terminationStatus, 0)
    return try FileManager.default.contentsOfDirectory(atPath: folder + "/array/slurm").filter {
      $0.hasSuffix(".sbatch")
    }.sorted()
  }

  private func assertSameDataOutputs(file: StaticString = #filePath, line: UInt = #line) throws {
    let one = try outputs(folder + "/one/ws")
    let array = try outputs(folder + "/array/ws")
    XCTAssertGreaterThan(
      one.keys.filter { $0.hasPrefix("docs/examples/part-") }.count, 3, "several parts, so every task has work",
      file: file, line: line)
    XCTAssertEqual(Set(array.keys), Set(one.keys), file: file, line: line)
    for (path, data) in one {
      XCTAssertEqual(array[path], data, "\(path) differs between the tasks and one process", file: file, line: line)
    }
    XCTAssertEqual(try decisions(folder + "/array/ws"), try decisions(folder + "/one/ws"), file: file, line: line)
    XCTAssertFalse(try decisions(folder + "/one/ws").isEmpty, file: file, line: line)
  }

  /// The Slurm scripts, run here with the variables Slurm sets (array tasks side by side), give
  /// the same documents, decisions and shards as one process.
  func testSlurmArrayTasksWriteWhatOneProcessWrites() throws {
    let scripts = try oneProcessAndSlurmScripts(tasks: 3)
    XCTAssertEqual(
      scripts,
      [
        "01-init.sbatch", "02-ingest-examples.sbatch", "03-ingest-examples-merge.sbatch", "04-dedup-signatures.sbatch",
        "05-dedup-cluster.sbatch", "06-dedup-merge.sbatch", "07-tag.sbatch", "08-tag-merge.sbatch",
        "09-tokenizer.sbatch",
        "10-tokenizer-merge.sbatch", "11-shard.sbatch", "12-shard-write.sbatch", "13-shard-merge.sbatch",
      ])
    let submit = try String(contentsOfFile: folder + "/array/slurm/submit.sh", encoding: .utf8)
    XCTAssertTrue(
      submit.contains(
        "job_dedup_cluster=$(sbatch --parsable --dependency=afterok:$job_dedup_signatures 05-dedup-cluster.sbatch)"),
      submit)
    XCTAssertTrue(submit.contains("--dependency=afterok:$job_ingest_examples 03-ingest-examples-merge.sbatch"), submit)
    for script in scripts {
      let text = try String(contentsOfFile: folder + "/array/slurm/" + script, encoding: .utf8)
      let tasks = text.contains("#SBATCH --array=0-2") ? 3 : 1
      let processes = try (0..<tasks).map { task -> Process in
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [folder + "/array/slurm/" + script]
        var environment = ProcessInfo.processInfo.environment
        environment["SLURM_JOB_ID"] = "1000"
        if tasks > 1 { environment["SLURM_ARRAY_TASK_ID"] = "\(task)" }
        process.environment = environment
        let log = folder + "/array/\(script)-\(task).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process.standardOutput = FileHandle(forWritingAtPath: log)
        process.standardError = FileHandle(forWritingAtPath: log)
        try process.run()
        return process
      }
      for (task, process) in processes.enumerated() {
        process.waitUntilExit()
        XCTAssertEqual(
          process.terminationStatus, 0,
          "\(script) task \(task): "
            + ((try? String(contentsOfFile: folder + "/array/\(script)-\(task).log", encoding: .utf8)) ?? ""))
      }
    }
    try assertSameDataOutputs()
  }

  /// The scripts submitted to a real single-node Slurm cluster (scripts/slurm-local) with
  /// submit.sh, where Slurm is installed and the tests run as root.
  func testScriptsRunOnARealSlurmCluster() throws {
    let tools = ["/usr/bin/sbatch", "/usr/bin/squeue", "/usr/sbin/slurmd", "/usr/sbin/munged"]
    guard tools.allSatisfy({ FileManager.default.isExecutableFile(atPath: $0) }) else {
      throw XCTSkip(
        "Slurm is not installed here (apt-get install slurm-wlm munge); the test above runs the scripts without it")
    }
    guard getuid() == 0 else { throw XCTSkip("scripts/slurm-local needs root to start slurmd") }
    let slurmLocal = CommandLineTests.repository.appendingPathComponent("scripts/slurm-local")
    let start = try Process.run(slurmLocal, arguments: ["start"])
    guard waitForExit(start, seconds: 120, "scripts/slurm-local start") else { return }
    guard start.terminationStatus == 0 else {
      throw XCTSkip("slurmd could not start on this machine (see /tmp/hatchery-slurm/log)")
    }
    defer {
      if let stop = try? Process.run(slurmLocal, arguments: ["stop"]) {
        _ = waitForExit(stop, seconds: 60, "scripts/slurm-local stop")
      }
    }
    let environment = ProcessInfo.processInfo.environment.merging(["SLURM_CONF": "/tmp/hatchery-slurm/slurm.conf"]) {
      $1
    }

    _ = try oneProcessAndSlurmScripts(tasks: 2, extra: ["--partition", "local", "--cpus", "1"])
    let submit = Process()
    submit.executableURL = URL(fileURLWithPath: "/bin/bash")
    submit.arguments = [folder + "/array/slurm/submit.sh"]
    submit.environment = environment
    let output = Pipe()
    submit.standardOutput = output
    try submit.run()
    guard waitForExit(submit, seconds: 120, "submit.sh") else { return }
    let submitted = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    XCTAssertEqual(submit.terminationStatus, 0, submitted)
    // Wait until none of this test's jobs is queued or running.
    try waitForJobs(named: "hatchery-sample-", environment: environment)
    let logs = try FileManager.default.contentsOfDirectory(atPath: folder + "/array/slurm/logs")
    XCTAssertEqual(
      logs.filter { $0.contains("ingest-examples-") && !$0.contains("merge") }.count, 2,
      "one log per array task: \(logs)")
    try assertSameDataOutputs()

    // An ablation's jobs: an array preparing the variants, an array training them, the comparison.
    try samplePipeline(
      workspace: folder + "/unused",
      moreStages:
        "  train: {layers: 1, heads: 2, dim: 32, context: 32, batch: 4, steps: 8, eval_every: 0, checkpoint_every: 0, threads: 1}"
    ).write(toFile: folder + "/base.yaml", atomically: true, encoding: .utf8)
    try "{\"text\": \"Held-out words about incubators and eggs that the sample set does not hold.\"}\n"
      .write(toFile: folder + "/held-out.jsonl", atomically: true, encoding: .utf8)
    try """
    version: 1
    name: slurm-ablation
    pipeline: \(folder!)/base.yaml
    folder: \(folder!)/ablation
    seeds: 2
    eval: {held: \(folder!)/held-out.jsonl}
    variants: {baseline: {}, no-dedup: {dedup: off}}

    """.write(toFile: folder + "/ablation.yaml", atomically: true, encoding: .utf8)
    let generate = Process()
    generate.executableURL = CommandLineTests.executable
    generate.arguments = [
      "ablate", "--slurm", folder + "/ablation-slurm", "--partition", "local", "--cpus", "1", folder + "/ablation.yaml",
    ]
    generate.standardOutput = FileHandle.nullDevice
    try generate.run()
    generate.waitUntilExit()
    XCTAssertEqual(generate.terminationStatus, 0)
    let ablation = Process()
    ablation.executableURL = URL(fileURLWithPath: "/bin/bash")
    ablation.arguments = [folder + "/ablation-slurm/submit.sh"]
    ablation.environment = environment
    ablation.standardOutput = FileHandle.nullDevice
    try ablation.run()
    guard waitForExit(ablation, seconds: 120, "the ablation's submit.sh") else { return }
    XCTAssertEqual(ablation.terminationStatus, 0)
    try waitForJobs(named: "hatchery-slurm-ablation-", environment: environment)
    let comparison = try String(contentsOfFile: folder + "/ablation/ablation.md", encoding: .utf8)
    XCTAssertTrue(comparison.contains("| no-dedup |"), comparison)
    let ablationLogs = try FileManager.default.contentsOfDirectory(atPath: folder + "/ablation-slurm/logs")
    XCTAssertEqual(
      ablationLogs.filter { $0.contains("-train-") }.count, 4, "one train job per variant and seed: \(ablationLogs)")
  }

  /// Waits (at most 10 minutes) until no queued or running job's name contains `name`.
  private func waitForJobs(named name: String, environment: [String: String]) throws {
    let deadline = Date().addingTimeInterval(600)
    while Date() < deadline {
      let queue = Process()
      queue.executableURL = URL(fileURLWithPath: "/usr/bin/squeue")
      queue.arguments = ["-h", "-o", "%j"]
      queue.environment = environment
      let pipe = Pipe()
      queue.standardOutput = pipe
      try queue.run()
      let jobs = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
      queue.waitUntilExit()
      if !jobs.contains(name) { return }
      usleep(500_000)
    }
  }

  /// Waits at most `seconds` for a process that starts daemons: Foundation learns that a child
  /// ended when every holder of a socket the child inherited has closed it, so a daemon that kept
  /// it would make `waitUntilExit` wait forever. Fails (and stops the process) after the time.
  private func waitForExit(_ process: Process, seconds: Double, _ what: String) -> Bool {
    let deadline = Date().addingTimeInterval(seconds)
    while process.isRunning {
      guard Date() < deadline else {
        process.terminate()
        XCTFail("\(what) did not end within \(Int(seconds)) s (or a daemon it started kept its descriptors)")
        return false
      }
      usleep(100_000)
    }
    return true
  }

  /// Every decision of the workspace's store, as sorted lines.
  private func decisions(_ workspace: String) throws -> [String] {
    try ProvenanceStore(path: workspace + "/hatchery.db").read { db in
      try Row.fetchAll(
        db,
        sql:
          "SELECT stage, document_id, action, reason, coalesce(duplicate_of, '') AS duplicate FROM decisions ORDER BY stage, document_id, reason"
      ).map {
        "\($0["stage"] as String)|\($0["document_id"] as String)|\($0["action"] as String)|\($0["reason"] as String)|\($0["duplicate"] as String)"
      }
    }
  }

  func testTheRunStopsAtTheFirstFailingStageWithItsMessage() throws {
    let workspace = folder + "/ws"
    let file = folder + "/failing.yaml"
    try samplePipeline(workspace: workspace).replacingOccurrences(
      of: "pipelines/policy-permissive-only.yaml", with: "pipelines/no-such-policy.yaml"
    )
    .write(toFile: file, atomically: true, encoding: .utf8)
    XCTAssertEqual(try runToEnd(file, log: folder + "/failing.log"), 1)
    let log = try String(contentsOfFile: folder + "/failing.log", encoding: .utf8)
    XCTAssertTrue(log.contains("no-such-policy.yaml"), "the stage's own message: \(log)")
    XCTAssertTrue(log.contains("pipeline failing: stopped at tag: hatchery tag exited with status 1"), log)
    XCTAssertFalse(log.contains("] tokenizer:"), "nothing after the failure runs")
  }

  func testUnknownKeysAndMissingOptionsNameTheirLine() throws {
    let file = folder + "/bad.yaml"
    try "version: 1\nworkspace: w\nstages:\n  tokenizer:\n    vocab: 512\n".write(
      toFile: file, atomically: true, encoding: .utf8)
    let result = try runToEnd(file, log: folder + "/bad.log")
    let log = try String(contentsOfFile: folder + "/bad.log", encoding: .utf8)
    XCTAssertEqual(result, 1)
    XCTAssertTrue(log.contains("bad.yaml:5:5: unknown option vocab of stage tokenizer"), log)
  }

  func testTheSchemaFileIsTheGeneratedOne() throws {
    let process = Process()
    process.executableURL = CommandLineTests.executable
    process.arguments = ["run", "--schema"]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let printed = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let published = try read(CommandLineTests.repository.appendingPathComponent("schemas/pipeline.schema.json").path)
    XCTAssertEqual(
      String(decoding: printed, as: UTF8.self), String(decoding: published, as: UTF8.self),
      "regenerate with: hatchery run --schema > schemas/pipeline.schema.json")
  }

  /// Every option a pipeline may give a stage (the schema's) is an option of that stage's command.
  func testStageOptionsExistOnTheirCommands() throws {
    let schema =
      try JSONSerialization.jsonObject(
        with: read(CommandLineTests.repository.appendingPathComponent("schemas/pipeline.schema.json").path))
      as! [String: Any]
    let stages = ((schema["properties"] as! [String: Any])["stages"] as! [String: Any])["properties"] as! [String: Any]
    let commands = ["filter": ["filter", "run"], "tokenizer": ["tokenizer", "train"], "shard": ["shard", "run"]]
    XCTAssertEqual(stages.count, 10)
    for (stage, value) in stages {
      let options = ((value as! [String: Any])["properties"] as! [String: Any]).keys
      let process = Process()
      process.executableURL = CommandLineTests.executable
      process.arguments = (commands[stage] ?? [stage]) + ["--experimental-dump-help"]
      let pipe = Pipe()
      process.standardOutput = pipe
      try process.run()
      let help = pipe.fileHandleForReading.readDataToEndOfFile()
      process.waitUntilExit()
      let command = (try JSONSerialization.jsonObject(with: help) as! [String: Any])["command"] as! [String: Any]
      let names = Set(
        (command["arguments"] as! [[String: Any]]).flatMap { argument in
          ((argument["names"] as? [[String: Any]]) ?? []).filter { $0["kind"] as? String == "long" }.compactMap {
            $0["name"] as? String
          }
        })
      for option in options where !(stage == "sample" && option == "chat_prompt") {
        XCTAssertTrue(
          names.contains(option.replacingOccurrences(of: "_", with: "-")),
          "\(stage).\(option) is not an option of hatchery \(stage)")
      }
    }
  }
}
