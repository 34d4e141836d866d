import HatcheryCore

/// Fingerprints that decide whether a part is up to date: everything its bytes depend on.
enum IngestFingerprint {
  /// Bump when the document line or the reading rules change, so old parts are redone.
  static let formatVersion = "ingest-v2"

  static func part(_ part: InputPlan.Part, options: IngestOptions, addedAt: String) -> String {
    var hasher = SHA256Hasher()
    hasher.update(formatVersion)
    hasher.update("\0\(options.source)\0\(addedAt)\0\(options.format?.rawValue ?? "auto")")
    hasher.update("\0\(options.maximumDocumentBytes)\0\(options.rejectInvalidUTF8)\0\(options.compressionLevel)")
    if part.files.contains(where: { $0.format == .parquet || $0.format == .text }) {
      // The columns read change a Parquet file's documents (text files are sniffed for Parquet's magic).
      hasher.update("\0parquet:\(options.textField)\0\(options.idField ?? "")")
    }
    for file in part.files {
      hasher.update("\0\(file.locator)\0\(file.size)\0\(file.modifiedNanoseconds)\0\(file.format.rawValue)")
      if let groups = file.rowGroups { hasher.update("\0row groups \(groups.lowerBound)..<\(groups.upperBound)") }
      if file.unreadable != nil { hasher.update("\0unreadable") }
    }
    return hasher.finalize().hex
  }
}
