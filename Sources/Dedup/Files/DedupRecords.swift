import HatcheryCore

/// The survivor rule's order: a source registered earlier wins, then the smaller document id.
struct DocumentKey: Comparable, Hashable, Sendable {
  var sourceID: UInt32
  var idHigh: UInt64
  var idLow: UInt64

  static func < (lhs: DocumentKey, rhs: DocumentKey) -> Bool {
    (lhs.sourceID, lhs.idHigh, lhs.idLow) < (rhs.sourceID, rhs.idHigh, rhs.idLow)
  }

  /// Document ids are 32 hex digits (ingest's stable ids), held as two 64-bit halves.
  init(sourceID: Int64, id: String) throws {
    var halves: (UInt64, UInt64) = (0, 0)
    let digits = Array(id.utf8)
    guard digits.count == 32 else { throw DedupError.badDocumentID(id) }
    for (index, digit) in digits.enumerated() {
      let value: UInt64
      switch digit {
      case 0x30...0x39: value = UInt64(digit - 0x30)
      case 0x61...0x66: value = UInt64(digit - 0x61 + 10)
      default: throw DedupError.badDocumentID(id)
      }
      if index < 16 { halves.0 = halves.0 << 4 | value } else { halves.1 = halves.1 << 4 | value }
    }
    self.init(sourceID: UInt32(sourceID), idHigh: halves.0, idLow: halves.1)
  }

  init(sourceID: UInt32, idHigh: UInt64, idLow: UInt64) {
    self.sourceID = sourceID
    self.idHigh = idHigh
    self.idLow = idLow
  }

  /// Writes the id's halves at `idOffset` and `idOffset + 8` and the source id at
  /// `sourceOffset`, little-endian: the layout every dedup record shares.
  func store(into buffer: UnsafeMutableRawBufferPointer, idAt idOffset: Int, sourceAt sourceOffset: Int) {
    buffer.storeBytes(of: idHigh.littleEndian, toByteOffset: idOffset, as: UInt64.self)
    buffer.storeBytes(of: idLow.littleEndian, toByteOffset: idOffset + 8, as: UInt64.self)
    buffer.storeBytes(of: sourceID.littleEndian, toByteOffset: sourceOffset, as: UInt32.self)
  }

  init(loading buffer: UnsafeRawBufferPointer, idAt idOffset: Int, sourceAt sourceOffset: Int) {
    self.init(
      sourceID: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: sourceOffset, as: UInt32.self)),
      idHigh: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: idOffset, as: UInt64.self)),
      idLow: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: idOffset + 8, as: UInt64.self)))
  }

  var id: String {
    let high = String(idHigh, radix: 16)
    let low = String(idLow, radix: 16)
    return String(repeating: "0", count: 16 - high.count) + high + String(repeating: "0", count: 16 - low.count) + low
  }
}

/// One document of a task, in the task's `documents` file (its ordinal is its position).
struct DocumentEntry: Sendable {
  static let size = 48
  var key: DocumentKey
  var exact: XXHash128
  var words: UInt32
  var hasSignature: Bool
  /// Words in the document's paragraphs (paragraph dedup's measure of what is left).
  var paragraphWords: UInt32 = 0

  func encode(into buffer: UnsafeMutableRawBufferPointer) {
    buffer.storeBytes(of: key.sourceID.littleEndian, toByteOffset: 0, as: UInt32.self)
    buffer.storeBytes(of: words.littleEndian, toByteOffset: 4, as: UInt32.self)
    buffer.storeBytes(of: key.idHigh.littleEndian, toByteOffset: 8, as: UInt64.self)
    buffer.storeBytes(of: key.idLow.littleEndian, toByteOffset: 16, as: UInt64.self)
    buffer.storeBytes(of: exact.high.littleEndian, toByteOffset: 24, as: UInt64.self)
    buffer.storeBytes(of: exact.low.littleEndian, toByteOffset: 32, as: UInt64.self)
    buffer.storeBytes(of: UInt32(hasSignature ? 1 : 0).littleEndian, toByteOffset: 40, as: UInt32.self)
    buffer.storeBytes(of: paragraphWords.littleEndian, toByteOffset: 44, as: UInt32.self)
  }

