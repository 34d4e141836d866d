import Foundation
import HatcheryCore

/// JSON Lines: one document per line, its text the `text` member (Dolma, datatrove and Hugging
/// Face exports); `created`, `title`, `url` and `language` are taken from the record or its
/// `metadata` object, and the other members are kept as `metadata.original`.
final class JSONLReader: DocumentReader {
  private let lineBuffer = ByteBuffer(capacity: 1 << 16)

  func read(_ file: InputFile, into part: PartOutput) throws {
    let stream: ByteSource
    do {
      stream = try file.open()
    } catch let error as StreamError {
      try part.reject(file, offset: nil, error)
      return
    }
    let maximum = part.options.maximumDocumentBytes
    // Room for the JSON around the text and its escapes.
    let lines = LineReader(stream, maximumLineBytes: maximum + (1 << 20))
    var sawLine = false
    var sawRecord = false
    var lastLine = 0
    do {
      while let line = try lines.next() {
        sawLine = true
        lastLine = line.number
        if line.oversized {
          try part.reject(
            file, line: line.number, offset: line.offset, .tooLarge,
            "\(file.absolutePath):\(line.number): record of \(line.length) bytes is larger than "
              + "--max-document-bytes \(maximum)")
          continue
        }
        if PartOutput.isBlank(line.bytes) { continue }
        // A `.json` file whose first line is not a whole object is one JSON document (an API
        // dump, a pretty-printed config), not JSON Lines: one reject for the file, not one per line.
        if !sawRecord, Compression.of(fileName: file.locator.lowercased()).1.hasSuffix(".json"),
          (try? JSONParser.parse(UnsafeRawBufferPointer(line.bytes)))?.objectValue == nil
        {
          try part.reject(
            file, line: line.number, offset: line.offset, .notJSONL,
            "\(file.absolutePath):\(line.number): not JSON Lines (the first line is not a JSON object); "
              + "pass --format text to read the file as text")
          return
        }
        sawRecord = true
        lineBuffer.removeAll()
        lineBuffer.append(line.bytes)
        try readRecord(file, line: line.number, offset: line.offset, bytes: lineBuffer.bytes, part)
      }
    } catch let error as StreamError {
      try part.reject(
        file, line: lastLine + 1, offset: lines.offset, error, kept: "\(lastLine) line(s) before it were kept")
      return
    }
    if !sawLine {
      try part.reject(file, line: nil, offset: 0, .empty, "\(file.absolutePath): empty file")
    }
  }

  private func readRecord(
    _ file: InputFile, line: Int, offset: Int, bytes: UnsafeMutableRawBufferPointer, _ part: PartOutput
  ) throws {
    let position = "\(file.absolutePath):\(line)"
    let repaired = part.normalizer.repairUTF8(bytes)
    if repaired.replaced > 0 && part.options.rejectInvalidUTF8 {
      try part.reject(
        file, line: line, offset: offset + (repaired.firstInvalidOffset ?? 0), .invalidUTF8,
        "\(position): invalid UTF-8 at byte \(repaired.firstInvalidOffset ?? 0) of the line; "
          + "drop --reject-invalid-utf8 to repair it with U+FFFD")
      return
    }
    let value: JSONValue
    do {
      value = try JSONParser.parse(UnsafeRawBufferPointer(repaired.text))
    } catch {
      try part.reject(file, line: line, offset: offset, .notJSON, "\(position): not JSON: \(error) of the line")
      return
    }
    guard var record = value.objectValue else {
      try part.reject(file, line: line, offset: offset, .notJSON, "\(position): not a JSON object")
      return
    }
    guard var text = record["text"]?.stringValue else {
      try part.reject(file, line: line, offset: offset, .noText, "\(position): no string member 'text'")
      return
    }
    record["text"] = nil
    let maximum = part.options.maximumDocumentBytes
    if text.utf8.count > maximum {
      try part.reject(
        file, line: line, offset: offset, .tooLarge,
        "\(position): text of \(text.utf8.count) bytes is larger than --max-document-bytes \(maximum)")
      return
    }
    let metadata = record["metadata"]?.objectValue
    func field(_ names: String...) -> String? {
      for name in names {
        if let value = record[name]?.stringValue ?? metadata?[name]?.stringValue { return value }
      }
      return nil
    }
    let buffer = part.documentBuffer
    buffer.removeAll()
    text.withUTF8 { buffer.append(UnsafeRawBufferPointer($0)) }
    let document = ReadDocument(
      originalSHA256: SHA256Hasher.hash(UnsafeRawBufferPointer(buffer.bytes)), originalBytes: buffer.count,
      repaired: repaired.replaced, line: line, offset: offset, locatorKey: "\(file.locator):\(line)",
      created: field("created") ?? file.created, original: record, title: field("title"), url: field("url"),
      language: field("language", "lang"))
    try part.emit(buffer.bytes, document, from: file)
  }
}
