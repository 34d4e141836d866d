import Foundation
import HatcheryCore

/// The HTTP/1.x response inside a WARC `response` record: status, headers and the body with
/// chunked transfer-encoding and gzip/deflate content-encoding undone (bounded, so a
/// compressed bomb cannot take more than the document cap).
struct HTTPResponse {
  var status = 0
  /// Header names lower-cased.
  var headers: [String: String] = [:]
  var body: [UInt8] = []
  /// The decompressed body was longer than the limit and holds its start only.
  var bodyTruncated = false

  /// `type/subtype` of Content-Type, lower-cased.
  var mediaType: String {
    (headers["content-type"] ?? "").split(separator: ";").first.map {
      $0.trimmingCharacters(in: .whitespaces).lowercased()
    } ?? ""
  }

  /// The `charset=` parameter of Content-Type, if any.
  var charset: String? {
    guard let contentType = headers["content-type"] else { return nil }
    for parameter in contentType.split(separator: ";").dropFirst() {
      let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
      if pair.count == 2 && pair[0].lowercased() == "charset" {
        return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"'"))
      }
    }
    return nil
  }

  /// Parses `block`; nil when it does not start with an HTTP status line.
  init?(_ block: UnsafeRawBufferPointer, maximumBodyBytes: Int, name: String) throws {
    guard block.starts(with: Array("HTTP/".utf8)) else { return nil }
    var position = 0
    var first = true
    while position < block.count {
      let end = block[position...].firstIndex(of: 0x0A) ?? block.count
      var lineEnd = end
      if lineEnd > position && block[lineEnd - 1] == 0x0D { lineEnd -= 1 }
      let line = String(decoding: UnsafeRawBufferPointer(rebasing: block[position..<lineEnd]), as: UTF8.self)
      position = min(end + 1, block.count)
      if first {
        let fields = line.split(separator: " ")
        status = fields.count > 1 ? Int(fields[1]) ?? 0 : 0
        first = false
        continue
      }
      if line.isEmpty { break }
      if let colon = line.firstIndex(of: ":") {
        headers[line[..<colon].trimmingCharacters(in: .whitespaces).lowercased()] =
          line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
      }
    }
    var body = Array(UnsafeRawBufferPointer(rebasing: block[position...]))
    if headers["transfer-encoding"]?.lowercased().contains("chunked") == true, let joined = Self.dechunked(body) {
      body = joined
    }
    // Only bodies that are still compressed (gzip or zlib magic): many crawlers store the
    // decoded body and keep the original header (ClueWeb09 does).
    if let encoding = headers["content-encoding"]?.lowercased(),
      encoding.contains("gzip") || encoding.contains("deflate"), Self.looksCompressed(body)
    {
      (body, bodyTruncated) = try Self.inflated(body, limit: maximumBodyBytes, name: name)
    }
    self.body = body
  }

  /// The body of a chunked message; nil when it is not well-formed chunking (crawlers often
  /// store the already joined body with the original header), and the body is used as it is.
  static func dechunked(_ body: [UInt8]) -> [UInt8]? {
    var output: [UInt8] = []
    var position = 0
    while position < body.count {
      guard let lineEnd = body[position...].firstIndex(of: 0x0A) else { return nil }
      let sizeText =
        String(decoding: body[position..<lineEnd], as: UTF8.self)
        .split(separator: ";").first?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
      guard let size = Int(sizeText, radix: 16), size >= 0 else { return nil }
      position = lineEnd + 1
      if size == 0 { return output }
      // `size` comes from the input: compared without adding, it cannot overflow.
      guard size <= body.count - position else { return nil }
      output.append(contentsOf: body[position..<(position + size)])
      position += size
      while position < body.count && (body[position] == 0x0D || body[position] == 0x0A) { position += 1 }
    }
    return output
  }

  private static func looksCompressed(_ body: [UInt8]) -> Bool {
    guard body.count >= 2 else { return false }
    let isGzip = body[0] == 0x1F && body[1] == 0x8B
    let isZlib = body[0] & 0x0F == 8 && (UInt16(body[0]) << 8 | UInt16(body[1])) % 31 == 0
    return isGzip || isZlib
  }

  /// gzip or zlib data inflated, at most `limit` bytes (`truncated`: there was more); corrupt
  /// data throws.
  static func inflated(_ body: [UInt8], limit: Int, name: String) throws -> (bytes: [UInt8], truncated: Bool) {
    try body.withUnsafeBytes { compressed in
      let (bytes, complete) = try DecompressingByteSource.gzip(MemoryByteSource(compressed), name: name).readAll(
        limit: limit)
      return (bytes, !complete)
    }
  }
}
