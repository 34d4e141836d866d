import Foundation
import XCTest

@testable import HatcheryFuzz

/// A short seeded run of every reader's fuzz target (Benchmarks/fuzz.sh runs them long, each in
/// its own process under time and memory limits): no broken contract on any input.
final class FuzzTests: XCTestCase {
  func testEveryReaderKeepsItsContractOnMutatedInputs() throws {
    let scratch = NSTemporaryDirectory() + "hatchery-fuzz-test-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: scratch) }
    XCTAssertGreaterThanOrEqual(FuzzTarget.all.count, 16)
    for target in FuzzTarget.all {
      let report = try FuzzRunner.run(target, count: 40, seed: 7, scratch: scratch + "/" + target.name)
      XCTAssertEqual(report.inputs, 40)
      XCTAssertTrue(report.violations.isEmpty, "\(target.name): \(report.violations.prefix(3))")
      XCTAssertGreaterThan(report.refused, 0, "\(target.name): the mutations never reached a refusal")
      XCTAssertLessThan(report.refused, 40, "\(target.name): even the seeds were refused")
    }
  }

  func testMutationsAreTheSameForTheSameSeedAndIndex() {
    let seeds = [Array("hello world".utf8), Array("{\"text\": 1}".utf8)]
    let mutator = Mutator(seed: 42)
    XCTAssertEqual(mutator.input(0, seeds: seeds), seeds[0], "the first inputs are the seeds themselves")
    let inputs = (2..<200).map { mutator.input($0, seeds: seeds) }
    XCTAssertEqual(inputs, (2..<200).map { Mutator(seed: 42).input($0, seeds: seeds) })
    XCTAssertNotEqual(inputs, (2..<200).map { Mutator(seed: 43).input($0, seeds: seeds) })
    XCTAssertGreaterThan(Set(inputs).count, 150, "mutations differ from one another")
  }
}