  init(key: DocumentKey, exact: XXHash128, words: UInt32, hasSignature: Bool, paragraphWords: UInt32) {
    self.key = key
    self.exact = exact
    self.words = words
    self.hasSignature = hasSignature
    self.paragraphWords = paragraphWords
  }

  init(decoding buffer: UnsafeRawBufferPointer) {
    key = DocumentKey(loading: buffer, idAt: 8, sourceAt: 0)
    words = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
    exact = XXHash128(
      high: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: 24, as: UInt64.self)),
      low: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: 32, as: UInt64.self)))
    hasSignature = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 40, as: UInt32.self)) & 1 == 1
    paragraphWords = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 44, as: UInt32.self))
  }
}

/// A bucket entry: a document under a key (one LSH band's hash, or its exact-text hash). Band
/// and exact files hold these sorted by (key, document key), so equal keys sit together and the
/// first of each run is the run's survivor.
struct KeyedEntry: Comparable, Sendable {
  static let size = 40
  var key: XXHash128
  var document: DocumentKey
  var ordinal: UInt32

  static func < (lhs: KeyedEntry, rhs: KeyedEntry) -> Bool {
    (lhs.key, lhs.document) < (rhs.key, rhs.document)
  }

  static func == (lhs: KeyedEntry, rhs: KeyedEntry) -> Bool {
    lhs.key == rhs.key && lhs.document == rhs.document
  }

  func encode(into buffer: UnsafeMutableRawBufferPointer) {
    buffer.storeBytes(of: key.high.littleEndian, toByteOffset: 0, as: UInt64.self)
    buffer.storeBytes(of: key.low.littleEndian, toByteOffset: 8, as: UInt64.self)
    document.store(into: buffer, idAt: 16, sourceAt: 32)
    buffer.storeBytes(of: ordinal.littleEndian, toByteOffset: 36, as: UInt32.self)
  }

  init(key: XXHash128, document: DocumentKey, ordinal: UInt32) {
    self.key = key
    self.document = document
    self.ordinal = ordinal
  }

  init(decoding buffer: UnsafeRawBufferPointer) {
    key = XXHash128(
      high: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
      low: UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
    document = DocumentKey(loading: buffer, idAt: 16, sourceAt: 32)
    ordinal = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 36, as: UInt32.self))
  }
}

/// Records kept in sorted files and merged across tasks by `MergedRecords`.
protocol SortedRecord: Comparable {
  static var size: Int { get }
  init(decoding buffer: UnsafeRawBufferPointer) throws
  func encode(into buffer: UnsafeMutableRawBufferPointer)
}

extension KeyedEntry: SortedRecord {}
extension ParagraphEntry: SortedRecord {}
extension SpanEntry: SortedRecord {}

/// A paragraph of a document under its fingerprint, in the paragraph files, sorted by
/// (fingerprint, document key, offset): the first entry of a run is its first occurrence.
struct ParagraphEntry: Comparable, Sendable {
  static let size = 56
  var key: XXHash128
  var document: DocumentKey
  var ordinal: UInt32
  var start: UInt32
  var end: UInt32
  var words: UInt32

  static func < (lhs: ParagraphEntry, rhs: ParagraphEntry) -> Bool {
    (lhs.key, lhs.document, lhs.start) < (rhs.key, rhs.document, rhs.start)
  }

  static func == (lhs: ParagraphEntry, rhs: ParagraphEntry) -> Bool {
    lhs.key == rhs.key && lhs.document == rhs.document && lhs.start == rhs.start
  }

  func encode(into buffer: UnsafeMutableRawBufferPointer) {
    buffer.storeBytes(of: key.high.littleEndian, toByteOffset: 0, as: UInt64.self)
    buffer.storeBytes(of: key.low.littleEndian, toByteOffset: 8, as: UInt64.self)
    document.store(into: buffer, idAt: 16, sourceAt: 32)
    buffer.storeBytes(of: ordinal.littleEndian, toByteOffset: 36, as: UInt32.self)
    buffer.storeBytes(of: start.littleEndian, toByteOffset: 40, as: UInt32.self)
    buffer.storeBytes(of: end.littleEndian, toByteOffset: 44, as: UInt32.self)
    buffer.storeBytes(of: words.littleEndian, toByteOffset: 48, as: UInt32.self)
  }

