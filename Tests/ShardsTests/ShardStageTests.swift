import Foundation
import GRDB
import HatcheryCore
import HatcheryTestSupport
import Ingest
import Logging
import Tokenizer
import XCTest

@testable import Shards

final class ShardStageTests: XCTestCase {
  private var fixture: IngestedWorkspace!
  private var folder: String { fixture.folder }
  private var workspace: Workspace { fixture.workspace }

  override func setUpWithError() throws {
    let files = (0..<30).map { number in
      (
        "d\(number).txt",
        (0..<(20 + number * 7)).map {
          "Document \(number) sentence \($0) about rivers, bridges and \($0 * number) stones."
        }
        .joined(separator: "\n")
      )
    }
    // One file per part: 30 parts, so every task of up to 7 has several.
    fixture = try IngestedWorkspace("shards", files: files) { $0.partBytes = 1 }
    _ = try TokenizerStage.run(workspace: workspace, options: TokenizerTrainingOptions(vocabularySize: 400))
  }

  override func tearDown() { fixture?.remove() }

  private func options(threads: Int) -> ShardOptions {
    var options = ShardOptions()
    options.tokensPerShard = 10_000
    options.validationFraction = 0.1
    options.seed = 7
    options.threads = threads
    return options
  }

  func testShardsTheKeptDocumentsDeterministicallyWithAMapBackToEachDocument() throws {
    let first = try ShardStage.run(workspace: workspace, options: options(threads: 1))
    XCTAssertEqual(first.documents, 30)
    XCTAssertEqual(first.shards.filter { $0.split == "val" }.map(\.documents).reduce(0, +), 3)
    XCTAssertGreaterThan(first.shards.filter { $0.split == "train" }.count, 1, "several train shards")
    XCTAssertTrue(try ShardStage.run(workspace: workspace, options: options(threads: 1)).nothingToDo)
    let again = try ShardStage.run(workspace: workspace, options: options(threads: 3), force: true)
    XCTAssertEqual(again.shards, first.shards, "same bytes on another thread count")

    let manifest = try ShardManifest.load(workspace: workspace)
    XCTAssertEqual(manifest.shards, first.shards)
    XCTAssertEqual(manifest.tokenType, .uint16)
    XCTAssertEqual(manifest.vocabularySize, 400)
    XCTAssertEqual(try ShardVerifier.verify(workspace: workspace).shards, first.shards.count)

    // Every document's tokens in the shards decode to its stored text, after its separator.
    let tokenizer = try TokenizerFile.load(path: workspace.absolute(TokenizerStage.jsonPath))
    let store = try workspace.openStore()
    let shard = manifest.shards[0]
    let reader = try ShardReader(path: workspace.absolute(shard.path), tokenType: manifest.tokenType)
    let all = try reader.read(from: 0, count: reader.count)
    XCTAssertEqual(all[0], manifest.endOfText)
    let traced = try XCTUnwrap(try store.shardDocument(path: shard.path, token: 1))
    XCTAssertEqual(traced.tokenOffset, 1)
    XCTAssertNil(try store.shardDocument(path: shard.path, token: 0), "a separator belongs to no document")
    let text = String(
      decoding: try tokenizer.decode(Array(all[traced.tokenOffset..<traced.tokenOffset + traced.tokenCount])),
      as: UTF8.self)
    let documents = try KeptDocuments(workspace: workspace, store: store).reader()
    var stored: String?
    while stored == nil, let (document, bytes) = try documents.next() {
      if document.id == traced.documentID { stored = String(decoding: bytes, as: UTF8.self) }
    }
    XCTAssertEqual(text, stored)
    XCTAssertEqual(
      all[traced.tokenOffset + traced.tokenCount], manifest.endOfText, "the next document's separator follows")
    let bySource = try store.tokensBySourceAndLicense()
    XCTAssertEqual(bySource.map(\.documents).reduce(0, +), 30)
    XCTAssertEqual(bySource.map(\.tokens).reduce(0, +) + 30, first.tokens, "every token but the separators is mapped")

    // The order, val shards then train shards, is the ids sorted by XXH64(seed, id), then by id.
    let inOrder = try store.read { db in
      try String.fetchAll(
        db,
        sql: """
          SELECT m.document_id FROM shard_map m JOIN shards s ON s.id = m.shard_id
          ORDER BY s.split = 'train', s.path, m.token_offset
          """)
    }
    func key(_ id: String) -> UInt64 {
      var id = id
      return id.withUTF8 { PartTokenFile.hash(UnsafeRawBufferPointer($0), seed: 7) }
    }
    XCTAssertEqual(
      inOrder, inOrder.sorted { key($0) != key($1) ? key($0) < key($1) : $0.utf8.lexicographicallyPrecedes($1.utf8) })
    XCTAssertEqual(Set(inOrder).count, 30)
  }

