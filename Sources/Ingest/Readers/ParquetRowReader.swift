import Foundation
import HatcheryCore
import Parquet

/// Parquet inputs: one document per row, row group after row group (memory follows the largest
/// row group). The text comes from `--text-field` (a string column); the document id is made
/// from the file and row as for every input, and `--id-field` names the column kept as the
/// record's own id (`metadata.record_id`); every other flat column goes to `metadata.original`,
/// `url`/`title`/`language`/`created` columns also to their fields.
/// Columns under lists, maps or structs are skipped with one recorded note naming them. A row
/// whose text is null or empty is a reject; a damaged or unsupported row group is one reject
/// naming file, row group and column, and the rows before it are kept.
final class ParquetRowReader: DocumentReader {
  func read(_ file: InputFile, into part: PartOutput) throws {
    guard file.compression == .none else {
      try part.reject(
        file, line: nil, offset: nil, .parquetCompressed,
        "\(file.absolutePath): a compressed Parquet file cannot be read in place; decompress it first (Parquet compresses its pages itself)"
      )
      return
    }
    let parquet: ParquetFile
    do {
      parquet = try ParquetFile(path: String(decoding: file.pathBytes, as: UTF8.self))
    } catch {
      try part.reject(
        file, line: nil, offset: nil, error.isUnsupported ? .parquetUnsupported : .parquetDamaged, error.description)
      return
    }
    let options = part.options
    let columns = parquet.columns
    guard let text = columns.first(where: { $0.name == options.textField }),
      text.type == .byteArray || text.type == .fixedLenByteArray
    else {
      try part.reject(
        file, line: nil, offset: nil, .noText,
        "\(file.absolutePath): no string column '\(options.textField)' (columns: \(columns.map(\.name).joined(separator: ", "))); "
          + "give --text-field")
      return
    }
    var idColumn: ParquetFile.Column?
    if let idField = options.idField {
      guard let found = columns.first(where: { $0.name == idField }) else {
        try part.reject(
          file, line: nil, offset: nil, .noID, "\(file.absolutePath): no column '\(idField)' for --id-field")
        return
      }
      idColumn = found
    }
    let groups = file.rowGroups ?? 0..<parquet.metadata.rowGroups.count
    guard groups.upperBound <= parquet.metadata.rowGroups.count else {
      try part.reject(
        file, line: nil, offset: nil, .parquetDamaged,
        "\(file.absolutePath): row groups \(groups) are not in the file any more")
      return
    }
    if !parquet.skipped.isEmpty, groups.lowerBound == 0 {
      try part.reject(
        file, line: nil, offset: nil, .parquetNestedSkipped,
        "\(file.absolutePath): nested columns not read: \(parquet.skipped.joined(separator: ", ")) (every row is read without them)"
      )
    }
    // Rows are numbered over the whole file, whichever slice of row groups this is.
    var firstRow = parquet.metadata.rowGroups[0..<groups.lowerBound].reduce(0) { $0 + Int($1.rowCount) }
    for group in groups {
      let rows = Int(parquet.metadata.rowGroups[group].rowCount)
      defer { firstRow += rows }
      // The other columns are decoded whole; the text column a page at a time as its rows are
      // emitted, so its decoding overlaps the part's compression.
      var decoded: [(column: ParquetFile.Column, present: [Bool]?, data: ColumnData, next: Int)] = []
      let textPages: ParquetFile.ColumnPages
      do {
        for column in columns where column.name != text.name {
          let (present, data) = try parquet.read(rowGroup: group, column: column)
          decoded.append((column, present, data, 0))
        }
        textPages = try parquet.pages(rowGroup: group, column: text)
      } catch {
        try part.reject(
          file, line: firstRow + 1, offset: group,
          error.isUnsupported ? .parquetUnsupported : .parquetDamaged,
          "\(error.description) — its \(rows) rows are not read")
        continue
      }
      // The text column's page buffers are emptied and reused from page to page.
      var page = (
        present: text.optional ? [Bool]() : nil, data: ColumnData.bytes(ByteArrays()), rows: 0, row: 0, value: 0
      )
      for row in 0..<rows {
        if page.row == page.rows {
          page.data.removeAllKeepingCapacity()
          page.present?.removeAll(keepingCapacity: true)
          page.rows = 0
          page.row = 0
          page.value = 0
          do throws(ParquetError) {
            guard try textPages.next(into: &page.data, present: &page.present) else {
              throw ParquetError(
                file: parquet.path, rowGroup: group, column: text.name,
                .damaged("the text column ends after \(row) of \(rows) rows"))
            }
          } catch {
            try part.reject(
              file, line: firstRow + row + 1, offset: group,
              error.isUnsupported ? .parquetUnsupported : .parquetDamaged,
              "\(error.description) — its \(rows - row) rows from row \(row) are not read")
            break
          }
          page.rows = page.present?.count ?? page.data.valueCount
        }
        var textValue: Int?
        if page.present?[page.row] ?? true, case .bytes = page.data {
          textValue = page.value
          page.value += 1
        }
        page.row += 1
        var original = JSONObject()
        var id: String?
        for index in decoded.indices {
          let has = decoded[index].present?[row] ?? true
          let value: JSONValue
          if has {
            let position = decoded[index].next
            decoded[index].next += 1
            value = Self.json(decoded[index].data, at: position, column: decoded[index].column)
          } else {
            value = .null
          }
          if decoded[index].column.name == idColumn?.name {
            id = value.stringValue ?? value.intValue.map(String.init)
          }
          original[decoded[index].column.name] = value
        }
        let line = firstRow + row + 1
        guard let textValue else {
          try part.reject(
            file, line: line, offset: group, .nullText,
            "\(file.absolutePath): row group \(group), row \(row): '\(text.name)' is null")
          continue
        }
        // Bound only here: a reference held on would make the in-place work below copy the page.
        var length = 0
        if case .bytes(let values) = page.data { length = values.range(textValue).count }
        guard length <= options.maximumDocumentBytes else {
          try part.reject(
            file, line: line, offset: group, .tooLarge,
            "\(file.absolutePath): row group \(group), row \(row): text of \(length) bytes is larger than --max-document-bytes \(options.maximumDocumentBytes)"
          )
          continue
        }
        func field(_ names: String...) -> String? { names.lazy.compactMap { original[$0]?.stringValue }.first }
        // The text is hashed, checked and normalised where it was decoded, not copied out.
        try page.data.withMutableValue(textValue) { text in
          let originalSHA256 = SHA256Hasher.hash(UnsafeRawBufferPointer(text))
          let repaired = part.normalizer.repairUTF8(text)
          if repaired.replaced > 0 && options.rejectInvalidUTF8 {
            try part.reject(
              file, line: line, offset: group, .invalidUTF8,
              "\(file.absolutePath): row group \(group), row \(row): invalid UTF-8; drop --reject-invalid-utf8 to repair it with U+FFFD"
            )
            return
          }
          var document = ReadDocument(
            originalSHA256: originalSHA256, originalBytes: length, repaired: repaired.replaced, line: line,
            offset: group, locatorKey: "\(file.locator):\(line)",
            created: field("created", "date", "timestamp") ?? file.created, original: original, title: field("title"),
            url: field("url"), language: field("language", "lang"))
          document.extra = JSONObject(
            [("row_group", .int(group)), ("row", .int(row))]
              + (id.map { [("record_id", JSONValue.string($0))] } ?? []))
          try part.emit(repaired, document, from: file)
        }
      }
    }
  }

