import Foundation
import HatcheryCore
import XCTest

@testable import Ingest

/// Random mutations of the fixtures (fixed seed, fixed count): every run of ingest must finish,
/// and every input file must end up as documents or as recorded rejects — never a crash.
final class MutationTests: IngestTestCase {
  private struct Generator {
    var state: UInt64
    mutating func next() -> UInt64 {
      state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
      return state >> 11
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
  }

  private func mutate(_ bytes: [UInt8], _ generator: inout Generator) -> [UInt8] {
    var bytes = bytes
    for _ in 0..<(1 + generator.below(8)) {
      switch generator.below(4) {
      case 0 where !bytes.isEmpty: bytes[generator.below(bytes.count)] = UInt8(truncatingIfNeeded: generator.next())
      case 1 where !bytes.isEmpty: bytes.removeSubrange(generator.below(bytes.count)..<bytes.count)  // truncate
      case 2: bytes.insert(contentsOf: [0xFF, 0x00, 0x22, 0x5C, 0x0A, 0xC3].shuffled(), at: generator.below(bytes.count + 1))
      default:
        if !bytes.isEmpty {
          let start = generator.below(bytes.count)
          bytes.insert(contentsOf: bytes[start..<min(bytes.count, start + 64)], at: generator.below(bytes.count))
        }
      }
    }
    return bytes
  }

  func testMutatedInputsNeverCrashAndAreAllAccountedFor() throws {
    let sources = ["corpus/records/dolma.jsonl", "corpus/records/hf.json.gz", "corpus/notes/decomposed.txt"]
    let originals = try sources.map { try Array(Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/" + $0))) }
    var generator = Generator(state: 20_261_127)
    let workspace = try makeWorkspace()
    for round in 0..<40 {
      for (index, original) in originals.enumerated() {
        let name = (sources[index] as NSString).lastPathComponent
        try write("round-\(round)/\(name)", mutate(original, &generator))
      }
      let summary = try ingest(workspace, options("fuzz-\(round)", [folder + "/round-\(round)"]) { $0.maximumDocumentBytes = 4096 })
      XCTAssertEqual(summary.files, 3)
      XCTAssertGreaterThan(summary.documents + summary.rejected, 0, "round \(round)")
      let store = try workspace.openStore()
      let source = try XCTUnwrap(try store.source(named: "fuzz-\(round)"))
      XCTAssertEqual(try store.documents(sourceID: source.id).count, summary.documents)
      XCTAssertEqual(try store.rejects(stage: "ingest", sourceID: source.id).count, summary.rejected)
    }
  }

  func testRandomBytesAsJSONNeverCrashTheParser() {
    var generator = Generator(state: 7)
    let alphabet = Array("{}[]\",:\\u0123456789abcdefnulltruefalse -+.eE\n\t".utf8) + [0xC3, 0xA9, 0xFF]
    for _ in 0..<5000 {
      let bytes = (0..<generator.below(80)).map { _ in alphabet[generator.below(alphabet.count)] }
      bytes.withUnsafeBytes { _ = try? JSONParser.parse($0) }
    }
  }
}