  /// Parts ingested again take the recorded shards with them (the map has no index by document
  /// to delete theirs alone); the shard stage then writes the same shards again, though the
  /// kept documents' fingerprint is unchanged.
  func testIngestingAPartAgainClearsTheShardMapAndShardingRunsAgain() throws {
    let first = try ShardStage.run(workspace: workspace, options: options(threads: 1))
    var ingest = IngestOptions(source: "s", paths: [folder + "/in"])
    ingest.partBytes = 1
    ingest.force = true
    _ = try IngestStage.run(
      workspace: workspace, options: ingest,
      logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, showProgress: false)
    let store = try workspace.openStore()
    XCTAssertEqual(try store.shards(), [])
    XCTAssertEqual(try store.tokensBySourceAndLicense().count, 0)
    let again = try ShardStage.run(workspace: workspace, options: options(threads: 1))
    XCTAssertFalse(again.nothingToDo)
    XCTAssertEqual(again.shards, first.shards)
    XCTAssertEqual(try store.tokensBySourceAndLicense().map(\.documents).reduce(0, +), 30)
  }

  /// A batch of random windows is the same whatever the number of threads decoding it, and
  /// every window is a run of tokens of one shard.
  func testRandomWindowsAreTheSameOnAnyThreadCountAndComeFromTheShards() throws {
    _ = try ShardStage.run(workspace: workspace, options: options(threads: 2))
    let (count, length) = (40, 300)
    let batches = try [1, 3].map { threads -> [UInt32] in
      let dataset = try ShardDataset(workspace: workspace, split: "train", threads: threads)
      var random = SplitMix64(seed: 11)
      var windows = [UInt32](repeating: 0, count: count * length)
      try windows.withUnsafeMutableBufferPointer { buffer in
        try dataset.randomWindows(count: count, length: length, into: buffer.baseAddress!) {
          Int(random.next() % UInt64($0))
        }
      }
      return windows
    }
    XCTAssertEqual(batches[0], batches[1])
    let manifest = try ShardManifest.load(workspace: workspace)
    let shards = try manifest.shards.filter { $0.split == "train" }.map { shard in
      let reader = try ShardReader(path: workspace.absolute(shard.path), tokenType: manifest.tokenType)
      return try reader.read(from: 0, count: reader.count)
    }
    XCTAssertGreaterThan(shards.count, 1, "windows are drawn across shards")
    var shardsUsed = Set<Int>()
    for window in 0..<count {
      let tokens = Array(batches[0][(window * length)..<((window + 1) * length)])
      let found = shards.indices.first { index in
        let all = shards[index]
        return (0...(all.count - length)).contains { all[$0] == tokens[0] && Array(all[$0..<($0 + length)]) == tokens }
      }
      XCTAssertNotNil(found, "window \(window) is not a run of any train shard")
      if let found { shardsUsed.insert(found) }
    }
    XCTAssertGreaterThan(shardsUsed.count, 1)
    // `shard read`: the same windows, timed, and a sequential pass over every train token.
    let dataset = try ShardDataset(workspace: workspace, split: "train", threads: 2)
    let random = try dataset.timedRead(windows: 5, length: 7, batch: 2, seed: 11)
    XCTAssertTrue(random.contains("\"mode\":\"random\",\"tokens\":35,\"windows\":5"), random)
    let sequential = try dataset.timedRead(windows: 0, length: 7, batch: 2, seed: 11)
    let trainTokens = manifest.shards.filter { $0.split == "train" }.reduce(0) { $0 + $1.tokens }
    XCTAssertTrue(sequential.contains("\"mode\":\"sequential\",\"tokens\":\(trainTokens)"), sequential)
  }