  /// A Parquet value as JSON: strings (bytes that are not UTF-8 as hex), numbers, booleans,
  /// timestamps and dates as ISO 8601 text.
  static func json(_ data: ColumnData, at index: Int, column: ParquetFile.Column) -> JSONValue {
    switch data {
    case .bytes(let values):
      let bytes = values.data[values.range(index)]
      if column.type == .byteArray, let text = String(validating: bytes, as: UTF8.self) { return .string(text) }
      return .string(bytes.map { String(format: "%02x", $0) }.joined())
    case .boolean(let values): return .bool(values[index])
    case .int32(let values):
      if column.logical == .date {
        return .string(Timestamp.string(fromEpochSeconds: Int(values[index]) * 86_400).prefix(10).description)
      }
      return .int(Int(values[index]))
    case .int64(let values):
      let value = values[index]
      switch column.logical {
      case .timestampMillis: return .string(isoTime(seconds: value / 1000, fraction: Int(value % 1000), digits: 3))
      case .timestampMicros:
        return .string(isoTime(seconds: value / 1_000_000, fraction: Int(value % 1_000_000), digits: 6))
      case .timestampNanos:
        return .string(isoTime(seconds: value / 1_000_000_000, fraction: Int(value % 1_000_000_000), digits: 9))
      default: return .int(Int(value))
      }
    case .int96(let values):
      // Julian day 2440588 is 1970-01-01.
      let (nanoseconds, day) = values[index]
      let seconds = (Int64(day) - 2_440_588) * 86_400 + Int64(nanoseconds / 1_000_000_000)
      return .string(isoTime(seconds: seconds, fraction: Int(nanoseconds % 1_000_000_000), digits: 9))
    case .float(let values): return values[index].isFinite ? .number(String(values[index])) : .null
    case .double(let values): return values[index].isFinite ? .number(String(values[index])) : .null
    }
  }

  private static func isoTime(seconds: Int64, fraction: Int, digits: Int) -> String {
    var seconds = seconds
    var fraction = fraction
    if fraction < 0 {
      seconds -= 1
      fraction += Int(pow(10, Double(digits)))
    }
    let base = Timestamp.string(fromEpochSeconds: Int(seconds))
    guard fraction != 0 else { return base }
    var digitsText = String(fraction)
    digitsText = String(repeating: "0", count: max(0, digits - digitsText.count)) + digitsText
    while digitsText.hasSuffix("0") { digitsText.removeLast() }
    return base.replacingOccurrences(of: "Z", with: "." + digitsText + "Z")
  }
}
