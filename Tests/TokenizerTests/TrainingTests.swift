import Foundation
import HatcheryCore
import XCTest

@testable import Tokenizer

/// A chunk source over documents held in memory.
final class DocumentsSource: TextChunkSource {
  private var chunks: [TextChunk]

  init(_ documents: [String], perChunk: Int = 2) {
    var chunks: [TextChunk] = []
    var index = 0
    while index < documents.count {
      var bytes: [UInt8] = []
      var ranges: [Range<Int>] = []
      for document in documents[index..<min(index + perChunk, documents.count)] {
        ranges.append(bytes.count..<bytes.count + document.utf8.count)
        bytes.append(contentsOf: document.utf8)
      }
      chunks.append(TextChunk(bytes: bytes, documents: ranges))
      index += perChunk
    }
    self.chunks = chunks.reversed()
  }

  func nextChunk() throws -> TextChunk? { chunks.popLast() }
}

final class TrainingTests: XCTestCase {
  /// Worked by hand: pieces `abab`, `abc`, `ab` give (a,b) 4, (b,a) 1, (b,c) 1, so `ab` is
  /// first. The words are then [ab ab], [ab c], [ab]: (ab,ab) and (ab,c) both occur once, and
  /// the tie goes to the smaller pair, (256, 99) before (256, 256).
  func testMergeOrderOnASmallCorpus() throws {
    let options = TokenizerTrainingOptions(vocabularySize: 259, specialTokens: [])
    let (tokenizer, summary) = try TokenizerTrainer.train(DocumentsSource(["abab", "abc", "ab"]), options: options)
    XCTAssertEqual(
      tokenizer.merges,
      [
        .init(left: 97, right: 98, token: 256), .init(left: 256, right: 99, token: 257),
        .init(left: 256, right: 256, token: 258),
      ])
    XCTAssertEqual(tokenizer.tokens[257], Array("abc".utf8))
    XCTAssertEqual(summary.pieces, 3)
    XCTAssertEqual(summary.distinctPieces, 3)
  }

  /// Counts decide before ties: `the` occurs three times, `then` once.
  func testFrequentPairsMergeFirstAndPiecesAreCountedOnce() throws {
    let options = TokenizerTrainingOptions(vocabularySize: 260, specialTokens: ["<|endoftext|>"])
    let (tokenizer, summary) = try TokenizerTrainer.train(DocumentsSource(["the the", "the then"]), options: options)
    // Pieces: "the" ×2, " the" ×1, " then" ×1. (t,h) 4 and (h,e) 4 tie: (104,101) < (116,104).
    XCTAssertEqual(tokenizer.merges.first, .init(left: 104, right: 101, token: 256))
    XCTAssertEqual(tokenizer.merges[1], .init(left: 116, right: 256, token: 257))
    XCTAssertEqual(summary.distinctPieces, 3)
    XCTAssertEqual(tokenizer.specialTokens.map(\.id), [259], "special tokens take the last ids")
    XCTAssertEqual(tokenizer.vocabularySize, 260)
  }

  func testTrainingIsTheSameOnOneOrManyThreadsAndChunkings() throws {
    let documents = Self.corpus
    var results: [[Tokenizer.Merge]] = []
    for (threads, perChunk) in [(1, 100), (2, 1), (3, 2)] {
      let options = TokenizerTrainingOptions(vocabularySize: 600, threads: threads)
      results.append(
        try TokenizerTrainer.train(DocumentsSource(documents, perChunk: perChunk), options: options).0.merges)
    }
    XCTAssertEqual(results[0].count, 600 - 257)
    XCTAssertEqual(results[0], results[1])
    XCTAssertEqual(results[0], results[2])
  }

  func testMinimumFrequencyStopsEarly() throws {
    let options = TokenizerTrainingOptions(vocabularySize: 5000, minimumFrequency: 3)
    let (tokenizer, summary) = try TokenizerTrainer.train(DocumentsSource(Self.corpus), options: options)
    XCTAssertLessThan(tokenizer.vocabularySize, 5000)
    XCTAssertEqual(summary.merges, tokenizer.merges.count)
  }

  func testTokenBytesAreUniqueAndJoinTheirMerge() throws {
    let (tokenizer, _) = try TokenizerTrainer.train(
      DocumentsSource(Self.corpus), options: TokenizerTrainingOptions(vocabularySize: 800))
    XCTAssertEqual(Set(tokenizer.tokens).count, tokenizer.tokens.count)
    for merge in tokenizer.merges {
      XCTAssertEqual(
        tokenizer.tokens[Int(merge.token)], tokenizer.tokens[Int(merge.left)] + tokenizer.tokens[Int(merge.right)])
    }
    XCTAssertTrue(tokenizer.isRankOrdered)
  }

  func testOptionsAreChecked() {
    XCTAssertThrowsError(try TokenizerTrainingOptions(vocabularySize: 256).validate())
    XCTAssertThrowsError(try TokenizerTrainingOptions(vocabularySize: 300, specialTokens: ["<a>", "<a>"]).validate())
    XCTAssertNoThrow(try TokenizerTrainingOptions(vocabularySize: 256, specialTokens: []).validate())
  }

