import Foundation
import HatcheryCore
import XCTest

@testable import Training

/// Sizes read from a checkpoint are untrusted: a damaged one is an error, never a trap.
final class HostileFileTests: XCTestCase {
  private func safetensors(headerLength: UInt64? = nil, header: String, data: Int = 16) throws -> String {
    let path = NSTemporaryDirectory() + "hatchery-hostile-\(UUID().uuidString).safetensors"
    var bytes: [UInt8] = []
    withUnsafeBytes(of: (headerLength ?? UInt64(header.utf8.count)).littleEndian) { bytes += $0 }
    bytes += Array(header.utf8) + [UInt8](repeating: 0, count: data)
    try Data(bytes).write(to: URL(fileURLWithPath: path))
    addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
    return path
  }

  func testSafetensorsSizesThatWouldOverflowAreErrors() throws {
    let cases: [(UInt64?, String)] = [
      (UInt64.max, "{}"),
      (UInt64(Int.max) + 1, "{}"),
      (nil, #"{"w":{"dtype":"F32","shape":[4611686018427387904,4],"data_offsets":[0,0]}}"#),
      (nil, #"{"w":{"dtype":"F32","shape":[3037000500,3037000500],"data_offsets":[0,16]}}"#),
      (nil, #"{"w":{"dtype":"F32","shape":[-4,-1],"data_offsets":[0,16]}}"#),
      (nil, #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[9223372036854775800,9223372036854775807]}}"#),
      (nil, #"{"w":{"dtype":"F32","shape":[4],"data_offsets":[-16,0]}}"#),
    ]
    for (length, header) in cases {
      let path = try safetensors(headerLength: length, header: header)
      XCTAssertThrowsError(try Safetensors.read(path: path), header) { error in
        guard case .badFile(path, _)? = error as? TrainingError else { return XCTFail("\(error)") }
      }
    }
    let good = try safetensors(header: #"{"w":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]}}"#)
    XCTAssertEqual(try Safetensors.read(path: good)["w"]?.shape, [2, 2])
  }
}
