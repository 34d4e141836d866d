import Foundation
import GRDB

/// The removed spans of one document by one stage for one reason, as one `removed_spans` value
/// (DESIGN.md: a paragraph removal costs ≤ 16 bytes, not a row). Layout, all integers unsigned
/// LEB128 varints:
///
///     survivor count S, then S survivors: tag 0 + 16 bytes (an id of 32 lower-case hex digits)
///                                      or tag 1 + byte length + UTF-8 (any other id)
///     span count N, then N spans in start order: start − previous span's start (0 for the first
///                                      span's previous), end − start, survivor number (0: none,
///                                      else 1-based into the survivors)
///
/// A paragraph-dedup span costs 3–5 bytes plus its survivor's 17 bytes once per document.
public enum RemovedSpanSet {
  public struct Span: Sendable, Equatable {
    public var start: Int
    public var end: Int
    /// The document the removed text was first seen in.
    public var duplicateOf: String?

    public init(start: Int, end: Int, duplicateOf: String?) {
      self.start = start
      self.end = end
      self.duplicateOf = duplicateOf
    }
  }

  public static func encode(_ spans: [Span]) throws -> Data {
    if let bad = spans.first(where: { $0.start < 0 || $0.end < $0.start }) {
      throw StoreError.malformedSpans("removed span \(bad.start)..<\(bad.end): not a range of byte offsets")
    }
    let ordered = spans.sorted { ($0.start, $0.end) < ($1.start, $1.end) }
    var survivors: [String] = []
    var number: [String: Int] = [:]
    for span in ordered {
      if let id = span.duplicateOf, number[id] == nil {
        survivors.append(id)
        number[id] = survivors.count
      }
    }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(survivors.count * 17 + ordered.count * 4 + 4)
    appendVarint(survivors.count, to: &bytes)
    for id in survivors {
      if id.utf8.count == 32, let packed = Hex.decode(id), Hex.encode(packed) == id {
        bytes.append(0)
        bytes += packed
      } else {
        bytes.append(1)
        appendVarint(id.utf8.count, to: &bytes)
        bytes += id.utf8
      }
    }
    appendVarint(ordered.count, to: &bytes)
    var previous = 0
    for span in ordered {
      appendVarint(span.start - previous, to: &bytes)
      appendVarint(span.end - span.start, to: &bytes)
      appendVarint(span.duplicateOf.map { number[$0]! } ?? 0, to: &bytes)
      previous = span.start
    }
    return Data(bytes)
  }

  /// The spans of an encoded value; an error names what is wrong with a damaged one.
  public static func decode(_ data: Data) throws -> [Span] {
    try data.withUnsafeBytes { raw -> [Span] in
      let bytes = raw.bindMemory(to: UInt8.self)
      var offset = 0
      func varint() throws -> Int {
        var value = 0
        var shift = 0
        while true {
          guard offset < bytes.count, shift < 63 else {
            throw StoreError.malformedSpans("removed spans: cut short or malformed at byte \(offset)")
          }
          let byte = bytes[offset]
          offset += 1
          value |= Int(byte & 0x7F) << shift
          if byte & 0x80 == 0 { return value }
          shift += 7
        }
      }
      func take(_ count: Int) throws -> UnsafeBufferPointer<UInt8> {
        guard count >= 0, offset + count <= bytes.count else {
          throw StoreError.malformedSpans("removed spans: cut short at byte \(offset)")
        }
        defer { offset += count }
        return UnsafeBufferPointer(rebasing: bytes[offset..<offset + count])
      }
      let survivorCount = try varint()
      var survivors: [String] = []
      survivors.reserveCapacity(min(survivorCount, bytes.count))
      for _ in 0..<survivorCount {
        switch try take(1)[0] {
        case 0: survivors.append(Hex.encode(try take(16)))
        case 1: survivors.append(String(decoding: try take(try varint()), as: UTF8.self))
        case let tag:
          throw StoreError.malformedSpans("removed spans: unknown survivor tag \(tag) at byte \(offset - 1)")
        }
      }
      let count = try varint()
      var spans: [Span] = []
      spans.reserveCapacity(min(count, bytes.count))
      var start = 0
      for _ in 0..<count {
        start += try varint()
        let end = start + (try varint())
        let survivor = try varint()
        guard survivor <= survivors.count else {
          throw StoreError.malformedSpans("removed spans: survivor \(survivor) of \(survivors.count)")
        }
        spans.append(Span(start: start, end: end, duplicateOf: survivor == 0 ? nil : survivors[survivor - 1]))
      }
      guard offset == bytes.count else {
        throw StoreError.malformedSpans("removed spans: \(bytes.count - offset) bytes after the last span")
      }
      return spans
    }
  }

  private static func appendVarint(_ value: Int, to bytes: inout [UInt8]) {
    var value = UInt(value)
    while value >= 0x80 {
      bytes.append(UInt8(value & 0x7F) | 0x80)
      value >>= 7
    }
    bytes.append(UInt8(value))
  }
}

/// `hatchery_span_set(start, end, duplicate_of)`: the spans of a group of old `removed_spans`
/// rows as one encoded value, for migration v13.
struct RemovedSpanSetAggregate: DatabaseAggregate {
  private var spans: [RemovedSpanSet.Span] = []

  init() {}

  mutating func step(_ values: [DatabaseValue]) throws {
    guard let start = Int.fromDatabaseValue(values[0]), let end = Int.fromDatabaseValue(values[1]) else {
      throw StoreError.malformedSpans("removed_spans: a row without offsets")
    }
    spans.append(RemovedSpanSet.Span(start: start, end: end, duplicateOf: String.fromDatabaseValue(values[2])))
  }

  func finalize() throws -> (any DatabaseValueConvertible)? {
    try RemovedSpanSet.encode(spans)
  }
}
