public enum HatcheryVersion {
  /// Recorded with every stage run; bump with any change to an output format (CHANGELOG.md).
  public static let current = "0.2.20"
}
