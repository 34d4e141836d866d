import CXXHash

/// xxHash (XXH3) through Debian's libxxhash: 6–8 GB/s, for shingles, band keys, content
/// fingerprints and file checksums, where SHA-256's guarantees are not needed.
public enum XXHash {
  public static func hash64(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
    XXH3_64bits_withSeed(bytes.baseAddress, bytes.count, seed)
  }

  public static func hash128(_ bytes: UnsafeRawBufferPointer) -> XXHash128 {
    let value = XXH3_128bits(bytes.baseAddress, bytes.count)
    return XXHash128(high: value.high64, low: value.low64)
  }
}

/// A 128-bit XXH3 value.
public struct XXHash128: Hashable, Sendable, Comparable {
  public var high: UInt64
  public var low: UInt64

  public init(high: UInt64, low: UInt64) {
    self.high = high
    self.low = low
  }

  public static func < (lhs: XXHash128, rhs: XXHash128) -> Bool {
    (lhs.high, lhs.low) < (rhs.high, rhs.low)
  }
}

/// Incremental XXH3, 64-bit (checksums) or 128-bit (content fingerprints) digest.
public final class XXHashState {
  private let state: OpaquePointer

  public init() {
    guard let state = XXH3_createState() else { fatalError("xxhash could not allocate its state") }
    self.state = state
    reset()
  }

  deinit { XXH3_freeState(state) }

  /// Starts again; the 64- and 128-bit digests share one reset.
  public func reset() {
    XXH3_128bits_reset(state)
  }

  public func update(_ bytes: UnsafeRawBufferPointer) {
    guard !bytes.isEmpty else { return }
    XXH3_128bits_update(state, bytes.baseAddress, bytes.count)
  }

  public var digest128: XXHash128 {
    let value = XXH3_128bits_digest(state)
    return XXHash128(high: value.high64, low: value.low64)
  }
}