  func testVerifyNamesTheDamagedShardAndFrame() throws {
    var options = options(threads: 2)
    options.tokensPerShard = 50_000
    let summary = try ShardStage.run(workspace: workspace, options: options)
    let shard = try XCTUnwrap(summary.shards.first { $0.split == "train" && $0.frames > 1 })
    let path = workspace.absolute(shard.path)
    var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    let table = try bytes.withUnsafeBytes { try SeekTable.read(from: $0, name: path) }
    bytes[Int(table.entries[0].compressedSize) + 20] ^= 0x40
    try bytes.write(to: URL(fileURLWithPath: path))
    XCTAssertThrowsError(try ShardVerifier.verify(workspace: workspace)) { error in
      guard case .damaged(shard.path, let reason)? = error as? ShardError else { return XCTFail("\(error)") }
      XCTAssertTrue(reason.hasPrefix("frame 1:"), reason)
    }
    try bytes.prefix(bytes.count - 1).write(to: URL(fileURLWithPath: path))
    XCTAssertThrowsError(try ShardVerifier.verify(workspace: workspace)) { error in
      guard case .damaged(shard.path, _)? = error as? ShardError else { return XCTFail("\(error)") }
    }
  }

  func testExportsWriteTheTrainersHeaders() throws {
    let summary = try ShardStage.run(workspace: workspace, options: options(threads: 2))
    let llmc = try TrainerExport.export(workspace: workspace, format: .llmc, to: folder + "/llmc")
    XCTAssertEqual(llmc.files.count, summary.shards.count)
    let first = try Data(contentsOf: URL(fileURLWithPath: folder + "/llmc/val_000000.bin"))
    let header = first.withUnsafeBytes { raw in
      (0..<3).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) }
    }
    let valTokens = summary.shards.first { $0.split == "val" }!.tokens
    XCTAssertEqual(header, [20_240_520, 1, Int32(valTokens)])
    XCTAssertEqual(first.count, 1024 + 2 * valTokens)

    let megatron = try TrainerExport.export(workspace: workspace, format: .megatron, to: folder + "/mg")
    XCTAssertEqual(megatron.tokens, summary.tokens, "each separator becomes one end-of-document token")
    let index = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/mg/train_text_document.idx")))
    XCTAssertEqual(Array(index[0..<9]), Array("MMIDIDX".utf8) + [0, 0])
    let fields = index.withUnsafeBytes { raw in
      (
        raw.loadUnaligned(fromByteOffset: 9, as: UInt64.self), raw[17],
        raw.loadUnaligned(fromByteOffset: 18, as: UInt64.self),
        raw.loadUnaligned(fromByteOffset: 26, as: UInt64.self)
      )
    }
    let trainDocuments = summary.shards.filter { $0.split == "train" }.map(\.documents).reduce(0, +)
    XCTAssertEqual(fields.0, 1)
    XCTAssertEqual(fields.1, 8, "uint16")
    XCTAssertEqual(fields.2, UInt64(trainDocuments))
    XCTAssertEqual(fields.3, UInt64(trainDocuments + 1))
    XCTAssertEqual(index.count, 34 + trainDocuments * 4 + trainDocuments * 8 + (trainDocuments + 1) * 8)
  }

  /// Tasks tokenize their parts into task files (the store only read, here mounted read-only
  /// where this machine allows); the merge writes the same shards, manifest and shard map as one
  /// process, whatever the number of tasks; it refuses while a task's files are missing, and that
  /// task re-run alone completes the stage.
  func testTasksAndAMergeWriteWhatOneProcessWrites() throws {
    let pristine = folder + "/pristine"
    try FileManager.default.copyItem(atPath: workspace.root, toPath: pristine)
    let whole = try ShardStage.run(workspace: workspace, options: options(threads: 2))
    let expected = try shardOutputs(workspace)
    XCTAssertGreaterThan(expected.files.count, 3)
    XCTAssertEqual(try workspace.openStore().allParts().count, 30)
    for tasks in [1, 3, 7] {
      let split = try copyWorkspace(pristine, to: folder + "/split-\(tasks)")
      var options = options(threads: 1)
      options.step = .task
      options.tasks = tasks
      let storeBefore = try Data(contentsOf: URL(fileURLWithPath: split.storePath))
      let undo = tasks == 3 ? TestSupport.mountReadOnly(split.storePath) : nil
      if undo != nil { XCTAssertThrowsError(try split.openStore(), "the mount is really read-only") }
      for task in 0..<tasks {
        options.task = task
        let summary = try ShardStage.run(workspace: split, options: options)
        XCTAssertEqual(summary.task?.count, (0..<30).filter { $0 % tasks == task }.count)
      }
      undo?()
      XCTAssertEqual(
        try Data(contentsOf: URL(fileURLWithPath: split.storePath)), storeBefore, "tasks do not write the store")
      XCTAssertTrue(
        try ShardStage.run(workspace: split, options: options).nothingToDo, "a finished task has nothing to do")
      options.step = .merge
      if tasks == 7 {
        // Task 4 killed before it wrote its parts: the merge refuses, names it and writes
        // nothing; task 4 run again alone completes the stage.
        for part in stride(from: 4, to: 30, by: 7) {
          try FileManager.default.removeItem(atPath: try partFile(split, part))
        }
        XCTAssertThrowsError(try ShardStage.run(workspace: split, options: options)) { error in
          guard case .missingTaskOutputs(_, let parts, 30, 7, _)? = error as? StageError else {
            return XCTFail("\(error)")
          }
          XCTAssertEqual(parts.count, 4)
          XCTAssertEqual((error as? StageError)?.waitingTasks, [4])
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: split.absolute(ShardManifest.path)))
        var rerun = options
        rerun.step = .task
        rerun.task = 4
        XCTAssertEqual(try ShardStage.run(workspace: split, options: rerun).task?.count, 4)
      }
      // The write steps, each writing its shards from every task's tokens; the store only read.
      options.step = .write
      // (The refused merge above opened the store for writing, which may fold its WAL in.)
      let storeBeforeWrite = try Data(contentsOf: URL(fileURLWithPath: split.storePath))
      let undoWrite = tasks == 3 ? TestSupport.mountReadOnly(split.storePath) : nil
      var shardsWritten = 0
      for task in 0..<tasks {
        options.task = task
        shardsWritten += try XCTUnwrap(try ShardStage.run(workspace: split, options: options).task).count
      }
      undoWrite?()
      XCTAssertEqual(shardsWritten, whole.shards.count)
      XCTAssertEqual(
        try Data(contentsOf: URL(fileURLWithPath: split.storePath)), storeBeforeWrite,
        "write steps do not write the store")
      options.step = .merge
      if tasks == 3 {
        // A write step killed: the merge names its task and writes nothing; run again, it completes.
        let killed = try XCTUnwrap(whole.shards.firstIndex { $0.path == "shards/train/shard-00001.tok.zst" }) % 3
        let result = try XCTUnwrap(
          FileManager.default.subpaths(atPath: split.absolute("tasks/shard"))?.first {
            $0.hasSuffix("train/shard-00001.json")
          })
        try FileManager.default.removeItem(atPath: split.absolute("tasks/shard/" + result))
        XCTAssertThrowsError(try ShardStage.run(workspace: split, options: options)) { error in
          XCTAssertEqual(
            error as? ShardError, .unwrittenShards(unwritten: 1, of: whole.shards.count, tasks: 3, waiting: [killed]))
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: split.absolute(ShardManifest.path)))
        var rerun = options
        rerun.step = .write
        rerun.task = killed
        XCTAssertEqual(
          try ShardStage.run(workspace: split, options: rerun).task?.count, 1, "only the missing shard is written")
      }
      let merged = try ShardStage.run(workspace: split, options: options)
      XCTAssertEqual(merged.shards, whole.shards, "\(tasks) tasks")
      XCTAssertEqual(merged.documents, whole.documents)
      XCTAssertEqual(merged.tokens, whole.tokens)
      let outputs = try shardOutputs(split)
      XCTAssertEqual(outputs.files, expected.files, "\(tasks) tasks: the same shards and manifest")
      XCTAssertEqual(outputs.map, expected.map, "\(tasks) tasks: the same shard map")
      XCTAssertTrue(try ShardStage.run(workspace: split, options: options).nothingToDo, "merging twice does nothing")
      XCTAssertFalse(
        FileManager.default.fileExists(atPath: split.absolute("tasks/shard")), "the merge removes its task files")
    }
  }

  /// A damaged task file is named, and the merge writes nothing.
  func testADamagedTaskFileIsNamed() throws {
    var options = options(threads: 1)
    options.step = .task
    _ = try ShardStage.run(workspace: workspace, options: options)
    let path = try partFile(workspace, 2)
    let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
    try bytes.dropLast(3).write(to: URL(fileURLWithPath: path))
    options.step = .merge
    XCTAssertThrowsError(try ShardStage.run(workspace: workspace, options: options)) { error in
      guard case .incompleteTaskFile(path, _)? = error as? ShardError else { return XCTFail("\(error)") }
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.absolute(ShardManifest.path)))

    // A row of the table that points past the file's tokens is named too.
    options.step = .task
    _ = try ShardStage.run(workspace: workspace, options: options, force: true)
    var damaged = try Data(contentsOf: URL(fileURLWithPath: path))
    let firstRow =
      damaged.count - PartTokenFile.footerSize - 32
      * Int(
        damaged.withUnsafeBytes {
          UInt64(
            littleEndian: $0.loadUnaligned(fromByteOffset: damaged.count - PartTokenFile.footerSize, as: UInt64.self))
        })
    damaged.replaceSubrange(firstRow + 8..<firstRow + 16, with: Array(repeating: 0xFF, count: 8))
    try damaged.write(to: URL(fileURLWithPath: path))
    options.step = .merge
    XCTAssertThrowsError(try ShardStage.run(workspace: workspace, options: options)) { error in
      XCTAssertEqual(
        "\(error)",
        "\(path): not a complete shard task file (row 0 points past its tokens or ids); run the shard task of its part again"
      )
    }
  }

  private func copyWorkspace(_ from: String, to path: String) throws -> Workspace {
    try FileManager.default.copyItem(atPath: from, toPath: path)
    return try Workspace.open(at: path)
  }

  /// The task file of `part` (absolute), whatever its configuration folder.
  private func partFile(_ workspace: Workspace, _ part: Int) throws -> String {
    let root = workspace.absolute("tasks/shard")
    let folders = try FileManager.default.contentsOfDirectory(atPath: root)
    return root + "/" + (try XCTUnwrap(folders.first)) + "/part-" + String(format: "%05d", part) + ".tokens"
  }

  /// The shard files and manifest (relative path → bytes) and the shard map's rows.
  private func shardOutputs(_ workspace: Workspace) throws -> (files: [String: Data], map: [[String]]) {
    var files: [String: Data] = [:]
    let root = workspace.absolute("shards")
    for relative in FileManager.default.subpaths(atPath: root) ?? [] {
      var directory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: root + "/" + relative, isDirectory: &directory), !directory.boolValue
      else { continue }
      files[relative] = try Data(contentsOf: URL(fileURLWithPath: root + "/" + relative))
    }
    let map = try workspace.openStoreForReading().read { db in
      try Row.fetchAll(
        db,
        sql: """
          SELECT s.path, m.token_offset, m.document_id, m.token_count FROM shard_map m JOIN shards s ON s.id = m.shard_id
          ORDER BY s.path, m.token_offset
          """
      ).map { row in
        [
          "\(row["path"] as String)", "\(row["token_offset"] as Int)", row["document_id"] as String,
          "\(row["token_count"] as Int)",
        ]
      }
    }
    return (files, map)
  }

  func testAFailedRunLeavesNoManifest() throws {
    try FileManager.default.removeItem(atPath: workspace.absolute(TokenizerStage.jsonPath))
    XCTAssertThrowsError(try ShardStage.run(workspace: workspace, options: options(threads: 1))) {
      XCTAssertEqual(
        $0 as? ShardError,
        .missingTokenizer(path: workspace.absolute(TokenizerStage.jsonPath), workspace: workspace.root))
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.absolute(ShardManifest.path)))
  }
}

