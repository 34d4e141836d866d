import Foundation
import HatcheryCore
import Ingest
import Logging
import Tokenizer
import XCTest

@testable import Shards

final class ShardStageTests: XCTestCase {
  private var folder = ""
  private var workspace: Workspace!

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "hatchery-shards-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder + "/in", withIntermediateDirectories: true)
    for number in 0..<30 {
      let text = (0..<(20 + number * 7)).map { "Document \(number) sentence \($0) about rivers, bridges and \($0 * number) stones." }
      try text.joined(separator: "\n").write(toFile: folder + "/in/d\(number).txt", atomically: false, encoding: .utf8)
    }
    workspace = try Workspace.create(at: folder + "/ws")
    _ = try IngestStage.run(
      workspace: workspace, options: IngestOptions(source: "s", paths: [folder + "/in"]),
      logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, showProgress: false)
    _ = try TokenizerStage.run(workspace: workspace, options: TokenizerTrainingOptions(vocabularySize: 400))
  }

  override func tearDown() {
    try? FileManager.default.removeItem(atPath: folder)
  }

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
    let text = String(decoding: try tokenizer.decode(Array(all[traced.tokenOffset..<traced.tokenOffset + traced.tokenCount])), as: UTF8.self)
    let documents = try KeptDocuments(workspace: workspace, store: store).reader()
    var stored: String?
    while stored == nil, let (document, bytes) = try documents.next() {
      if document.id == traced.documentID { stored = String(decoding: bytes, as: UTF8.self) }
    }
    XCTAssertEqual(text, stored)
    XCTAssertEqual(all[traced.tokenOffset + traced.tokenCount], manifest.endOfText, "the next document's separator follows")
    let bySource = try store.tokensBySourceAndLicense()
    XCTAssertEqual(bySource.map(\.documents).reduce(0, +), 30)
    XCTAssertEqual(bySource.map(\.tokens).reduce(0, +) + 30, first.tokens, "every token but the separators is mapped")
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
        try dataset.randomWindows(count: count, length: length, into: buffer.baseAddress!) { Int(random.next() % UInt64($0)) }
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
      XCTAssertTrue("\(error)".hasPrefix("\(shard.path): frame 1:"), "\(error)")
    }
    try bytes.prefix(bytes.count - 1).write(to: URL(fileURLWithPath: path))
    XCTAssertThrowsError(try ShardVerifier.verify(workspace: workspace)) { error in
      XCTAssertTrue("\(error)".hasPrefix("\(shard.path):"), "\(error)")
    }
  }

  func testExportsWriteTheTrainersHeaders() throws {
    let summary = try ShardStage.run(workspace: workspace, options: options(threads: 2))
    let llmc = try TrainerExport.export(workspace: workspace, format: .llmc, to: folder + "/llmc")
    XCTAssertEqual(llmc.files.count, summary.shards.count)
    let first = try Data(contentsOf: URL(fileURLWithPath: folder + "/llmc/val_000000.bin"))
    let header = first.withUnsafeBytes { raw in (0..<3).map { Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self)) } }
    let valTokens = summary.shards.first { $0.split == "val" }!.tokens
    XCTAssertEqual(header, [20_240_520, 1, Int32(valTokens)])
    XCTAssertEqual(first.count, 1024 + 2 * valTokens)

    let megatron = try TrainerExport.export(workspace: workspace, format: .megatron, to: folder + "/mg")
    XCTAssertEqual(megatron.tokens, summary.tokens, "each separator becomes one end-of-document token")
    let index = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/mg/train_text_document.idx")))
    XCTAssertEqual(Array(index[0..<9]), Array("MMIDIDX".utf8) + [0, 0])
    let fields = index.withUnsafeBytes { raw in
      (raw.loadUnaligned(fromByteOffset: 9, as: UInt64.self), raw[17], raw.loadUnaligned(fromByteOffset: 18, as: UInt64.self),
       raw.loadUnaligned(fromByteOffset: 26, as: UInt64.self))
    }
    let trainDocuments = summary.shards.filter { $0.split == "train" }.map(\.documents).reduce(0, +)
    XCTAssertEqual(fields.0, 1)
    XCTAssertEqual(fields.1, 8, "uint16")
    XCTAssertEqual(fields.2, UInt64(trainDocuments))
    XCTAssertEqual(fields.3, UInt64(trainDocuments + 1))
    XCTAssertEqual(index.count, 34 + trainDocuments * 4 + trainDocuments * 8 + (trainDocuments + 1) * 8)
  }

  func testAFailedRunLeavesNoManifest() throws {
    try FileManager.default.removeItem(atPath: workspace.absolute(TokenizerStage.jsonPath))
    XCTAssertThrowsError(try ShardStage.run(workspace: workspace, options: options(threads: 1))) {
      XCTAssertTrue("\($0)".contains("tokenizer train"), "\($0)")
    }
    XCTAssertFalse(FileManager.default.fileExists(atPath: workspace.absolute(ShardManifest.path)))
  }
}

final class ShardManifestSchemaTests: XCTestCase {
  /// The manifest writes exactly the fields schemas/shard-manifest.schema.json names.
  func testTheManifestHasTheSchemasFields() throws {
    let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    let schema = try JSONSerialization.jsonObject(
      with: Data(contentsOf: repository.appendingPathComponent("schemas/shard-manifest.schema.json"))) as! [String: Any]
    let manifest = ShardManifest(
      tokenizerPath: "tokenizer/tokenizer.json", tokenizerSHA256: String(repeating: "a", count: 64), vocabularySize: 300, endOfText: 299,
      tokenType: .uint16, frameTokens: 8192, seed: 3, validationFraction: 0.1,
      shards: [.init(path: "shards/train/shard-00000.tok.zst", split: "train", tokens: 10, documents: 2, frames: 1, bytes: 99, sha256: String(repeating: "b", count: 64))])
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
