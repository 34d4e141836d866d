import Foundation
import HatcheryCore
import XCTest

#if canImport(FoundationXML)
  import FoundationXML
#endif

/// Runs the built `hatchery` executable as a user would: exit statuses, messages, and a stage
/// killed with SIGKILL and run again.
final class CommandLineTests: XCTestCase {
  var folder: String!

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "hatchery-cli-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: folder)
  }

  /// The executable sits beside the test bundle in the build folder.
  static var executable: URL {
    let folders = [Bundle.main.executableURL?.deletingLastPathComponent(), Bundle.main.bundleURL].compactMap { $0 }
    let candidates = folders.map { $0.appendingPathComponent("hatchery") }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
  }

  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String
  }

  /// Standard error read on another thread while standard output is read here.
  private final class DrainedPipe: @unchecked Sendable {
    var data = Data()
  }

  @discardableResult
  func run(_ arguments: [String]) throws -> Result {
    let process = try start(arguments)
    // Both pipes are read at once: a command that filled one pipe's buffer while the test waited
    // on the other would never end.
    let err = DrainedPipe()
    let errors = process.stderr.fileHandleForReading
    let drained = DispatchGroup()
    DispatchQueue.global().async(group: drained) { err.data = errors.readDataToEndOfFile() }
    let out = process.stdout.fileHandleForReading.readDataToEndOfFile()
    drained.wait()
    process.process.waitUntilExit()
    return Result(
      status: process.process.terminationStatus, stdout: String(decoding: out, as: UTF8.self),
      stderr: String(decoding: err.data, as: UTF8.self))
  }

  func start(_ arguments: [String]) throws -> (process: Process, stdout: Pipe, stderr: Pipe) {
    let process = Process()
    process.executableURL = Self.executable
    process.arguments = arguments
    // The trainer caches the machine's sgemm peak; keep it out of the user's cache.
    process.environment = ProcessInfo.processInfo.environment.merging(["XDG_CACHE_HOME": folder + "/cache"]) { $1 }
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    try process.run()
    return (process, stdout, stderr)
  }

  func testHelpListsEveryStage() throws {
    let help = try run(["--help"])
    XCTAssertEqual(help.status, 0)
    for stage in [
      "init", "ingest", "dedup", "tag", "filter", "tokenizer", "shard", "train", "finetune", "sample", "evaluate",
      "energy", "plan", "review", "parquet", "classifier", "export", "license", "audit", "trace", "schema", "version",
    ] { XCTAssertTrue(help.stdout.contains("  \(stage) "), stage) }
    let ingestHelp = try run(["ingest", "--help"])
    XCTAssertEqual(ingestHelp.status, 0)
    XCTAssertTrue(ingestHelp.stdout.contains("--workspace"))
    XCTAssertTrue(ingestHelp.stdout.contains("--tasks"))
  }

  /// Overviews are paragraphs that the help wraps itself: a line broken in the source shows as a
  /// short line in the middle of a paragraph.
  func testHelpOverviewsAreWholeParagraphs() throws {
    let commands = [
      [], ["init"], ["ingest"], ["dedup"], ["tag"], ["filter", "run"], ["tokenizer", "train"], ["shard", "run"],
      ["train"],
      ["finetune"], ["evaluate"], ["energy"], ["plan"], ["run"], ["slurm"], ["ablate"], ["extract"], ["license"],
      ["classifier"],
    ]
    for command in commands {
      let help = try run(command + ["--help"])
      XCTAssertEqual(help.status, 0, command.joined(separator: " "))
      let lines = help.stdout.split(separator: "\n", omittingEmptySubsequences: false).prefix {
        !$0.hasPrefix("USAGE:")
      }
      for (line, next) in zip(lines, lines.dropFirst()) where !line.isEmpty && !next.isEmpty {
        XCTAssertGreaterThan(
          line.count, 50, "\(command.joined(separator: " ")) --help: a short line inside a paragraph: \(line)")
      }
    }
  }

  func testVersionNamesTheSystemLibrariesItRunsOn() throws {
    let result = try run(["version"])
    XCTAssertEqual(result.status, 0)
    for library in ["hatchery ", "zstd 1.", "zlib 1.", "libxml2 ", "xxhash 0.", "openssl "] {
      XCTAssertTrue(result.stdout.contains(library), library)
    }
  }

  func testUsageErrorsExitWithTwo() throws {
    for arguments in [["ingest"], ["no-such-stage"], ["ingest", "-w", folder!, "--source", "s", "--tasks", "0", "x"]] {
      let result = try run(arguments)
      XCTAssertEqual(result.status, 2, arguments.joined(separator: " "))
      XCTAssertFalse(result.stderr.isEmpty)
    }
  }

  func testFailuresExitWithOneAndOneLineNamingTheFile() throws {
    let missing = folder + "/no-workspace"
    let result = try run(["ingest", "-w", missing, "--source", "s", folder!])
    XCTAssertEqual(result.status, 1)
    let lines = result.stderr.split(separator: "\n")
    XCTAssertEqual(lines.count, 1)
    XCTAssertTrue(lines[0].contains(missing) && lines[0].contains("hatchery init"), String(lines[0]))
  }

  func testMessagesAreOneEscapedLineWithoutLibraryNoise() throws {
    // libxml2 printed its encoding errors itself; they now come inside the one error line.
    let xml = folder + "/bad.xml"
    try Data(
      Array("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><article><body><p>ok \u{0}".utf8).dropLast() + [
        0x81, 0x7F, 0xFF, 0xFD,
      ] + Array(" more</p></body></article>".utf8)
    )
    .write(to: URL(fileURLWithPath: xml))
    let extract = try run(["extract", xml])
    XCTAssertEqual(extract.status, 1)
    XCTAssertEqual(extract.stderr.split(separator: "\n").count, 1, extract.stderr)
    XCTAssertTrue(extract.stderr.contains("input conversion failed"), extract.stderr)
    // A Foundation error is named by its path, without ArgumentParser's "Error: ".
    let pipeline = folder + "/p.yaml"
    try "version: 1\nworkspace: ws\n".write(toFile: pipeline, atomically: true, encoding: .utf8)
    try "a file".write(toFile: folder + "/file", atomically: true, encoding: .utf8)
    let slurm = try run(["slurm", "--tasks", "1", "--output", folder + "/file/scripts", pipeline])
    XCTAssertEqual(slurm.status, 1)
    XCTAssertTrue(slurm.stderr.hasPrefix("error: \(folder!)/file"), slurm.stderr)
    XCTAssertFalse(slurm.stderr.contains("Error:"), slurm.stderr)
    // Control bytes of a file name are escaped wherever the name is printed.
    let workspace = folder + "/ws"
    XCTAssertEqual(try run(["init", workspace]).status, 0)
    try Data([0, 1, 2]).write(to: URL(fileURLWithPath: (folder + "/in/evil\u{1B}[2Jname.txt").ensuringFolder()))
    let ingest = try run(["ingest", "-w", workspace, "--source", "s", folder + "/in"])
    XCTAssertTrue(ingest.stderr.contains("evil\\x1B[2Jname.txt"), ingest.stderr)
    XCTAssertFalse(ingest.stderr.contains("\u{1B}"), ingest.stderr)
  }

  func testInitThenIngestPrintsASummaryAndWritesDecodableParts() throws {
    let workspace = folder + "/ws"
    XCTAssertEqual(try run(["init", workspace]).status, 0)
    let corpus = Self.repository.appendingPathComponent("Tests/IngestTests/Fixtures/corpus").path
    let result = try run(["ingest", "-w", workspace, "--source", "fixtures", "--license", "CC0-1.0", corpus])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(
      result.stdout.contains("ingest fixtures: 10 files, 32 documents (1 repaired), 8 rejected"), result.stdout)
    XCTAssertTrue(result.stderr.contains("rejected: \(corpus)/records/dolma.jsonl:4: not JSON"), result.stderr)
    XCTAssertFalse(result.stderr.contains("\r"), "no progress line when standard error is a pipe")
    let logged = try run([
      "ingest", "-w", workspace, "--source", "logged", "--log-level", "info", "--log-format", "json", corpus + "/notes",
    ])
    let events = logged.stderr.split(separator: "\n").filter { $0.hasPrefix("{") }
    XCTAssertFalse(events.isEmpty, logged.stderr)
    for event in events {
      let object = try XCTUnwrap(try JSONParser.parse(String(event)).objectValue)
      XCTAssertEqual(object["label"], .string("hatchery.ingest"))
      XCTAssertNotNil(object["time"]?.stringValue)
    }
    let again = try run(["ingest", "-w", workspace, "--source", "fixtures", "--license", "CC0-1.0", corpus])
    XCTAssertEqual(again.status, 0)
    XCTAssertTrue(again.stdout.contains("nothing to do"))

    // The part is a standard zstd stream: the zstd tool decodes it where it is installed.
    let part = workspace + "/docs/fixtures/part-00000.jsonl.zst"
    let reader = try DocumentPartReader(path: part)
    var count = 0
    while try reader.next() != nil { count += 1 }
    XCTAssertEqual(count, 32)
    if FileManager.default.isExecutableFile(atPath: "/usr/bin/zstd") {
      let zstd = Process()
      zstd.executableURL = URL(fileURLWithPath: "/usr/bin/zstd")
      zstd.arguments = ["-dc", part]
      let output = Pipe()
      zstd.standardOutput = output
      try zstd.run()
      let text = output.fileHandleForReading.readDataToEndOfFile()
      zstd.waitUntilExit()
      XCTAssertEqual(zstd.terminationStatus, 0)
      XCTAssertEqual(text.split(separator: UInt8(ascii: "\n")).count, 32)
    }
  }

  func testExtractPrintsTheMainTextOrJSONLines() throws {
    let web = Self.repository.appendingPathComponent("Tests/IngestTests/Fixtures/web").path
    let page = try run(["extract", web + "/article.html"])
    XCTAssertEqual(page.status, 0, page.stderr)
    XCTAssertTrue(page.stdout.hasPrefix("Bread dough rises faster in the mountains"), page.stdout)
    XCTAssertFalse(page.stdout.contains("cookies"))
    let wiki = try run(["extract", web + "/wiki.xml"])
    let lines = wiki.stdout.split(separator: "\n").map { try? JSONParser.parse(String($0)).objectValue }
    XCTAssertEqual(lines.compactMap { $0?["title"]?.stringValue }, ["Sourdough", "Rye bread"])
    let bomb = try run(["extract", web + "/bomb.xml"])
    XCTAssertEqual(bomb.status, 1)
    XCTAssertTrue(bomb.stderr.contains("bomb.xml:14: malformed XML"), bomb.stderr)
    // The text as ingest stores it, byte for byte (String comparison would call the two forms of
    // "ü" equal): NFC, "u" and a combining diaeresis become U+00FC; `\r\n` becomes `\n`.
    let decomposed = folder + "/decomposed.html"
    try
      "<html><body><p>Die Gurtlu\u{0308}nge muss vor dem Kauf im eigenen Fahrzeug gepru\u{0308}ft werden.</p><pre>eins\r\nzwei</pre></body></html>"
      .write(toFile: decomposed, atomically: true, encoding: .utf8)
    let normalized = Array(try run(["extract", decomposed]).stdout.utf8)
    XCTAssertEqual(normalized.prefix(12), ArraySlice("Die Gurtl\u{00FC}n".utf8))
    XCTAssertFalse(normalized.contains(0xCC), "a combining mark is left")
    XCTAssertFalse(normalized.contains(0x0D), "a carriage return is left")
    XCTAssertTrue(String(decoding: normalized, as: UTF8.self).contains("eins\nzwei"))
  }

  func testDedupRecordsDecisionsAndExplainsAClusterFromTheCommandLine() throws {
    let workspace = folder + "/ws"
    XCTAssertEqual(try run(["init", workspace]).status, 0)
    for copy in 0..<3 {
      try "The same little text, copied \(copy == 2 ? "once more" : "again") with the same words in it all."
        .write(toFile: folder + "/copy-\(copy).txt", atomically: false, encoding: .utf8)
    }
    try "The same little text, copied again with the same words in it all."
      .write(toFile: folder + "/exact.txt", atomically: false, encoding: .utf8)
    let files = (0..<3).map { folder + "/copy-\($0).txt" } + [folder + "/exact.txt"]
    XCTAssertEqual(try run(["ingest", "-w", workspace, "--source", "s"] + files).status, 0)
    let result = try run(["dedup", "-w", workspace])
    XCTAssertEqual(result.status, 0, result.stderr)
    XCTAssertTrue(result.stdout.contains("dedup all: 4 documents"), result.stdout)
    XCTAssertTrue(result.stdout.contains("decisions written"), result.stdout)
    XCTAssertTrue(try run(["dedup", "-w", workspace]).stdout.contains("nothing to do"))
    let store = try ProvenanceStore(path: workspace + "/hatchery.db")
    let decisions = try store.decisions(stage: "dedup")
    XCTAssertGreaterThanOrEqual(decisions.count, 2)
    let explained = try run(["dedup", "-w", workspace, "--explain", decisions[0].documentID])
    XCTAssertEqual(explained.status, 0)
    XCTAssertTrue(explained.stdout.hasPrefix("kept "), explained.stdout)
    XCTAssertEqual(try run(["dedup", "-w", workspace, "--bands", "0"]).status, 2)
    XCTAssertEqual(try run(["dedup", "-w", workspace, "--explain", "nope"]).status, 1)
  }

  func testLicenceDetectionTaggingAuditAndTrace() throws {
    try "// SPDX-License-Identifier: MIT OR Apache-2.0\nint x;\n".write(
      toFile: folder + "/tagged.c", atomically: false, encoding: .utf8)
    let detected = try run(["license", "detect", folder + "/tagged.c"])
    XCTAssertEqual(detected.status, 0)
    let line = try JSONParser.parse(detected.stdout.trimmingCharacters(in: .newlines))
    XCTAssertEqual(line.objectValue?["expression"], .string("MIT OR Apache-2.0"))
    XCTAssertEqual(
      line.objectValue?["licenses"],
      .array([
        .object(
          JSONObject([
            ("spdx", .string("MIT OR Apache-2.0")), ("method", .string("tag")), ("confidence", .number("1.0")),
            ("start", .int(3)), ("end", .int(45)),
          ]))
      ]))

    let workspace = folder + "/ws"
    XCTAssertEqual(try run(["init", workspace]).status, 0)
    XCTAssertEqual(try run(["ingest", "-w", workspace, "--source", "code", folder + "/tagged.c"]).status, 0)
    let policy = Self.repository.appendingPathComponent("pipelines/policy-permissive-only.yaml").path
    let tagged = try run(["tag", "-w", workspace, "--policy", policy])
    XCTAssertEqual(tagged.status, 0, tagged.stderr)
    XCTAssertTrue(tagged.stdout.contains("tag: 1 documents (1 detected"), tagged.stdout)
    let audit = try run(["audit", "-w", workspace, "--format", "md"])
    XCTAssertTrue(audit.stdout.contains("Documents without provenance: 0"), audit.stdout)
    XCTAssertTrue(audit.stdout.contains("MIT OR Apache-2.0"), audit.stdout)
    let store = try ProvenanceStore(path: workspace + "/hatchery.db")
    let id = try XCTUnwrap(try store.documents(sourceID: try XCTUnwrap(try store.source(named: "code")).id).first?.id)
    let trace = try run(["trace", "-w", workspace, id])
    XCTAssertEqual(trace.status, 0)
    XCTAssertTrue(trace.stdout.contains("licence   MIT OR Apache-2.0 (detected, permissive)"), trace.stdout)
    XCTAssertEqual(try run(["tag", "-w", workspace, "--policy", folder + "/missing.yaml"]).status, 1)
  }

  /// A list of files longer than the point where its tail bypasses ArgumentParser is read whole
  /// and in order — after an option's value, with an unreadable file in the tail — and a command
  /// whose trailing values belong to an option (`--input`) still sees every one.
  func testALongListOfFilesIsReadWholeAndInOrder() throws {
    let files = (0..<150).map { folder + "/f\($0).c" }
    for (index, file) in files.enumerated() {
      try "// SPDX-License-Identifier: \(index % 2 == 0 ? "MIT" : "Apache-2.0")\n".write(
        toFile: file, atomically: false, encoding: .utf8)
    }
    try FileManager.default.createDirectory(atPath: folder + "/references", withIntermediateDirectories: true)
    var listed = files
    listed.insert(folder + "/missing.c", at: 100)
    let detected = try run(["license", "detect", "--references", folder + "/references"] + listed)
    XCTAssertEqual(detected.status, 0, detected.stderr)
    let lines = try detected.stdout.split(separator: "\n").map { try JSONParser.parse(String($0)).objectValue }
    XCTAssertEqual(lines.map { $0?["file"] }, listed.map { .string($0) })
    XCTAssertEqual(lines[100]?["error"], .string(folder + "/missing.c: cannot open: No such file or directory"))
    XCTAssertEqual(lines[149]?["expression"], .string("MIT"))  // files[148]
    XCTAssertEqual(lines[150]?["expression"], .string("Apache-2.0"))

    let workspace = folder + "/ws"
    XCTAssertEqual(try run(["init", workspace]).status, 0)
    let ingested = try run(["ingest", "-w", workspace, "--source", "code"] + files)
    XCTAssertEqual(ingested.status, 0, ingested.stderr)
    let store = try ProvenanceStore(path: workspace + "/hatchery.db")
    XCTAssertEqual(try store.documents(sourceID: try XCTUnwrap(try store.source(named: "code")).id).count, 150)

    let trained = try run(
      ["tokenizer", "train", "--vocab-size", "300", "--output", folder + "/tok.json", "--input"] + files)
    XCTAssertEqual(trained.status, 0, trained.stderr)
    let bytes = try files.reduce(0) { $0 + (try FileManager.default.attributesOfItem(atPath: $1)[.size] as! Int) }
    XCTAssertTrue(trained.stdout.contains("tokenizer: \(ByteCount.format(bytes)) of text"), trained.stdout)
  }

  func testTokenizerTrainEncodeDecodeFromTheCommandLine() throws {
    let text = (0..<200).map { "line \($0): tokens are traced to their documents, \($0 * 3) times." }.joined(
      separator: "\n")
    try text.write(toFile: folder + "/t.txt", atomically: false, encoding: .utf8)
    let train = try run([
      "tokenizer", "train", "--input", folder + "/t.txt", "--lines", "--vocab-size", "400", "--output",
      folder + "/tok.json",
    ])
    XCTAssertEqual(train.status, 0, train.stderr)
    XCTAssertTrue(train.stdout.contains("vocabulary 400"), train.stdout)
    let encode = try run([
      "tokenizer", "encode", "--tokenizer", folder + "/tok.json", "--ids-out", folder + "/ids.bin", folder + "/t.txt",
    ])
    XCTAssertEqual(encode.status, 0, encode.stderr)
    let line = try JSONSerialization.jsonObject(with: Data(encode.stdout.utf8)) as! [String: Any]
    XCTAssertEqual(line["bytes"] as? Int, text.utf8.count)
    XCTAssertEqual(
      (line["tokens"] as? Int).map { $0 * 4 }, try Data(contentsOf: URL(fileURLWithPath: folder + "/ids.bin")).count)
    for key in ["bytes_per_token", "seconds", "mb_per_s"] { XCTAssertNotNil(line[key], key) }
    let decode = try run(["tokenizer", "decode", "--tokenizer", folder + "/tok.json", folder + "/ids.bin"])
    XCTAssertEqual(decode.stdout, text)
    let tooSmall = try run([
      "tokenizer", "train", "--input", folder + "/t.txt", "--vocab-size", "100", "--output", folder + "/x.json",
    ])
    XCTAssertEqual(tooSmall.status, 2)
    XCTAssertTrue(tooSmall.stderr.contains("at least 257"), tooSmall.stderr)
    let missing = try run(["tokenizer", "encode", "--tokenizer", folder + "/none.json", folder + "/t.txt"])
    XCTAssertEqual(missing.status, 1)
    XCTAssertTrue(missing.stderr.contains(folder + "/none.json"), missing.stderr)
  }

  /// Every stage's task step, as the command line runs it (metering included), leaves the store
  /// and its WAL byte for byte as they were: only merges write the store.
  func testTaskStepsOfEveryStageLeaveTheStoreUntouched() throws {
    let workspace = folder + "/ws"
    try FileManager.default.createDirectory(atPath: folder + "/in", withIntermediateDirectories: true)
    for number in 0..<6 {
      // Different words in every file, so dedup keeps them all.
      try (0..<40).map { "Line \($0) of file \(number): \(String(repeating: "word\(number * 40 + $0) ", count: 8))." }
        .joined(separator: "\n")
        .write(toFile: folder + "/in/f\(number).txt", atomically: false, encoding: .utf8)
    }
    let ingest = ["--source", "files", "--part-bytes", "1", folder + "/in"]
    XCTAssertEqual(try run(["init", workspace]).status, 0)
    XCTAssertEqual(try run(["ingest", "-w", workspace, "--step", "register"] + ingest).status, 0)
    // A reader of a WAL store may leave an empty -wal file behind; an absent one is as empty.
    func store() -> [Data] {
      ["", "-wal"].map { FileManager.default.contents(atPath: workspace + "/hatchery.db" + $0) ?? Data() }
    }
    // Each stage: its task steps (the store compared after each), then its merge or whole run.
    // Filter's whole run is left out: its quality rules would drop these made-up lines.
    let stages: [(tasks: [[String]], then: [String]?)] = [
      (
        [
          ["ingest", "-w", workspace, "--step", "task", "--task", "0", "--tasks", "2"] + ingest,
          ["ingest", "-w", workspace, "--step", "task", "--task", "1", "--tasks", "2"] + ingest,
        ],
        ["ingest", "-w", workspace, "--step", "merge", "--tasks", "2"] + ingest
      ),
      (
        [["dedup", "-w", workspace, "--step", "signatures", "--task", "0", "--tasks", "2"]], ["dedup", "-w", workspace]
      ),
      ([["tag", "-w", workspace, "--step", "task", "--task", "0", "--tasks", "2"]], ["tag", "-w", workspace]),
      ([["filter", "run", "-w", workspace, "--step", "task", "--task", "1", "--tasks", "2"]], nil),
      (
        [
          [
            "tokenizer", "train", "-w", workspace, "--vocab-size", "300", "--step", "task", "--task", "0", "--tasks",
            "2",
          ]
        ],
        ["tokenizer", "train", "-w", workspace, "--vocab-size", "300"]
      ),
      (
        [
          ["shard", "run", "-w", workspace, "--step", "task", "--task", "0", "--tasks", "2"],
          ["shard", "run", "-w", workspace, "--step", "task", "--task", "1", "--tasks", "2"],
          ["shard", "run", "-w", workspace, "--step", "write", "--task", "1", "--tasks", "2"],
        ],
        ["shard", "run", "-w", workspace]
      ),
    ]
    for (tasks, then) in stages {
      for task in tasks {
        let before = store()
        let result = try run(task)
        XCTAssertEqual(result.status, 0, "\(task.prefix(2)): \(result.stderr)")
        XCTAssertTrue(store() == before, "\(task.joined(separator: " ")) wrote the store")
      }
      if let then {
        let result = try run(then)
        XCTAssertEqual(result.status, 0, "\(then.prefix(2)): \(result.stderr)")
      }
    }
  }

  func testShardVerifyTraceAndExportFromTheCommandLine() throws {
    let workspace = folder + "/ws"
    try FileManager.default.createDirectory(atPath: folder + "/in", withIntermediateDirectories: true)
    for number in 0..<6 {
      try (0..<40).map { "Paragraph \($0) of file \(number): shards keep every token traceable." }.joined(
        separator: "\n"
      )
      .write(toFile: folder + "/in/f\(number).txt", atomically: false, encoding: .utf8)
    }
    XCTAssertEqual(try run(["init", workspace]).status, 0)
    XCTAssertEqual(
      try run(["ingest", "-w", workspace, "--source", "files", "--license", "CC0-1.0", folder + "/in"]).status, 0)
    XCTAssertEqual(try run(["tokenizer", "train", "-w", workspace, "--vocab-size", "300"]).status, 0)
    let shard = try run(["shard", "-w", workspace, "--val-fraction", "0.2"])
    XCTAssertEqual(shard.status, 0, shard.stderr)
    XCTAssertTrue(shard.stdout.contains("6 documents"), shard.stdout)
    let verify = try run(["shard", "verify", "-w", workspace])
    XCTAssertEqual(verify.status, 0, verify.stderr)
    XCTAssertTrue(verify.stdout.contains("all match the manifest"), verify.stdout)
    let trace = try run(["trace", "-w", workspace, "train/shard-00000:3"])
    XCTAssertEqual(trace.status, 0, trace.stderr)
    XCTAssertTrue(trace.stdout.contains("is token 2 of"), trace.stdout)
    XCTAssertTrue(trace.stdout.contains("source    files"), trace.stdout)
    let separator = try run(["trace", "-w", workspace, "train/shard-00000:0"])
    XCTAssertTrue(separator.stdout.contains("end-of-text token"), separator.stdout)
    let export = try run(["export", "-w", workspace, "llmc", folder + "/llmc"])
    XCTAssertEqual(export.status, 0, export.stderr)
    XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/llmc/train_000000.bin"))
    let read = try run(["shard", "read", "-w", workspace, "--windows", "100", "--length", "16"])
    XCTAssertEqual(read.status, 0, read.stderr)
    XCTAssertTrue(read.stdout.contains("\"windows\":100"), read.stdout)

    let train = try run([
      "train", "-w", workspace, "--layers", "1", "--heads", "2", "--dim", "16", "--context", "16", "--batch", "2",
      "--steps", "4",
      "--eval-every", "2", "--threads", "1",
    ])
    XCTAssertEqual(train.status, 0, train.stderr)
    XCTAssertTrue(train.stdout.contains("train: 4 steps"), train.stdout)
    XCTAssertTrue(train.stdout.contains("of sgemm's peak"), train.stdout)
    let runFolder = try XCTUnwrap(
      train.stdout.components(separatedBy: "run ").last?.trimmingCharacters(in: .whitespacesAndNewlines))
    // A resumed run takes its own shape; a shape given that differs is refused, naming it.
    let resumed = try run(["train", "-w", workspace, "--resume", runFolder, "--steps", "6", "--threads", "1"])
    XCTAssertEqual(resumed.status, 0, resumed.stderr)
    XCTAssertTrue(resumed.stdout.contains("train: 6 steps"), resumed.stdout)
    // The first run had no earlier one to learn a utilisation from; a second run's forecast
    // uses the first's, and `plan` for the embedded trainer does the same arithmetic.
    XCTAssertTrue(train.stdout.contains("forecast none"), train.stdout)
    let second = try run([
      "train", "-w", workspace, "--layers", "1", "--heads", "2", "--dim", "16", "--context", "16", "--batch", "2",
      "--steps", "4",
      "--eval-every", "2", "--threads", "1", "--run-name", "second",
    ])
    XCTAssertEqual(second.status, 0, second.stderr)
    XCTAssertTrue(second.stdout.range(of: "forecast [0-9.]+ s", options: .regularExpression) != nil, second.stdout)
    let plan = try run([
      "plan", "--hardware", "cpu", "-w", workspace, "--layers", "1", "--heads", "2", "--dim", "16", "--context", "16",
      "--batch", "2",
      "--steps", "4", "--threads", "1", "--format", "json",
    ])
    XCTAssertEqual(plan.status, 0, plan.stderr)
    let forecast = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
    let (flops, peak, mfu, wall) = (
      forecast["flops"] as? Double ?? 0, forecast["peak_flops"] as? Double ?? 0, forecast["mfu"] as? Double ?? 0,
      forecast["wall_seconds"] as? Double ?? 0
    )
    XCTAssertEqual(flops, 4 * 2 * 16 * (forecast["flops_per_token"] as? Double ?? 0), accuracy: flops * 1e-5)
    XCTAssertGreaterThan(mfu, 0)
    // `mfu` is printed to four significant digits: the quotient agrees to their rounding.
    XCTAssertEqual(wall, flops / (peak * mfu), accuracy: wall * 1e-3)
    XCTAssertTrue(
      (forecast["assumptions"] as? [String] ?? []).contains { $0.contains("newest training run") }, plan.stdout)
    let reshaped = try run(["train", "-w", workspace, "--resume", runFolder, "--dim", "32", "--threads", "1"])
    XCTAssertEqual(reshaped.status, 1)
    XCTAssertTrue(reshaped.stderr.contains("--dim 32 differs from the run's 16"), reshaped.stderr)
    let sample = try run([
      "sample", "--checkpoint", runFolder + "/step-00004", "--prompt", "Paragraph", "--max-tokens", "5", "--threads",
      "1",
    ])
    XCTAssertEqual(sample.status, 0, sample.stderr)
    let energy = try run(["energy", "-w", workspace, "--country", "SWE", "--pue", "1.2"])
    XCTAssertEqual(energy.status, 0, energy.stderr)
    for row in [
      "| ingest | stage |", "| tokenizer | stage |", "| shard | stage |", "| pretrain | ", "| total |", "Sweden",
    ] {
      XCTAssertTrue(
        energy.stdout.contains(row)
          || energy.stdout.contains(row.replacingOccurrences(of: "| pretrain | ", with: "pretrain-")), row)
    }
    XCTAssertTrue(FileManager.default.fileExists(atPath: runFolder + "/emissions.csv"))
    // The method column is short; each method's whole explanation is a note under the table, once.
    let methodNotes = energy.stdout.split(separator: "\n").filter { $0.hasPrefix("[") }
    XCTAssertFalse(methodNotes.isEmpty, energy.stdout)
    XCTAssertEqual(Set(methodNotes).count, methodNotes.count, energy.stdout)
    XCTAssertTrue(
      energy.stdout.split(separator: "\n").filter { $0.hasPrefix("| ") }.allSatisfy { $0.count < 160 }, energy.stdout)

    let report = try run(["report", "-w", workspace, "--samples", "1", "--country", "FRA"])
    XCTAssertEqual(report.status, 0, report.stderr)
    let html = try String(contentsOfFile: workspace + "/report.html", encoding: .utf8)
    let parser = XMLParser(data: Data(html.utf8))
    XCTAssertTrue(parser.parse(), "well-formed XHTML: \(parser.parserError.map { "\($0)" } ?? "")")
    for section in [
      "<h2>Data card</h2>", "<h2>Tokenizer</h2>", "<h2>Training</h2>", "<h2>Energy and carbon</h2>", "<svg",
      "<polyline", "class=\"sample\"",
      "<code>hatchery plan</code> forecast",
    ] {
      XCTAssertTrue(html.contains(section), section)
    }
    XCTAssertFalse(html.contains("<script") || html.contains("src=") || html.contains("<link"), "self-contained")
    let badHeads = try run(["train", "-w", workspace, "--heads", "3", "--dim", "16"])
    XCTAssertEqual(badHeads.status, 2)
    XCTAssertTrue(badHeads.stderr.contains("not a multiple of --heads 3"), badHeads.stderr)
  }

  func testSchemaCommandPrintsThePublishedSchema() throws {
    let result = try run(["schema"])
    XCTAssertEqual(result.status, 0)
    let file = try String(
      contentsOf: Self.repository.appendingPathComponent("schemas/provenance.sql"), encoding: .utf8)
    XCTAssertEqual(result.stdout, file)
  }

  func testKilledIngestResumesWithEveryDocumentExactlyOnce() throws {
    let workspace = folder + "/ws"
    XCTAssertEqual(try run(["init", workspace]).status, 0)
    let fileCount = 300
    for index in 0..<fileCount {
      let text = String(repeating: "Document \(index) says something worth keeping. ", count: 200)
      try text.write(toFile: folder + "/input-\(index).txt", atomically: false, encoding: .utf8)
    }
    try FileManager.default.createDirectory(atPath: folder + "/in", withIntermediateDirectories: true)
    for index in 0..<fileCount {
      try FileManager.default.moveItem(
        atPath: folder + "/input-\(index).txt", toPath: folder + "/in/input-\(index).txt")
    }
    // One file per part, so the kill lands between and inside part commits.
    let arguments = ["ingest", "-w", workspace, "--source", "s", "--part-bytes", "1", "--threads", "1", folder + "/in"]
    let running = try start(arguments)
    let store = try ProvenanceStore(path: workspace + "/hatchery.db")
    var committed = 0
    let deadline = Date().addingTimeInterval(60)
    while Date() < deadline && running.process.isRunning {
      if let source = try store.source(named: "s") { committed = try store.parts(sourceID: source.id).count }
      if committed >= 5 { break }
      usleep(2000)
    }
    XCTAssertTrue(running.process.isRunning, "the run ended before it could be killed; make the input larger")
    kill(running.process.processIdentifier, SIGKILL)
    running.process.waitUntilExit()
    XCTAssertEqual(running.process.terminationReason, .uncaughtSignal)
    let source = try XCTUnwrap(try store.source(named: "s"))
    let partsBefore = try store.parts(sourceID: source.id).count
    XCTAssertGreaterThan(partsBefore, 0)
    XCTAssertLessThan(partsBefore, fileCount)

    let resumed = try run(arguments)
    XCTAssertEqual(resumed.status, 0, resumed.stderr)
    XCTAssertTrue(resumed.stdout.contains("up to date"), resumed.stdout)
    let documents = try store.documents(sourceID: source.id)
    XCTAssertEqual(documents.count, fileCount)
    XCTAssertEqual(Set(documents.map(\.path)).count, fileCount)
    var idsInParts: [String] = []
    for part in try store.parts(sourceID: source.id) {
      let reader = try DocumentPartReader(path: workspace + "/" + part.path)
      while let document = try reader.next() { idsInParts.append(document.id) }
    }
    XCTAssertEqual(idsInParts.sorted(), documents.map(\.id).sorted(), "every document exactly once in the parts")
    let leftovers = try FileManager.default.contentsOfDirectory(atPath: workspace + "/docs/s").filter {
      !$0.hasSuffix(".jsonl.zst")
    }
    XCTAssertEqual(leftovers, [], "no temporary files left behind")
    XCTAssertEqual(try run(arguments).stdout.contains("nothing to do"), true)
    let runs = try store.stageRuns(stage: "ingest", scope: "s")
    XCTAssertEqual(runs.map(\.status), [.failed, .completed], "the killed run is marked failed by the next one")
    XCTAssertEqual(runs.first?.counts, #"{"interrupted":true}"#)
  }
}

