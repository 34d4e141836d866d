import Foundation
import HatcheryCore
import XCTest

@testable import Ingest

/// Random mutations of the fixtures (fixed seed, fixed count): every run of ingest must finish,
/// and every input file must end up as documents or as recorded rejects — never a crash.
final class MutationTests: IngestTestCase {
  private func mutate(_ bytes: [UInt8], _ generator: inout SplitMix64) -> [UInt8] {
    var bytes = bytes
    for _ in 0..<(1 + generator.below(8)) {
      switch generator.below(4) {
      case 0 where !bytes.isEmpty: bytes[generator.below(bytes.count)] = UInt8(truncatingIfNeeded: generator.next())
      case 1 where !bytes.isEmpty: bytes.removeSubrange(generator.below(bytes.count)..<bytes.count)  // truncate
      case 2:
        bytes.insert(
          contentsOf: [0xFF, 0x00, 0x22, 0x5C, 0x0A, 0xC3].shuffled(using: &generator),
          at: generator.below(bytes.count + 1))
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
    var generator = SplitMix64(seed: 20_261_127)
    let workspace = try makeWorkspace()
    for round in 0..<40 {
      for (index, original) in originals.enumerated() {
        let name = (sources[index] as NSString).lastPathComponent
        try write("round-\(round)/\(name)", mutate(original, &generator))
      }
      let summary = try ingest(
        workspace, options("fuzz-\(round)", [folder + "/round-\(round)"]) { $0.maximumDocumentBytes = 4096 })
      XCTAssertEqual(summary.files, 3)
      XCTAssertGreaterThan(summary.documents + summary.rejected, 0, "round \(round)")
      let store = try workspace.openStore()
      let source = try XCTUnwrap(try store.source(named: "fuzz-\(round)"))
      XCTAssertEqual(try store.documents(sourceID: source.id).count, summary.documents)
      XCTAssertEqual(try store.rejects(stage: "ingest", sourceID: source.id).count, summary.rejected)
    }
  }

  func testRandomBytesAsJSONNeverCrashTheParser() {
    var generator = SplitMix64(seed: 7)
    let alphabet = Array("{}[]\",:\\u0123456789abcdefnulltruefalse -+.eE\n\t".utf8) + [0xC3, 0xA9, 0xFF]
    for _ in 0..<5000 {
      let bytes = (0..<generator.below(80)).map { _ in alphabet[generator.below(alphabet.count)] }
      bytes.withUnsafeBytes { _ = try? JSONParser.parse($0) }
    }
  }
}

/// The same for the web and XML readers: mutated HTML, WARC, MediaWiki, JATS and TEI files are
/// all documents or recorded rejects, and memory stays bounded over the rounds.
final class WebMutationTests: IngestTestCase {
  private var state: UInt64 = 20_261_128

  private func next() -> Int {
    state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
    return Int(state >> 33)
  }

  private func residentBytes() -> Int {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = statm.split(separator: " ")
    return fields.count > 1 ? (Int(fields[1]) ?? 0) * Int(sysconf(Int32(_SC_PAGESIZE))) : 0
  }

  func testMutatedWebInputsNeverCrashAndMemoryStaysBounded() throws {
    let names = ["article.html", "wiki.xml", "article.nxml", "play.tei.xml", "latin1.html"]
    var originals = try names.map { Array(try Data(contentsOf: URL(fileURLWithPath: Self.fixtures + "/web/" + $0))) }
    let page = Array("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n".utf8) + originals[0]
    let warc =
      Array(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://example.org/\r\nContent-Length: \(page.count)\r\n\r\n"
          .utf8) + page + Array("\r\n\r\n".utf8)
    originals.append(warc + warc)
    let fileNames = names + ["crawl.warc"]
    let workspace = try makeWorkspace()
    var baseline = 0
    for round in 0..<30 {
      for (index, original) in originals.enumerated() {
        var bytes = original
        for _ in 0..<(1 + next() % 6) {
          switch next() % 4 {
          case 0: bytes[next() % bytes.count] = UInt8(truncatingIfNeeded: next())
          case 1: bytes.removeSubrange((next() % bytes.count)..<bytes.count)
          case 2: bytes.insert(contentsOf: Array("<![CDATA[<&\u{0}\"".utf8), at: next() % (bytes.count + 1))
          default:
            let start = next() % bytes.count
            bytes.insert(contentsOf: bytes[start..<min(bytes.count, start + 200)], at: next() % bytes.count)
          }
          if bytes.isEmpty { bytes = [0x3C] }
        }
        try write("round-\(round)/\(fileNames[index])", bytes)
      }
      let summary = try ingest(
        workspace, options("fuzz-\(round)", [folder + "/round-\(round)"]) { $0.maximumDocumentBytes = 8192 })
      XCTAssertEqual(summary.files, fileNames.count)
      let store = try workspace.openStore()
      let source = try XCTUnwrap(try store.source(named: "fuzz-\(round)"))
      XCTAssertEqual(try store.documents(sourceID: source.id).count, summary.documents)
      XCTAssertEqual(try store.rejects(stage: "ingest", sourceID: source.id).count, summary.rejected)
      if round == 4 { baseline = residentBytes() }
    }
    XCTAssertLessThan(residentBytes() - baseline, 64 << 20, "memory grows with the rounds")
  }
}

extension SplitMix64 {
  /// A number below `bound` (0 when `bound` is 0 or less).
  fileprivate mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(max(bound, 1))) }
}
