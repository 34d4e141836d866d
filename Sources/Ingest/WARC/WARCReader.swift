import Foundation
import HatcheryCore

/// One record of a WARC file (ISO 28500: WARC/1.0 and 1.1, and the WARC/0.18 of ClueWeb09).
struct WARCRecord {
  /// Header names lower-cased, values as written.
  var headers: [String: String] = [:]
  /// Offset of the record's version line in the uncompressed stream.
  var offset = 0
  /// The record block; valid until the next record.
  var block = UnsafeRawBufferPointer(start: nil, count: 0)
  /// The block was longer than the cap and holds its start only.
  var oversized = false

  var type: String { headers["warc-type"]?.lowercased() ?? "" }
}

/// Reads the records of a WARC stream (already decompressed: `.warc.gz` files are gzip members
/// one per record, read back to back by `GzipByteSource`). A record whose header cannot be read
/// is reported through `malformed` and the reader moves on to the next `WARC/` line, so one bad
/// record does not lose the ones after it.
final class WARCReader {
  enum Item {
    case record(WARCRecord)
    case malformed(offset: Int, reason: String)
  }

  private let source: ByteSource
  private let name: String
  private let maximumBlockBytes: Int
  private let buffer = ByteBuffer(capacity: 1 << 16)
  private var start = 0
  private var ended = false
  /// Offset in the stream of `buffer[start]`.
  private var streamOffset = 0
  private let block = ByteBuffer(capacity: 1 << 16)
  private static let maximumHeaderLine = 1 << 16

  init(source: ByteSource, name: String, maximumBlockBytes: Int) {
    self.source = source
    self.name = name
    self.maximumBlockBytes = maximumBlockBytes
  }

  /// The next record; nil at the end. A truncated or corrupt stream throws `StreamError`.
  func next() throws -> Item? {
    // Blank lines between records.
    var line: UnsafeRawBufferPointer
    var lineOffset: Int
    repeat {
      lineOffset = streamOffset
      guard let next = try readLine() else { return nil }
      line = next
    } while Self.trimmed(line).isEmpty
    guard Self.trimmed(line).starts(with: Array("WARC/".utf8)) else {
      // `line` points into the buffer, which skipping may move: read it first.
      let reason = "no WARC version line (found \(Self.preview(line)))"
      try skipToNextRecord(after: line, searchingFrom: 1)
      return .malformed(offset: lineOffset, reason: reason)
    }
    var record = WARCRecord()
    record.offset = lineOffset
    var lastName: String?
    while true {
      guard let headerLine = try readLine() else {
        throw StreamError(.truncated, "\(name): stream ends inside the header of the record at byte \(lineOffset)")
      }
      let trimmed = Self.trimmed(headerLine)
      if trimmed.isEmpty { break }
      if let first = headerLine.first, ASCII.isBlank(first), let lastName {
        record.headers[lastName, default: ""] += " " + String(decoding: trimmed, as: UTF8.self)
        continue
      }
      guard let colon = trimmed.firstIndex(of: 0x3A) else {
        let reason = "header line without ':' (\(Self.preview(trimmed)))"
        try skipToNextRecord(after: headerLine, searchingFrom: 0)
        return .malformed(offset: lineOffset, reason: reason)
      }
      let headerName = String(decoding: UnsafeRawBufferPointer(rebasing: trimmed[..<colon]), as: UTF8.self)
        .trimmingCharacters(in: .whitespaces).lowercased()
      let value = String(decoding: UnsafeRawBufferPointer(rebasing: trimmed[(colon + 1)...]), as: UTF8.self)
        .trimmingCharacters(in: .whitespaces)
      record.headers[headerName] = value
      lastName = headerName
    }
    guard let lengthText = record.headers["content-length"], let length = Int(lengthText), length >= 0 else {
      try skipToNextRecord(after: UnsafeRawBufferPointer(start: nil, count: 0), searchingFrom: 0)
      return .malformed(offset: lineOffset, reason: "missing or invalid Content-Length")
    }
    try readBlock(length, recordOffset: lineOffset)
    record.block = UnsafeRawBufferPointer(block.bytes)
    record.oversized = length > maximumBlockBytes
    return .record(record)
  }

  // MARK: Buffered reading