extension String {
  /// Makes the folder that will hold this path; returns the path.
  fileprivate func ensuringFolder() -> String {
    try? FileManager.default.createDirectory(
      atPath: (self as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    return self
  }
}

extension CommandLineTests {
  func testPlanForecastsARunFromItsModelTokensAndHardware() throws {
    // Llama 2 70B's shape and tokens on A100s, Sweden's grid: FLOPs 6ND + attention, device-hours
    // at the typical MFU with its range, energy and emissions from the table's 400 W.
    let plan = try run([
      "plan", "--params", "70B", "--tokens", "2T", "--layers", "80", "--context", "4096", "--dim", "8192", "--hardware",
      "a100",
      "--devices", "2048", "--country", "SWE", "--pue", "1.1", "--embodied", "--format", "json",
    ])
    XCTAssertEqual(plan.status, 0, plan.stderr)
    let result = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
    let flops = 2e12 * (6 * 70e9 + 12 * 80 * 4096 * 8192)
    XCTAssertEqual(result["flops"] as? Double ?? 0, flops, accuracy: flops * 1e-5)
    let hours = flops / (312e12 * 0.35) / 3600
    XCTAssertEqual(result["device_hours"] as? Double ?? 0, hours, accuracy: hours * 1e-5)
    XCTAssertEqual(result["wall_seconds"] as? Double ?? 0, hours * 3600 / 2048, accuracy: hours * 1e-2)
    XCTAssertEqual(result["kwh"] as? Double ?? 0, hours * 0.4 * 1.1, accuracy: hours * 1e-5)
    XCTAssertEqual(result["operational_kg_co2e"] as? Double ?? 0, hours * 0.4 * 1.1 * 41 / 1000, accuracy: hours * 1e-6)
    XCTAssertNotNil(result["embodied_kg_co2e"])
    let range = try XCTUnwrap(result["device_hours_range"] as? [Double])
    XCTAssertTrue(range[0] < hours && hours < range[1], "\(range)")
    let text = try run(["plan", "--params", "124M", "--tokens", "10B", "--hardware", "h100"])
    XCTAssertEqual(text.status, 0, text.stderr)
    for line in ["device-hours", "wall time", "operational", "assumptions:", "attention FLOPs not counted"] {
      XCTAssertTrue(text.stdout.contains(line), text.stdout)
    }
    let unknown = try run(["plan", "--params", "1B", "--tokens", "1B", "--hardware", "abacus"])
    XCTAssertEqual(unknown.status, 2)
    XCTAssertTrue(unknown.stderr.contains("unknown --hardware abacus"), unknown.stderr)
    let badCount = try run(["plan", "--params", "seven", "--tokens", "1B", "--hardware", "a100"])
    XCTAssertEqual(badCount.status, 2)
    XCTAssertTrue(badCount.stderr.contains("--params seven is not a positive count"), badCount.stderr)
  }
}

extension CommandLineTests {
  func testTheReviewQueueHoldsDocumentsBackFromTheShardsUntilApproved() throws {
    let workspace = folder + "/ws"
    try FileManager.default.createDirectory(atPath: folder + "/in/pkg", withIntermediateDirectories: true)
    // One file with its own licence; four that say nothing, so `unknown: review` holds them back.
    try
      ("// SPDX-License-Identifier: MIT\n"
      + (0..<40).map { "Line \($0) of the licensed file, with words to count." }.joined(separator: "\n"))
      .write(toFile: folder + "/in/licensed.txt", atomically: false, encoding: .utf8)
    for number in 0..<4 {
      try (0..<40).map { "Paragraph \($0) of unknown file \(number): nobody says under which terms." }.joined(
        separator: "\n"
      )
      .write(toFile: folder + "/in/pkg/u\(number).txt", atomically: false, encoding: .utf8)
    }
    try "allow: [permissive]\nunknown: review\nconflict: review\n".write(
      toFile: folder + "/policy.yaml", atomically: false, encoding: .utf8)
    XCTAssertEqual(try run(["init", workspace]).status, 0)
    XCTAssertEqual(try run(["ingest", "-w", workspace, "--source", "files", folder + "/in"]).status, 0)
    let tag = try run(["tag", "-w", workspace, "--policy", folder + "/policy.yaml"])
    XCTAssertEqual(tag.status, 0, tag.stderr)
    XCTAssertTrue(tag.stdout.contains("4 for review"), tag.stdout)
    let list = try run(["review", "list", "-w", workspace])
    XCTAssertEqual(list.status, 0, list.stderr)
    XCTAssertTrue(list.stdout.contains("4 document(s) held back for review"), list.stdout)
    let ids = list.stdout.split(separator: "\n").filter { $0.contains("\t") }.map {
      String($0.split(separator: "\t")[0])
    }
    XCTAssertEqual(ids.count, 4)
    XCTAssertTrue(list.stdout.contains("in/pkg/u0.txt\tunknown\tunknown licence"), list.stdout)

    XCTAssertEqual(try run(["tokenizer", "train", "-w", workspace, "--vocab-size", "300"]).status, 0)
    func shardedDocuments(_ extra: [String] = []) throws -> String {
      let shard = try run(["shard", "-w", workspace, "--val-fraction", "0.2", "--force"] + extra)
      XCTAssertEqual(shard.status, 0, shard.stderr)
      return shard.stdout
    }
    XCTAssertTrue(try shardedDocuments().contains("1 documents"), "only the licensed file is sharded")

    // Approve one: it is sharded from the next run. Reject one: it is dropped, with the note.
    let approve = try run([
      "review", "approve", "-w", workspace, ids[0], "--reviewer", "alice", "--note", "our own text",
    ])
    XCTAssertEqual(approve.status, 0, approve.stderr)
    XCTAssertTrue(approve.stdout.contains("1 document(s) approved (kept) by alice"), approve.stdout)
    let noNote = try run(["review", "reject", "-w", workspace, ids[1]])
    XCTAssertEqual(noNote.status, 2)
    XCTAssertTrue(noNote.stderr.contains("reject needs --note"), noNote.stderr)
    XCTAssertEqual(
      try run(["review", "reject", "-w", workspace, ids[1], "--reviewer", "bob", "--note", "scraped"]).status, 0)
    let again = try run(["review", "approve", "-w", workspace, ids[1]])
    XCTAssertEqual(again.status, 1, "a decided document is no longer held back")
    XCTAssertTrue(again.stderr.contains("is not held back for review"), again.stderr)
    XCTAssertTrue(try run(["review", "list", "-w", workspace]).stdout.contains("2 document(s) held back"))
    XCTAssertTrue(try shardedDocuments().contains("2 documents"), "the licensed file and the approved one")
    XCTAssertTrue(
      try shardedDocuments(["--include-review"]).contains("4 documents"),
      "with the held-back ones, without the rejected")

    // The decisions say who and why; the audit counts what is held back.
    let trace = try run(["trace", "-w", workspace, ids[1]])
    XCTAssertTrue(trace.stdout.contains("review: drop, rejected by bob: scraped"), trace.stdout)
    let audit = try run(["audit", "-w", workspace, "--format", "md"])
    XCTAssertTrue(audit.stdout.contains("## Held back from the shards for licence review"), audit.stdout)
    XCTAssertTrue(audit.stdout.contains("| unknown licence | 2 |"), audit.stdout)
    // By query: every held-back document of the source.
    let all = try run(["review", "approve", "-w", workspace, "--matching", "--source", "files", "--reason", "unknown"])
    XCTAssertEqual(all.status, 0, all.stderr)
    XCTAssertTrue(all.stdout.contains("2 document(s) approved"), all.stdout)
    XCTAssertTrue(try shardedDocuments().contains("4 documents"))
  }
}

extension CommandLineTests {
  /// `classifier train` writes a model that `classifier predict` applies: JSON lines in input
  /// order, JSONL texts by their field; a damaged model is one line naming the byte.
  func testAClassifierTrainedFromLabelledLinesPredictsTheirLabels() throws {
    var lines: [String] = []
    for index in 0..<200 {
      lines.append(
        index % 2 == 0
          ? "__label__fruit apple pear plum \(["banana", "cherry"][index % 4 / 2])"
          : "__label__car wheel brake gear \(["engine", "clutch"][index % 4 / 2])")
    }
    try lines.joined(separator: "\n").write(toFile: folder + "/train.txt", atomically: true, encoding: .utf8)
    let model = folder + "/model.bin"
    let trained = try run([
      "classifier", "train", "--input", folder + "/train.txt", "--output", model, "--dim", "8", "--epoch", "10", "--lr",
      "0.5", "--threads", "1",
    ])
    XCTAssertEqual(trained.status, 0, trained.stderr)
    XCTAssertTrue(trained.stdout.contains("trained on 200 examples"), trained.stdout)
    try "cherry plum\nengine gear\n".write(toFile: folder + "/texts.txt", atomically: true, encoding: .utf8)
    try #"{"text": "pear apple"}"#.write(toFile: folder + "/texts.jsonl", atomically: true, encoding: .utf8)
    let predicted = try run(["classifier", "predict", model, folder + "/texts.txt", folder + "/texts.jsonl", "-k", "2"])
    XCTAssertEqual(predicted.status, 0, predicted.stderr)
    let records = predicted.stdout.split(separator: "\n").map {
      try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
    }
    XCTAssertEqual(
      records.map { ($0?["labels"] as? [String])?.first }, ["__label__fruit", "__label__car", "__label__fruit"])
    XCTAssertEqual(records.map { $0?["line"] as? Int }, [1, 2, 1])
    XCTAssertEqual((records[0]?["probabilities"] as? [Double])?.count, 2)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: model))
    try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: folder + "/half.bin"))
    let damaged = try run(["classifier", "predict", folder + "/half.bin", folder + "/texts.txt"])
    XCTAssertEqual(damaged.status, 1)
    XCTAssertTrue(damaged.stderr.contains("half.bin: byte "), damaged.stderr)
    XCTAssertEqual(damaged.stderr.split(separator: "\n").count, 1, damaged.stderr)
  }

  /// `hatchery ablate`: two variants of the sample set, two seeds each, scored on held-out text;
  /// run again, every run is up to date; an evaluation set the variants train on is refused.
  func testAblateComparesVariantsAndRefusesAnEvaluationSetItTrainsOn() throws {
    let repository = Self.repository.path
    try """
    version: 1
    workspace: unused
    sources:
      - {name: examples, paths: [\(repository)/examples/corpus, \(repository)/examples/web], license: CC0-1.0}
    stages:
      ingest: {added: "2026-01-01T00:00:00Z", threads: 1}
      dedup: {paragraphs: true, threads: 1}
      tokenizer: {vocab_size: 400, threads: 1}
      shard: {val_fraction: 0.1, threads: 1}
      train: {layers: 1, heads: 2, dim: 32, context: 32, batch: 4, steps: 12, eval_every: 6, checkpoint_every: 0, threads: 1}

    """.write(toFile: folder + "/base.yaml", atomically: true, encoding: .utf8)
    try Data(
      """
      {"text": "A held-out paragraph about hatching eggs: the incubator keeps them warm for three weeks.", "source": "notes"}
      {"text": "Another one, on shards and tokens, that no variant of the sample set trains on.", "source": "notes"}

      """.utf8
    ).write(to: URL(fileURLWithPath: folder + "/held-out.jsonl"))
    let ablation = folder + "/compare.yaml"
    try """
    version: 1
    pipeline: \(folder!)/base.yaml
    folder: \(folder!)/work
    seeds: 2
    eval: {held: \(folder!)/held-out.jsonl}
    variants:
      baseline: {}
      no-dedup: {dedup: off}

    """.write(toFile: ablation, atomically: true, encoding: .utf8)
    let first = try run(["ablate", ablation])
    XCTAssertEqual(first.status, 0, first.stderr + first.stdout)
    let json = try XCTUnwrap(
      try JSONParser.parse(String(contentsOfFile: folder + "/work/ablation.json", encoding: .utf8)).objectValue)
    func array(_ value: JSONValue?) -> [JSONValue] {
      if case .array(let items)? = value { return items } else { return [] }
    }
    let variants = array(json["variants"])
    XCTAssertEqual(variants.count, 2)
    XCTAssertEqual(variants.compactMap { $0.objectValue?["name"]?.stringValue }, ["baseline", "no-dedup"])
    for variant in variants {
      let runs = array(variant.objectValue?["runs"])
      XCTAssertEqual(runs.compactMap { $0.objectValue?["seed"]?.intValue }, [1337, 1338])
      for run in runs {
        guard case .number(let text)? = run.objectValue?["bits_per_byte"], let bits = Double(text) else {
          return XCTFail("\(run)")
        }
        XCTAssertTrue(bits > 0 && bits < 16, text)
      }
    }
    XCTAssertNotNil(variants[1].objectValue?["versus_baseline"]?.objectValue?["p"])
    // What a comparison says: every run's bits per byte, each variant's test against the baseline.
    func figures(_ folder: String) throws -> [String] {
      let json = try XCTUnwrap(
        try JSONParser.parse(String(contentsOfFile: folder + "/ablation.json", encoding: .utf8)).objectValue)
      return array(json["variants"]).map { variant in
        let object = variant.objectValue
        let runs = array(object?["runs"]).map { JSONWriter.encode($0.objectValue?["bits_per_byte"] ?? .null) }
        return
          "\(object?["name"]?.stringValue ?? "?"): \(runs) \(JSONWriter.encode(object?["versus_baseline"] ?? .null))"
      }
    }
    let expected = try figures(folder + "/work")
    let markdown = try String(contentsOfFile: folder + "/work/ablation.md", encoding: .utf8)
    XCTAssertTrue(markdown.contains("| no-dedup |"), markdown)
    XCTAssertTrue(markdown.contains("Welch's t-test"), markdown)
    XCTAssertTrue(try String(contentsOfFile: folder + "/work/ablation.html", encoding: .utf8).contains("<svg"))

    let again = try run(["ablate", ablation])
    XCTAssertEqual(again.status, 0, again.stderr)
    XCTAssertEqual(again.stdout.components(separatedBy: ": up to date (").count - 1, 4, again.stdout)
    XCTAssertFalse(again.stdout.contains("hatchery train -w"), again.stdout)

    // Step by step, as the Slurm jobs run it: a missing run is named, its variant's train step
    // makes it again, and the comparison is the same.
    try FileManager.default.removeItem(atPath: folder + "/work/results/no-dedup/seed-1338.json")
    try FileManager.default.removeItem(atPath: folder + "/work/runs/no-dedup/seed-1338")
    let incomplete = try run(["ablate", "--step", "compare", ablation])
    XCTAssertEqual(incomplete.status, 1)
    XCTAssertTrue(
      incomplete.stderr.contains("no up-to-date result for no-dedup seed 1338 (--step train --task 3)"),
      incomplete.stderr)
    XCTAssertEqual(try run(["ablate", "--step", "train", "--task", "3", ablation]).status, 0)
    XCTAssertEqual(try run(["ablate", "--step", "compare", ablation]).status, 0)
    // The same comparison (times and energy differ from run to run).
    XCTAssertEqual(try figures(folder + "/work"), expected)
    XCTAssertEqual(
      try run(["ablate", "--step", "train", ablation]).status, 2, "--step train needs --task (a usage error)")
    let scripts = try run(["ablate", "--slurm", folder + "/slurm", "--partition", "cpu", ablation])
    XCTAssertEqual(scripts.status, 0, scripts.stderr)
    let prepare = try String(contentsOfFile: folder + "/slurm/01-prepare.sbatch", encoding: .utf8)
    XCTAssertTrue(prepare.contains("#SBATCH --array=0-1\n"), prepare)
    XCTAssertTrue(prepare.contains("ablate --step prepare --task \"$task\" \(ablation)"), prepare)
    let submit = try String(contentsOfFile: folder + "/slurm/submit.sh", encoding: .utf8)
    XCTAssertTrue(
      submit.contains("job_compare=$(sbatch --parsable --dependency=afterok:$job_train 03-compare.sbatch)"), submit)
    // The jobs as Slurm would run them (each array task with its SLURM_ARRAY_TASK_ID), into a
    // fresh folder: the same comparison.
    try String(contentsOfFile: ablation, encoding: .utf8).replacingOccurrences(
      of: "\(folder!)/work", with: "\(folder!)/jobs"
    )
    .write(toFile: folder + "/jobs.yaml", atomically: true, encoding: .utf8)
    XCTAssertEqual(try run(["ablate", "--slurm", folder + "/jobs-slurm", folder + "/jobs.yaml"]).status, 0)
    for (script, tasks) in [("01-prepare", 2), ("02-train", 4), ("03-compare", 1)] {
      for task in 0..<tasks {
        let job = Process()
        job.executableURL = URL(fileURLWithPath: "/bin/bash")
        job.arguments = [folder + "/jobs-slurm/\(script).sbatch"]
        job.environment = ProcessInfo.processInfo.environment.merging(
          ["SLURM_ARRAY_TASK_ID": "\(task)", "XDG_CACHE_HOME": folder + "/cache"]) { $1 }
        job.standardOutput = FileHandle.nullDevice
        try job.run()
        job.waitUntilExit()
        XCTAssertEqual(job.terminationStatus, 0, "\(script) task \(task)")
      }
    }
    XCTAssertEqual(try figures(folder + "/jobs"), expected)

    // The sample set's own essays as the evaluation set: every variant trains on them.
    try String(contentsOfFile: ablation, encoding: .utf8)
      .replacingOccurrences(of: "\(folder!)/held-out.jsonl", with: "\(repository)/examples/corpus/essays")
      .write(toFile: folder + "/contaminated.yaml", atomically: true, encoding: .utf8)
    let refused = try run(["ablate", folder + "/contaminated.yaml"])
    XCTAssertEqual(refused.status, 1)
    XCTAssertTrue(refused.stderr.contains("variant baseline trains on evaluation document(s) held#"), refused.stderr)
    // A passage of a training document inside new text: no copy, but its 13-grams are there.
    try Data(
      """
      {"text": "Some new words first. A pre-training corpus is assembled from thousands of sources, each with its own terms. When a model later repeats a passage, or when a publisher asks whether their work was used, the only honest answer comes from records kept while the data was prepared."}

      """.utf8
    ).write(to: URL(fileURLWithPath: folder + "/held-out.jsonl"))
    let overlapping = try run(["ablate", ablation])
    XCTAssertEqual(overlapping.status, 1)
    XCTAssertTrue(
      overlapping.stderr.contains("of the evaluation text's 13-grams are in variant baseline's training documents"),
      overlapping.stderr)
    XCTAssertTrue(overlapping.stderr.contains("max_shared_ngrams 0.01"), overlapping.stderr)
  }
}
