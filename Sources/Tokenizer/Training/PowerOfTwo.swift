extension Int {
  /// The smallest power of two at least `self` (1 for values below 1): hash table capacities.
  var nextPowerOfTwo: Int {
    self <= 1 ? 1 : 1 << (Int.bitWidth - (self - 1).leadingZeroBitCount)
  }
}
