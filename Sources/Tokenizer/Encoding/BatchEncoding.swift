import Foundation
import HatcheryCore

/// `hatchery tokenizer encode` and `decode` as the module does them: text files (or standard
/// input) read into one buffer of documents — a file each, or a line each — encoded on several
/// threads and timed; ids written and read as little-endian uint32.
public struct BatchEncoding {
  public private(set) var text: [UInt8] = []
  public private(set) var documents: [Range<Int>] = []

  /// Reads `inputs` ("-": standard input); with `lines`, every non-empty line is a document.
  public init(inputs: [String], lines: Bool) throws {
    for input in inputs {
      let data: Data
      if input == "-" {
        data = FileHandle.standardInput.readDataToEndOfFile()
      } else {
        guard let contents = FileManager.default.contents(atPath: input) else {
          throw HatcheryError.system(
            "read", path: input, code: FileManager.default.fileExists(atPath: input) ? EACCES : ENOENT)
        }
        data = contents
      }
      let start = text.count
      text.append(contentsOf: data)
      guard lines else {
        documents.append(start..<text.count)
        continue
      }
      var lineStart = start
      for index in start..<text.count where text[index] == 0x0A {
        if index > lineStart { documents.append(lineStart..<index) }
        lineStart = index + 1
      }
      if text.count > lineStart { documents.append(lineStart..<text.count) }
    }
  }

  /// The ids of every document, in order, and the seconds encoding took.
  public func encode(with tokenizer: Tokenizer, threads: Int, recognizeSpecialTokens: Bool) -> (
    ids: [UInt32], seconds: Double
  ) {
    let clock = ContinuousClock()
    let start = clock.now
    let (ids, _) = text.withUnsafeBytes {
      tokenizer.encodeBatch(
        $0, documents: documents, threads: max(1, threads), recognizeSpecialTokens: recognizeSpecialTokens)
    }
    return (ids, (clock.now - start).seconds)
  }

  /// One JSON line: bytes, tokens, bytes per token, seconds, MB/s.
  public func summary(ids: [UInt32], seconds: Double) -> String {
    let bytes = documents.reduce(0) { $0 + $1.count }
    return JSONWriter.encode(
      .object(
        JSONObject([
          ("bytes", .int(bytes)), ("tokens", .int(ids.count)),
          ("bytes_per_token", .number(String(format: "%.4f", ids.isEmpty ? 0 : Double(bytes) / Double(ids.count)))),
          ("seconds", .number(String(format: "%.4f", seconds))),
          ("mb_per_s", .number(String(format: "%.2f", seconds > 0 ? Double(bytes) / seconds / 1e6 : 0))),
        ])))
  }

  /// Writes `ids` to `path` as little-endian uint32, atomically.
  public static func write(_ ids: [UInt32], to path: String) throws {
    let output = try AtomicFileOutput(path: path)
    try ids.map(\.littleEndian).withUnsafeBytes { try output.write($0) }
    _ = try output.commit()
  }

  /// Reads little-endian uint32 ids from `path` ("-": standard input).
  public static func readIDs(_ path: String) throws -> [UInt32] {
    let data = path == "-" ? FileHandle.standardInput.readDataToEndOfFile() : FileManager.default.contents(atPath: path)
    guard let data else { throw HatcheryError.system("read", path: path, code: ENOENT) }
    guard data.count % 4 == 0 else {
      throw TokenizerError.badFile(
        path: path, line: nil, reason: "\(data.count) bytes is not a whole number of uint32 ids")
    }
    return data.withUnsafeBytes { raw in
      (0..<data.count / 4).map { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) }
    }
  }
}
