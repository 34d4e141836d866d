import ArgumentParser
import Foundation
import HatcheryCore
import Parquet

/// `hatchery parquet schema|scan FILE`: what the Parquet reader sees in a file, and how fast it
/// decodes a column (Benchmarks/parquet.sh compares the scan with pyarrow's).
struct ParquetCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "parquet",
    abstract: "Look into Parquet files: their columns, or a column decoded (rows, bytes, time).",
    subcommands: [Schema.self, Scan.self])

  struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The columns the reader reads, those it skips, the row groups.")
    @Argument(help: "A Parquet file.") var file: String

    func run() throws {
      let parquet = try ParquetFile(path: file)
      print(
        "\(file): \(parquet.metadata.rowCount) rows in \(parquet.metadata.rowGroups.count) row group(s), written by \(parquet.metadata.createdBy ?? "?")"
      )
      for column in parquet.columns {
        print(
          "  \(column.name): \(column.type)\(column.logical == .none ? "" : " (\(column.logical))")\(column.optional ? ", optional" : "")"
        )
      }
      for name in parquet.skipped { print("  \(name): nested, not read") }
    }
  }

  struct Scan: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Decode one column of every row group: rows, values, bytes and MB/s.")
    @Argument(help: "Parquet files.") var files: [String]
    @Option(help: "The column.") var column = "text"

    func run() throws {
      let clock = ContinuousClock()
      let start = clock.now
      var rows = 0
      var values = 0
      var bytes = 0
      for file in files {
        let parquet = try ParquetFile(path: file)
        guard let chosen = parquet.columns.first(where: { $0.name == column }) else {
          throw HatcheryError(
            "\(file): no column '\(column)' (columns: \(parquet.columns.map(\.name).joined(separator: ", ")))")
        }
        // Page by page into reused buffers, as ingest reads its text column.
        var data = ColumnData.bytes(ByteArrays())
        var present: [Bool]? = chosen.optional ? [] : nil
        for group in parquet.metadata.rowGroups.indices {
          let pages = try parquet.pages(rowGroup: group, column: chosen)
          rows += pages.rows
          while true {
            data.removeAllKeepingCapacity()
            present?.removeAll(keepingCapacity: true)
            guard try pages.next(into: &data, present: &present) else { break }
            values += data.valueCount
            if case .bytes(let arrays) = data { bytes += arrays.valueBytes }
          }
        }
      }
      let seconds = (clock.now - start).seconds
      print(
        String(
          format: "scan %@: %d rows, %d values, %d bytes in %.3f s (%.0f MB/s)", column, rows, values, bytes, seconds,
          Double(bytes) / max(seconds, 1e-9) / 1e6))
    }
  }
}
