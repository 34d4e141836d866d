import Foundation
import XCTest

@testable import Tokenizer

final class FileTests: XCTestCase {
  private var folder = ""

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "hatchery-tokfile-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  override func tearDown() {
    try? FileManager.default.removeItem(atPath: folder)
  }

  private var sample: [UInt8] {
    Array((TrainingTests.corpus.joined(separator: "\n") + " ſ'x <|endoftext|> \u{1F9EC}").utf8) + [0xFF, 0x41]
  }

  func testTokenizerJSONRoundTripsAndEncodesTheSame() throws {
    let tokenizer = EncodingTests.trained
    let path = folder + "/tokenizer.json"
    try TokenizerFile.save(tokenizer, to: path)
    let loaded = try TokenizerFile.load(path: path)
    XCTAssertEqual(loaded.tokens, tokenizer.tokens)
    XCTAssertEqual(loaded.merges, tokenizer.merges)
    XCTAssertEqual(loaded.specialTokens.map(\.text), ["<|endoftext|>"])
    XCTAssertEqual(loaded.pattern, .gpt4)
    var expected: [UInt32] = []
    var actual: [UInt32] = []
    sample.withUnsafeBytes {
      tokenizer.encode($0, into: &expected)
      loaded.encode($0, into: &actual)
    }
    XCTAssertEqual(actual, expected)
    let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
    XCTAssertEqual(json["version"] as? String, "1.0")
    let model = json["model"] as! [String: Any]
    XCTAssertEqual(model["type"] as? String, "BPE")
    XCTAssertEqual((model["vocab"] as! [String: Int])["Ġ"], 32, "bytes are written in GPT-2's byte-level alphabet")
    XCTAssertEqual((model["merges"] as! [[String]]).count, tokenizer.merges.count)
  }

  func testTiktokenRanksRoundTripWithTiktokensRule() throws {
    let tokenizer = EncodingTests.trained
    let path = folder + "/t.tiktoken"
    try TokenizerFile.save(tokenizer, to: path)
    let firstLines = try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").prefix(2)
    XCTAssertEqual(firstLines, ["AA== 0", "AQ== 1"])
    let loaded = try TokenizerFile.load(path: path)
    XCTAssertEqual(loaded.mergeRule, .anySplit)
    XCTAssertEqual(loaded.tokens, tokenizer.tokens)
    var expected: [UInt32] = []
    var actual: [UInt32] = []
    sample.withUnsafeBytes {
      tokenizer.encodeOrdinary($0, into: &expected)
      loaded.encodeOrdinary($0, into: &actual)
    }
    XCTAssertEqual(try loaded.decode(actual), sample)
    // The two merge rules may differ on rare pieces; on this text they agree.
    XCTAssertEqual(actual, expected)
  }

  func testGPT2StyleFilesWithStringMergesLoad() throws {
    // A minimal tokenizer as the library writes GPT-2's: ByteLevel pre-tokenizer with its own regex,
    // merges as "a b" strings, no special tokens.
    var vocabulary: [String] = []
    for byte in 0..<256 { vocabulary.append("\"\(jsonEscaped(ByteLevelAlphabet.encode([UInt8(byte)])))\": \(byte)") }
    vocabulary.append("\"Ġt\": 256")
    vocabulary.append("\"Ġth\": 257")
    let text = """
      {"version": "1.0", "added_tokens": [], "normalizer": null,
       "pre_tokenizer": {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": true, "use_regex": true},
       "model": {"type": "BPE", "dropout": null, "vocab": {\(vocabulary.joined(separator: ", "))}, "merges": ["Ġ t", "Ġt h"]}}
      """
    try text.write(toFile: folder + "/gpt2.json", atomically: false, encoding: .utf8)
    let loaded = try TokenizerFile.load(path: folder + "/gpt2.json")
    XCTAssertEqual(loaded.pattern, .gpt2)
    XCTAssertEqual(loaded.encode(" the"), [257, 101])
  }

  func testUnsupportedOrBrokenFilesAreRefusedWithTheReason() throws {
    let valid = String(decoding: HuggingFaceTokenizerFile.encode(EncodingTests.trained), as: UTF8.self)
    let cases: [(String, String)] = [
      ("{not json", "not valid JSON"),
      (
        valid.replacingOccurrences(of: "\"normalizer\": null", with: "\"normalizer\": {\"type\": \"NFC\"}"),
        "normalizer"
      ),
      (valid.replacingOccurrences(of: #"\\p{N}{1,3}"#, with: #"\\p{N}+"#), "split regex"),
      (valid.replacingOccurrences(of: "\"Ā\": 0,", with: ""), "id 0 is missing"),
      (valid.replacingOccurrences(of: "\"Ā\": 0,", with: "\"ĀĀ\": 0,"), "byte 0 has no token"),
      (valid.replacingOccurrences(of: "\"type\": \"BPE\"", with: "\"type\": \"WordPiece\""), "not a BPE"),
    ]
    for (index, (text, reason)) in cases.enumerated() {
      let path = folder + "/bad-\(index).json"
      try text.write(toFile: path, atomically: false, encoding: .utf8)
      XCTAssertThrowsError(try TokenizerFile.load(path: path)) { error in
        guard case .badFile(let named, nil, let why)? = error as? TokenizerError else { return XCTFail("\(error)") }
        XCTAssertEqual(named, path)
        XCTAssertTrue(why.contains(reason), "\(why) should mention \(reason)")
      }
    }
    try "AA== 0\nAQ== 5\n".write(toFile: folder + "/gap.tiktoken", atomically: false, encoding: .utf8)
    XCTAssertThrowsError(try TokenizerFile.load(path: folder + "/gap.tiktoken")) {
      XCTAssertEqual(
        $0 as? TokenizerError, .badFile(path: self.folder + "/gap.tiktoken", line: nil, reason: "rank 1 is missing"))
    }
  }

  private func jsonEscaped(_ text: String) -> String {
    text.unicodeScalars.map { scalar in
      scalar == "\"" ? "\\\"" : scalar == "\\" ? "\\\\" : String(scalar)
    }.joined()
  }
}