  /// Ensures at least `count` unread bytes are buffered, unless the stream ends first.
  private func fill(_ count: Int) throws {
    while buffer.count - start < count && !ended {
      if start > 0 && start == buffer.count {
        buffer.removeAll()
        start = 0
      } else if start > (1 << 20) {
        buffer.removeFirst(start)
        start = 0
      }
      if buffer.freeSpace.count < (1 << 15) { buffer.reserve(max(buffer.capacity * 2, buffer.count + (1 << 16))) }
      let read = try source.read(into: buffer.freeSpace)
      if read == 0 { ended = true } else { buffer.didAppend(read) }
    }
  }

  /// The next line with its line end; nil at the end of the stream. Lines longer than the
  /// header limit are returned cut there (the rest comes as the next line).
  private func readLine() throws -> UnsafeRawBufferPointer? {
    var scanned = 0
    while true {
      let available = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer.bytes)[start...])
      if let newline = available[scanned...].firstIndex(of: 0x0A) {
        return consume(newline + 1)
      }
      scanned = available.count
      if available.count >= Self.maximumHeaderLine { return consume(available.count) }
      if ended { return available.isEmpty ? nil : consume(available.count) }
      try fill(available.count + 1)
    }
  }

  private func consume(_ count: Int) -> UnsafeRawBufferPointer {
    let line = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer.bytes)[start..<(start + count)])
    start += count
    streamOffset += count
    return line
  }

  /// Reads a block of `length` bytes, keeping the first `maximumBlockBytes`.
  private func readBlock(_ length: Int, recordOffset: Int) throws {
    block.removeAll()
    var remaining = length
    while remaining > 0 {
      try fill(1)
      let available = buffer.count - start
      if available == 0 {
        throw StreamError(
          .truncated,
          "\(name): stream ends inside the block of the record at byte \(recordOffset) "
            + "(\(length - remaining) of \(length) bytes)")
      }
      let take = min(available, remaining)
      let kept = min(take, max(0, maximumBlockBytes - block.count))
      if kept > 0 {
        block.append(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer.bytes)[start..<(start + kept)]))
      }
      start += take
      streamOffset += take
      remaining -= take
    }
  }

  /// After a bad header: skips to the next `WARC/`, wherever it is. Garbage without a line end
  /// runs straight into the next record's version line, so only line starts would lose it.
  /// `line`, the last line read (it ends where reading goes on), is searched first.
  private func skipToNextRecord(after line: UnsafeRawBufferPointer, searchingFrom first: Int) throws {
    let marker = Array("WARC/".utf8)
    if line.count > first, let found = Self.firstIndex(of: marker, in: UnsafeRawBufferPointer(rebasing: line[first...]))
    {
      let back = line.count - first - found
      start -= back
      streamOffset -= back
      return
    }
    while true {
      try fill(marker.count)
      let available = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer.bytes)[start...])
      if available.isEmpty { return }
      if let found = Self.firstIndex(of: marker, in: available) {
        _ = consume(found)
        return
      }
      // The last bytes may be the start of the marker: keep them for the next search.
      let kept = ended ? 0 : min(marker.count - 1, available.count)
      _ = consume(available.count - kept)
      if ended { return }
      try fill(kept + 1)
    }
  }

  private static func firstIndex(of marker: [UInt8], in bytes: UnsafeRawBufferPointer) -> Int? {
    var from = 0
    while from + marker.count <= bytes.count,
      let hit = memchr(bytes.baseAddress! + from, Int32(marker[0]), bytes.count - marker.count + 1 - from)
    {
      let index = bytes.baseAddress!.distance(to: UnsafeRawPointer(hit))
      if memcmp(bytes.baseAddress! + index, marker, marker.count) == 0 { return index }
      from = index + 1
    }
    return nil
  }

  private static func trimmed(_ line: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
    var lower = 0
    var upper = line.count
    while lower < upper && ASCII.isBlank(line[lower]) { lower += 1 }
    while upper > lower && (line[upper - 1] == 0x0A || line[upper - 1] == 0x0D || line[upper - 1] == 0x20) {
      upper -= 1
    }
    return UnsafeRawBufferPointer(rebasing: line[lower..<upper])
  }

  private static func preview(_ bytes: UnsafeRawBufferPointer) -> String {
    "'\(PrintableText.escaped(bytes, limit: 40))'"
  }
}
