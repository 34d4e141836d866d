/// 64-bit FNV-1a: a word's hash built a byte at a time as a loop reads it (word tables of the
/// licence detector, the contamination index and the boilerplate hints), with no buffer.
public struct FNV1a: Sendable {
  public static let offsetBasis: UInt64 = 0xCBF2_9CE4_8422_2325
  public static let prime: UInt64 = 0x100_0000_01B3

  public var value: UInt64 = FNV1a.offsetBasis

  @inlinable
  public init() {}

  @inlinable @inline(__always)
  public mutating func add(_ byte: UInt8) { value = (value ^ UInt64(byte)) &* Self.prime }

  public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
    var hasher = FNV1a()
    for byte in bytes { hasher.add(byte) }
    return hasher.value
  }

  public static func hash(_ text: String) -> UInt64 {
    var hasher = FNV1a()
    for byte in text.utf8 { hasher.add(byte) }
    return hasher.value
  }
}
