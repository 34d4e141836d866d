import HatcheryCore

/// A fastText model file that cannot be read: the file, the byte where reading stopped, why.
public struct FastTextError: Error, CustomStringConvertible, Sendable {
  public let file: String
  public let offset: Int
  public let reason: String

  public var description: String { PrintableText.escaped("\(file): byte \(offset): \(reason)") }
}

/// fastText's training arguments as its model files store them (`Args::save`), in file order.
public struct FastTextArgs: Sendable, Equatable {
  public enum Loss: Int32, Sendable, CaseIterable {
    case hierarchicalSoftmax = 1
    case negativeSampling, softmax, oneVsAll
  }

  public enum Kind: Int32, Sendable {
    case cbow = 1
    case skipgram, supervised
  }

  public var dim: Int32 = 100
  public var ws: Int32 = 5
  public var epoch: Int32 = 5
  public var minCount: Int32 = 1
  public var neg: Int32 = 5
  public var wordNgrams: Int32 = 1
  public var loss = Loss.softmax
  public var kind = Kind.supervised
  public var bucket: Int32 = 2_000_000
  public var minn: Int32 = 0
  public var maxn: Int32 = 0
  public var lrUpdateRate: Int32 = 100
  public var t: Double = 1e-4

  public init() {}
}

/// The file's magic and the newest version fastText writes (0.9.x); 11 is read too.
enum FastTextFile {
  static let magic: Int32 = 793_712_314
  static let version: Int32 = 12
  /// Product quantizers have 2^8 centroids per sub-quantizer.
  static let centroidsPerQuantizer = 256
}

/// Reads little-endian values from a model file's bytes, each read checked against the end.
struct FastTextReader {
  let bytes: UnsafeRawBufferPointer
  let file: String
  private(set) var position = 0

  init(bytes: UnsafeRawBufferPointer, file: String) {
    self.bytes = bytes
    self.file = file
  }

  var remaining: Int { bytes.count - position }

  func failure(_ reason: String) -> FastTextError { FastTextError(file: file, offset: position, reason: reason) }

  mutating func need(_ count: Int, for what: String) throws(FastTextError) {
    guard count >= 0, count <= remaining else {
      throw failure(
        "the file ends inside \(what) (\(count) bytes needed, \(remaining) left): truncated or not a fastText model")
    }
  }

  mutating func load<T: FixedWidthInteger>(_: T.Type, _ what: String) throws(FastTextError) -> T {
    try need(MemoryLayout<T>.size, for: what)
    defer { position += MemoryLayout<T>.size }
    return T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
  }

  mutating func int32(_ what: String) throws(FastTextError) -> Int32 { try load(Int32.self, what) }
  mutating func int64(_ what: String) throws(FastTextError) -> Int64 { try load(Int64.self, what) }
  mutating func byte(_ what: String) throws(FastTextError) -> UInt8 { try load(UInt8.self, what) }
  mutating func bool(_ what: String) throws(FastTextError) -> Bool { try byte(what) != 0 }
  mutating func double(_ what: String) throws(FastTextError) -> Double {
    Double(bitPattern: try load(UInt64.self, what))
  }

  /// `count` floats (IEEE 754 single, little-endian).
  mutating func floats(_ count: Int, _ what: String) throws(FastTextError) -> [Float] {
    guard count >= 0, count <= remaining / 4 else {
      throw failure(
        "the file ends inside \(what) (\(count) floats needed, \(remaining) bytes left): truncated or damaged")
    }
    let start = position
    position += count * 4
    return [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
      for index in 0..<count {
        buffer[index] = Float(
          bitPattern: UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start + index * 4, as: UInt32.self)))
      }
      initialized = count
    }
  }

  mutating func bytes(_ count: Int, _ what: String) throws(FastTextError) -> [UInt8] {
    try need(count, for: what)
    defer { position += count }
    return Array(UnsafeRawBufferPointer(rebasing: bytes[position..<position + count]))
  }

  /// Bytes up to a NUL (the NUL read, not returned).
  mutating func cString(_ what: String, limit: Int) throws(FastTextError) -> UnsafeRawBufferPointer {
    let start = position
    let end = min(bytes.count, start + limit + 1)
    guard let nul = UnsafeRawBufferPointer(rebasing: bytes[start..<end]).firstIndex(of: 0) else {
      throw failure(end == bytes.count ? "the file ends inside \(what)" : "\(what) longer than \(limit) bytes: damaged")
    }
    position = start + nul + 1
    return UnsafeRawBufferPointer(rebasing: bytes[start..<start + nul])
  }
}

/// Writes the same values, for `FastTextModel.save`.
struct FastTextWriter {
  var bytes: [UInt8] = []

  mutating func put<T: FixedWidthInteger>(_ value: T) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }
  mutating func put(_ value: Bool) { bytes.append(value ? 1 : 0) }
  mutating func put(_ value: Double) { put(value.bitPattern) }
  mutating func put(_ values: [Float]) {
    bytes.reserveCapacity(bytes.count + values.count * 4)
    for value in values { put(value.bitPattern) }
  }
}

extension FastTextArgs {
  init(reading reader: inout FastTextReader) throws(FastTextError) {
    dim = try reader.int32("the arguments")
    ws = try reader.int32("the arguments")
    epoch = try reader.int32("the arguments")
    minCount = try reader.int32("the arguments")
    neg = try reader.int32("the arguments")
    wordNgrams = try reader.int32("the arguments")
    let lossCode = try reader.int32("the arguments")
    guard let loss = Loss(rawValue: lossCode) else {
      throw reader.failure("unknown loss \(lossCode) (1–4 are hs, ns, softmax, ova)")
    }
    self.loss = loss
    let kindCode = try reader.int32("the arguments")
    guard let kind = Kind(rawValue: kindCode) else {
      throw reader.failure("unknown model kind \(kindCode) (1–3 are cbow, skipgram, supervised)")
    }
    self.kind = kind
    bucket = try reader.int32("the arguments")
    minn = try reader.int32("the arguments")
    maxn = try reader.int32("the arguments")
    lrUpdateRate = try reader.int32("the arguments")
    t = try reader.double("the arguments")
    // Bounds that keep every later allocation and index sane; fastText's own limits are wider
    // only in theory.
    guard dim > 0, dim <= 1 << 16 else { throw reader.failure("dimension \(dim) out of range: damaged") }
    guard bucket >= 0, wordNgrams >= 0, wordNgrams <= 64, minn >= 0, maxn >= 0, maxn <= 64 else {
      throw reader.failure(
        "arguments out of range (bucket \(bucket), wordNgrams \(wordNgrams), minn \(minn), maxn \(maxn)): damaged")
    }
  }

  func write(to writer: inout FastTextWriter) {
    for value in [
      dim, ws, epoch, minCount, neg, wordNgrams, loss.rawValue, kind.rawValue, bucket, minn, maxn, lrUpdateRate,
    ] { writer.put(value) }
    writer.put(t)
  }
}