  func testTextFilesSplitIntoLinesOrWholeFilesAtSafeCuts() throws {
    let folder = NSTemporaryDirectory() + "hatchery-tok-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let text = Self.corpus.joined(separator: "\n\n") + "\n"
    try text.write(toFile: folder + "/a.txt", atomically: false, encoding: .utf8)
    // Small blocks force many cuts; the pieces must be those of the whole file.
    func pieces(_ source: TextChunkSource) throws -> [String: UInt64] {
      let counts = try PieceCounter(preTokenizer: PreTokenizer(pattern: .gpt4)).count(source, threads: 2)
      var result: [String: UInt64] = [:]
      counts.table.forEach { result[String(decoding: $0, as: UTF8.self)] = $1 }
      return result
    }
    let whole = try pieces(DocumentsSource([text]))
    XCTAssertEqual(try pieces(TextFileChunks(paths: [folder + "/a.txt"], lines: false, blockBytes: 97)), whole)
    let lines = try pieces(TextFileChunks(paths: [folder + "/a.txt"], lines: true, blockBytes: 97))
    // Split on the byte: a String split on "\n" would keep "\r\n" (one Character) whole.
    XCTAssertEqual(
      lines, try pieces(DocumentsSource(text.utf8.split(separator: 0x0A).map { String(decoding: $0, as: UTF8.self) })))
    XCTAssertNil(lines["\n\n"], "lines leave their line ends out")
  }

  /// A task's count file is the same whatever order its pieces were counted in (its threads'
  /// timing decides that), and reads back to the same counts — a piece longer than the writer's
  /// 1 MB buffer (a megabyte-long run of spaces is one pre-token) included.
  func testCountFilesDependOnTheCountsAloneAndReadBack() throws {
    let folder = NSTemporaryDirectory() + "hatchery-counts-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    var pieces: [([UInt8], UInt64)] = Self.corpus.enumerated().map { (Array($1.utf8), UInt64($0 + 1)) }
    pieces.append((Array(repeating: 0x20, count: 3 << 20), 2))
    pieces.append((Array(repeating: 0x2D, count: (1 << 20) - 12), 5))
    func table(_ entries: [([UInt8], UInt64)]) -> ByteStringTable {
      let table = ByteStringTable(capacity: 16)
      for (bytes, count) in entries {
        bytes.withUnsafeBufferPointer { table.add($0.baseAddress!, $0.count, amount: count) }
      }
      return table
    }
    try PieceCountFile.write(table(pieces), bytes: 1234, documents: 7, to: folder + "/a.counts")
    try PieceCountFile.write(table(pieces.reversed()), bytes: 1234, documents: 7, to: folder + "/b.counts")
    XCTAssertEqual(
      FileManager.default.contents(atPath: folder + "/a.counts"),
      FileManager.default.contents(atPath: folder + "/b.counts"))
    let read = ByteStringTable(capacity: 16)
    let totals = try PieceCountFile.add(folder + "/a.counts", into: read)
    XCTAssertEqual(totals.bytes, 1234)
    XCTAssertEqual(totals.documents, 7)
    XCTAssertEqual(read.count, pieces.count)
    for (bytes, count) in pieces {
      XCTAssertEqual(bytes.withUnsafeBufferPointer { read.value($0.baseAddress!, $0.count) }, count)
    }
    // Cut short, the file is refused with its name.
    let whole = FileManager.default.contents(atPath: folder + "/a.counts")!
    try whole.prefix(whole.count - 3).write(to: URL(fileURLWithPath: folder + "/c.counts"))
    XCTAssertThrowsError(try PieceCountFile.add(folder + "/c.counts", into: ByteStringTable())) { error in
      guard case .damagedCounts(let path, _)? = error as? TokenizerError else { return XCTFail("\(error)") }
      XCTAssertEqual(path, folder + "/c.counts")
    }
  }

  /// The count files' radix sort orders by the whole 64-bit key, keeps equal keys in their
  /// order, and agrees with the standard library's stable sort.
  func testRadixSortAgreesWithAStableSort() {
    var generator = SplitMix64(seed: 11)
    for count in [0, 1, 2, 1_000, 70_000] {
      // Keys that differ only in their high or their low bits, and repeats.
      var items = (0..<count).map { index -> (key: UInt64, index: Int) in
        let random = UInt64.random(in: 0...UInt64.max, using: &generator)
        switch index % 4 {
        case 0: return (random & 0xFFFF_0000_0000_0000, index)
        case 1: return (random & 0xFF, index)
        case 2: return (UInt64(index % 7) << 40, index)
        default: return (random, index)
        }
      }
      let expected = items.sorted { $0.key < $1.key }
      items.withUnsafeMutableBufferPointer { ByteStringTable.radixSort($0) { $0.key } }
      XCTAssertTrue(
        items.map(\.key) == expected.map(\.key) && items.map(\.index) == expected.map(\.index), "\(count) items")
    }
  }

  /// A few hundred words of varied text, written for these tests.
  static let corpus: [String] =
    [
      "The river rose in the night, and by morning the lower fields were under water.",
      "Farmers moved their animals to the hill; the miller's wheel turned faster than it had in years.",
      "In 1887 the town built a stone bridge with three arches, 42 metres long, which still stands today.",
      "\"We'll rebuild,\" she said. \"We've done it before, and we're not leaving.\"",
      "func merge(_ left: Int, _ right: Int) -> Int { return left + right }  // adds two numbers",
      "Der Fluss stieg in der Nacht, und am Morgen standen die unteren Felder unter Wasser.",
      "Река поднялась ночью, и к утру нижние поля были под водой.",
      "川は夜のうちに増水し、朝には低い畑が水に沈んでいた。",
      "Prices: 3.50 EUR, 12,000 JPY, 99% off!!! Call now — offer ends 2024-12-31.",
      "    indented line\n\ttabbed line\r\nwindows line end\n\n\nthree newlines",
      "emoji 🌊🌧️ and combining e\u{0301} marks, naïve café résumé",
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
    ] + (0..<40).map { "Line \($0): the quick brown fox jumps over the lazy dog \($0 * 7) times, then rests." }
}