  init(paragraph: Paragraph, document: DocumentKey, ordinal: UInt32) {
    key = paragraph.hash
    self.document = document
    self.ordinal = ordinal
    start = paragraph.start
    end = paragraph.end
    words = paragraph.words
  }

  init(decoding buffer: UnsafeRawBufferPointer) {
    let entry = KeyedEntry(decoding: UnsafeRawBufferPointer(rebasing: buffer[0..<KeyedEntry.size]))
    key = entry.key
    document = entry.document
    ordinal = entry.ordinal
    start = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 40, as: UInt32.self))
    end = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 44, as: UInt32.self))
    words = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 48, as: UInt32.self))
  }
}

/// A paragraph of a task's document (by ordinal) seen before in the survivor's document, in the
/// span files sorted by (ordinal, start): a paragraph's place in its task is its own.
struct SpanEntry: Comparable, Sendable {
  static let size = 40
  var ordinal: UInt32
  var start: UInt32
  var end: UInt32
  var words: UInt32
  var survivor: DocumentKey

  static func < (lhs: SpanEntry, rhs: SpanEntry) -> Bool { (lhs.ordinal, lhs.start) < (rhs.ordinal, rhs.start) }

  func encode(into buffer: UnsafeMutableRawBufferPointer) {
    buffer.storeBytes(of: ordinal.littleEndian, toByteOffset: 0, as: UInt32.self)
    buffer.storeBytes(of: start.littleEndian, toByteOffset: 4, as: UInt32.self)
    buffer.storeBytes(of: end.littleEndian, toByteOffset: 8, as: UInt32.self)
    buffer.storeBytes(of: words.littleEndian, toByteOffset: 12, as: UInt32.self)
    survivor.store(into: buffer, idAt: 24, sourceAt: 16)
  }

  init(ordinal: UInt32, start: UInt32, end: UInt32, words: UInt32, survivor: DocumentKey) {
    self.ordinal = ordinal
    self.start = start
    self.end = end
    self.words = words
    self.survivor = survivor
  }

  init(decoding buffer: UnsafeRawBufferPointer) {
    ordinal = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
    start = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
    end = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 8, as: UInt32.self))
    words = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 12, as: UInt32.self))
    survivor = DocumentKey(loading: buffer, idAt: 24, sourceAt: 16)
  }
}

/// Why the cluster step drops a document.
enum DropReason: UInt32, Sendable {
  case exact = 1
  case near = 2

  var name: String { self == .exact ? "exact" : "near" }
}

/// A dropped document of a task (by ordinal) and the survivor of its cluster.
struct DropEntry: Sendable {
  static let size = 32
  var ordinal: UInt32
  var reason: DropReason
  var similarity: Float
  var survivor: DocumentKey

  func encode(into buffer: UnsafeMutableRawBufferPointer) {
    buffer.storeBytes(of: ordinal.littleEndian, toByteOffset: 0, as: UInt32.self)
    buffer.storeBytes(of: reason.rawValue.littleEndian, toByteOffset: 4, as: UInt32.self)
    buffer.storeBytes(of: similarity.bitPattern.littleEndian, toByteOffset: 8, as: UInt32.self)
    survivor.store(into: buffer, idAt: 16, sourceAt: 12)
  }

  init(ordinal: UInt32, reason: DropReason, similarity: Float, survivor: DocumentKey) {
    self.ordinal = ordinal
    self.reason = reason
    self.similarity = similarity
    self.survivor = survivor
  }

  init(decoding buffer: UnsafeRawBufferPointer) throws {
    ordinal = UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
    guard
      let reason = DropReason(rawValue: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 4, as: UInt32.self)))
    else { throw DedupError.unknownDropReason }
    self.reason = reason
    similarity = Float(bitPattern: UInt32(littleEndian: buffer.loadUnaligned(fromByteOffset: 8, as: UInt32.self)))
    survivor = DocumentKey(loading: buffer, idAt: 16, sourceAt: 12)
  }
}