final class ShardManifestSchemaTests: XCTestCase {
  /// The manifest writes exactly the fields schemas/shard-manifest.schema.json names.
  func testTheManifestHasTheSchemasFields() throws {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let schema =
      try JSONSerialization.jsonObject(
        with: Data(contentsOf: repository.appendingPathComponent("schemas/shard-manifest.schema.json")))
      as! [String: Any]
    let manifest = ShardManifest(
      tokenizerPath: "tokenizer/tokenizer.json", tokenizerSHA256: String(repeating: "a", count: 64),
      vocabularySize: 300, endOfText: 299,
      tokenType: .uint16, frameTokens: 8192, seed: 3, validationFraction: 0.1,
      shards: [
        .init(
          path: "shards/train/shard-00000.tok.zst", split: "train", tokens: 10, documents: 2, frames: 1, bytes: 99,
          sha256: String(repeating: "b", count: 64))
      ])
    let written = try JSONSerialization.jsonObject(with: Data(manifest.encoded())) as! [String: Any]
    let properties = schema["properties"] as! [String: Any]
    XCTAssertEqual(Set(written.keys), Set(properties.keys))
    XCTAssertEqual(Set(schema["required"] as! [String]), Set(properties.keys))
    let tokenizer = (properties["tokenizer"] as! [String: Any])["properties"] as! [String: Any]
    XCTAssertEqual(Set((written["tokenizer"] as! [String: Any]).keys), Set(tokenizer.keys))
    let shard = ((properties["shards"] as! [String: Any])["items"] as! [String: Any])["properties"] as! [String: Any]
    XCTAssertEqual(Set(((written["shards"] as! [Any])[0] as! [String: Any]).keys), Set(shard.keys))
  }
}
