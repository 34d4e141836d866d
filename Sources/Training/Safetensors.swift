import Foundation
import HatcheryCore

/// The safetensors format (Hugging Face): an 8-byte little-endian header length, a JSON header
/// naming each tensor's dtype, shape and byte range, then the raw little-endian data. Hatchery
/// writes float32 tensors in GPT-2's names, which `transformers` loads directly.
public enum Safetensors {
  public static func write(
    _ tensors: [(name: String, shape: [Int], values: UnsafeBufferPointer<Float>)], to path: String
  ) throws {
    var header = JSONObject([("__metadata__", .object(JSONObject([("format", .string("pt"))])))])
    var offset = 0
    for tensor in tensors {
      let bytes = tensor.values.count * 4
      header.members.append(
        (
          tensor.name,
          .object(
            JSONObject([
              ("dtype", .string("F32")), ("shape", .array(tensor.shape.map { .int($0) })),
              ("data_offsets", .array([.int(offset), .int(offset + bytes)])),
            ]))
        ))
      offset += bytes
    }
    var json = Array(JSONWriter.encode(.object(header)).utf8)
    // The data starts 8-byte aligned, as the reference writer pads it.
    while (8 + json.count) % 8 != 0 { json.append(0x20) }
    let output = try AtomicFileOutput(path: path)
    try withUnsafeBytes(of: UInt64(json.count).littleEndian) { try output.write($0) }
    try json.withUnsafeBytes { try output.write($0) }
    for tensor in tensors {
      try tensor.values.withMemoryRebound(to: UInt8.self) { try output.write(UnsafeRawBufferPointer($0)) }
    }
    _ = try output.commit()
  }

  /// Reads every float32 tensor of the file: name → (shape, values).
  public static func read(path: String) throws -> [String: (shape: [Int], values: [Float])] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw HatcheryError.system("read", path: path, code: ENOENT)
    }
    func fail(_ reason: String) -> TrainingError { .badFile(file: path, reason: reason) }
    guard data.count >= 8 else { throw fail("too short for safetensors") }
    // Every size in the file is untrusted: compared before it is converted or added.
    let storedHeaderLength = data.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
    guard storedHeaderLength <= UInt64(data.count - 8) else {
      throw fail("header length \(storedHeaderLength) runs past the end")
    }
    let headerLength = Int(storedHeaderLength)
    let header: JSONValue
    do {
      header = try data.withUnsafeBytes {
        try JSONParser.parse(UnsafeRawBufferPointer(rebasing: $0[8..<8 + headerLength]))
      }
    } catch {
      throw fail("header is not JSON: \(error)")
    }
    guard let object = header.objectValue else { throw fail("header is not an object") }
    let dataStart = 8 + headerLength
    var tensors: [String: (shape: [Int], values: [Float])] = [:]
    for (name, value) in object.members where name != "__metadata__" {
      guard let entry = value.objectValue, entry["dtype"]?.stringValue == "F32",
        case .array(let shapeValues)? = entry["shape"],
        case .array(let range)? = entry["data_offsets"], range.count == 2, let start = range[0].intValue,
        let end = range[1].intValue
      else { throw fail("tensor \(name) is not a float32 tensor with a shape and data offsets") }
      let shape = shapeValues.compactMap(\.intValue)
      var elements = shape.count == shapeValues.count ? 1 : -1
      for dimension in shape where elements >= 0 {
        let (product, overflow) = elements.multipliedReportingOverflow(by: dimension)
        elements = dimension < 0 || overflow || product > Int.max / 4 ? -1 : product
      }
      guard elements >= 0, 0 <= start, start <= end, end <= data.count - dataStart, end - start == elements * 4 else {
        throw fail("tensor \(name) has a byte range that does not match its shape")
      }
      let values = data.withUnsafeBytes { raw in
        (0..<(end - start) / 4).map {
          Float(
            bitPattern: UInt32(
              littleEndian: raw.loadUnaligned(fromByteOffset: dataStart + start + $0 * 4, as: UInt32.self)))
        }
      }
      tensors[name] = (shape, values)
    }
    return tensors
  }
}
