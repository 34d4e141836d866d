/// Why a Parquet file, row group or column could not be read, with where: one line naming the
/// file, the row group and the column.
public struct ParquetError: Error, CustomStringConvertible, Sendable {
  public enum Reason: Error, Sendable {
    /// The bytes break the format (a truncated footer, a page past its column chunk, a bad CRC…).
    case damaged(String)
    /// Valid Parquet this reader does not read (an encoding, a codec, encryption).
    case unsupported(String)
  }

  public var file: String
  public var rowGroup: Int?
  public var column: String?
  public var reason: Reason

  public init(file: String, rowGroup: Int? = nil, column: String? = nil, _ reason: Reason) {
    self.file = file
    self.rowGroup = rowGroup
    self.column = column
    self.reason = reason
  }

  public var isUnsupported: Bool {
    if case .unsupported = reason { return true }
    return false
  }

  public var description: String {
    var place = file
    if let rowGroup { place += ", row group \(rowGroup)" }
    if let column { place += ", column \(column)" }
    switch reason {
    case .damaged(let what): return "\(place): damaged Parquet: \(what)"
    case .unsupported(let what): return "\(place): unsupported Parquet: \(what)"
    }
  }
}
