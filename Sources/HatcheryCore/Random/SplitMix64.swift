/// SplitMix64 (Steele, Lea and Flood, 2014): a small seeded generator for reproducible choices
/// — window positions, test inputs — where the same seed must give the same sequence on every
/// machine.
public struct SplitMix64: RandomNumberGenerator, Sendable {
  private var stateValue: UInt64

  /// Starts from `seed`; a generator made from another's `state` continues its sequence.
  public init(seed: UInt64) {
    stateValue = seed
  }

  /// The position in the sequence, for saving (a checkpoint's random state).
  public var state: UInt64 { stateValue }

  public mutating func next() -> UInt64 {
    stateValue &+= 0x9E37_79B9_7F4A_7C15
    var z = stateValue
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
