public enum HatcheryVersion {
  /// Recorded with every stage run; bump with any change to an output format.
  public static let current = "0.1.0"
}
