extension RandomAccessCollection where Element: Comparable {
  /// The first index whose element is not less than `value`, in a collection sorted ascending.
  @inlinable
  public func sortedLowerBound(of value: Element) -> Index {
    var low = startIndex
    var count = self.count
    while count > 0 {
      let half = count / 2
      let middle = index(low, offsetBy: half)
      if self[middle] < value {
        low = index(after: middle)
        count -= half + 1
      } else {
        count = half
      }
    }
    return low
  }

  /// Whether a collection sorted ascending holds `value` (a binary search).
  @inlinable
  public func sortedContains(_ value: Element) -> Bool {
    let found = sortedLowerBound(of: value)
    return found != endIndex && self[found] == value
  }
}
