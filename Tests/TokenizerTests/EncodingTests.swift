import Foundation
import HatcheryCore
import XCTest

@testable import Tokenizer

final class EncodingTests: XCTestCase {
  static let trained: Tokenizer = {
    try! TokenizerTrainer.train(
      DocumentsSource(TrainingTests.corpus), options: TokenizerTrainingOptions(vocabularySize: 700)
    ).0
  }()

  private func roundTrip(
    _ bytes: [UInt8], _ tokenizer: Tokenizer = trained, file: StaticString = #filePath, line: UInt = #line
  ) throws {
    var ids: [UInt32] = []
    bytes.withUnsafeBytes { tokenizer.encodeOrdinary($0, into: &ids) }
    XCTAssertEqual(try tokenizer.decode(ids), bytes, file: file, line: line)
  }

  func testRoundTripsOfAwkwardText() throws {
    for text in [
      "", "the quick brown fox", "We'll see: 1234567 items, 3.50 EUR!!!\r\n\r\n\tnext",
      "日本語のテキスト 🌊🌧️👋🏽 e\u{0301} naïve", "<|endoftext|> in plain text", String(repeating: " ", count: 1000),
    ] {
      try roundTrip(Array(text.utf8))
    }
    try roundTrip([0xFF, 0xFE, 0x61, 0xC3, 0x28, 0xE2, 0x82, 0x00, 0x80], Self.trained)
  }

  func testFrequentWordsAreOneTokenAndUnseenTextFallsBackToBytes() throws {
    let the = Self.trained.encode(" the")
    XCTAssertEqual(the.count, 1)
    XCTAssertEqual(Self.trained.tokens[Int(the[0])], Array(" the".utf8))
    XCTAssertEqual(Self.trained.encode("\u{1F9EC}").count, 4, "an unseen emoji is its four bytes")
  }

  /// Long pieces go through the heap merger: it must agree with the plain rule (repeatedly merge
  /// the leftmost pair of lowest rank), which this test implements the slow way.
  func testLongPiecesMergeAsShortOnesDo() throws {
    let tokenizer = Self.trained
    func slowMerge(_ bytes: [UInt8]) -> [UInt32] {
      var parts = bytes.map { tokenizer.byteTokens[Int($0)] }
      while parts.count > 1 {
        var best: (rank: UInt64, index: Int)?
        for index in 0..<parts.count - 1 {
          let value = tokenizer.pairs.lookup(parts[index], parts[index + 1])
          if value != PairRankTable.none, best == nil || value >> 32 < best!.rank >> 32 { best = (value, index) }
        }
        guard let best else { break }
        parts[best.index] = UInt32(truncatingIfNeeded: best.rank)
        parts.remove(at: best.index + 1)
      }
      return parts
    }
    var generator = SplitMix64(seed: 11)
    for length in [PieceMerger.longPiece + 1, 300, 1000] {
      for alphabet in [Array("a".utf8), Array("ab".utf8), Array("thequickbrownfox".utf8)] {
        let piece = (0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] }
        var merger = PieceMerger()
        var output: [UInt32] = []
        piece.withUnsafeBufferPointer {
          merger.merge($0, byteTokens: tokenizer.byteTokens, pairs: tokenizer.pairs, into: &output)
        }
        XCTAssertEqual(output, slowMerge(piece), "length \(length)")
      }
    }
  }

  /// Its time (a quadratic merge of it takes minutes) is checked by Benchmarks/tokenizer.sh.
  func testALongRunOfOneCharacterRoundTrips() throws {
    try roundTrip([UInt8](repeating: UInt8(ascii: "a"), count: 200_000))
  }

  func testSpecialTokensAreRecognisedOnlyWhenAsked() throws {
    let tokenizer = Self.trained
    let endOfText = try XCTUnwrap(tokenizer.endOfText)
    XCTAssertEqual(endOfText, 699)
    let ids = tokenizer.encode("one<|endoftext|>two")
    XCTAssertEqual(ids.filter { $0 == endOfText }.count, 1)
    XCTAssertEqual(try tokenizer.decode(ids), Array("one<|endoftext|>two".utf8))
    var ordinary: [UInt32] = []
    Array("one<|endoftext|>two".utf8).withUnsafeBytes { tokenizer.encodeOrdinary($0, into: &ordinary) }
    XCTAssertFalse(ordinary.contains(endOfText))
    XCTAssertThrowsError(try tokenizer.decode([700]))
  }

  func testBatchEncodingMatchesOneByOneOnAnyThreadCount() throws {
    let tokenizer = Self.trained
    let text = Array(TrainingTests.corpus.joined().utf8)
    var documents: [Range<Int>] = []
    var start = 0
    for document in TrainingTests.corpus {
      documents.append(start..<start + document.utf8.count)
      start += document.utf8.count
    }
    let expected = documents.map { range -> [UInt32] in
      var ids: [UInt32] = []
      text.withUnsafeBytes { tokenizer.encodeOrdinary(UnsafeRawBufferPointer(rebasing: $0[range]), into: &ids) }
      return ids
    }
    for threads in [1, 2, 5] {
      let (ids, ends) = text.withUnsafeBytes {
        tokenizer.encodeBatch($0, documents: documents, threads: threads, recognizeSpecialTokens: false)
      }
      XCTAssertEqual(ids, expected.flatMap { $0 })
      XCTAssertEqual(ends, expected.reduce(into: [Int]()) { $0.append(($0.last ?? 0) + $1.count) })
    }
  }
}
