import ArgumentParser
import Foundation
import HatcheryCore
import Ingest

struct ExtractCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "extract",
    abstract: "Print the main text extracted from web pages or XML files, as ingest would store it.",
    discussion: """
      With one file, prints its text. With several, or with --jsonl, prints one JSON line per file: \
      {"path", "text", "title", "language", "url", "licenses"}; a MediaWiki export gives one line per article. Files may be .gz or .zst; '-' reads standard input. \
      --timing reads every file into memory first, then reports the extraction time alone on standard error.
      """)

  @Option(help: "Input format: html, mediawiki, jats, tei or xml (default: by file name and content).")
  var format: MarkupFormat?

  @Flag(help: "One JSON line per file, even for one file.")
  var jsonl = false

  @Flag(help: "Report pages per second of extraction (files read into memory first) on standard error.")
  var timing = false

  @Option(help: "Extract everything this many times (with --timing), to measure a steady rate.")
  var rounds: Int = 1

  @Argument(help: "Files to read ('-' for standard input).")
  var files: [String]

  func validate() throws {
    guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
  }

  func run() throws {
    if format == nil, let warc = files.first(where: { $0.lowercased().contains(".warc") }) {
      throw HatcheryError(
        "\(warc): a WARC file holds many pages; ingest it (hatchery ingest), or extract one page with --format html")
    }
    var pages: [(path: String, bytes: [UInt8])] = []
    for path in files { pages.append((path, try Self.read(path))) }
    let extractor = MarkupExtractor()
    var results: [[ExtractedPage]] = []
    results.reserveCapacity(pages.count)
    let clock = ContinuousClock()
    let started = clock.now
    for round in 0..<rounds {
      for page in pages {
        let extracted = try page.bytes.withUnsafeBytes { bytes in
          do {
            let format = format ?? MarkupFormat.guess(fileName: page.path, bytes: bytes)
            return try extractor.extract(bytes, format: format, name: page.path)
          } catch let error as any HatcheryFailure {
            throw HatcheryError("\(page.path): \(error.message)")
          } catch let error as StreamError {
            throw HatcheryError(error.message)
          }
        }
        if round == 0 { results.append(extracted) }
      }
    }
    let seconds = (clock.now - started).seconds
    if timing {
      let count = pages.count * rounds
      let megabytes = Double(pages.reduce(0) { $0 + $1.bytes.count } * rounds) / 1e6
      FileHandle.standardError.write(
        Data(
          String(
            format: "extracted %d files in %.3f s: %.1f files/s, %.1f MB/s\n", count, seconds,
            Double(count) / seconds, megabytes / seconds
          ).utf8))
    }
    // Ingest stores text with `\n` line ends in NFC; so does this output (a page may spell
    // "ü" as "u" and a combining diaeresis).
    let normalizer = TextNormalizer()
    func stored(_ text: String) -> String {
      var bytes = Array(text.utf8)
      return bytes.withUnsafeMutableBytes { String(decoding: normalizer.normalize(valid: $0).text, as: UTF8.self) }
    }
    if results.count == 1 && results[0].count == 1 && !jsonl {
      print(stored(results[0][0].text))
      return
    }
    for (page, extracted) in zip(pages, results) {
      for result in extracted {
        var object = JSONObject([("path", .string(page.path)), ("text", .string(stored(result.text)))])
        if let title = result.title { object["title"] = .string(title) }
        if let language = result.language { object["language"] = .string(language) }
        if let url = result.canonicalURL { object["url"] = .string(url) }
        if !result.licenseHints.isEmpty { object["licenses"] = .array(result.licenseHints.map { .string($0) }) }
        if result.truncated { object["truncated"] = .bool(true) }
        print(JSONWriter.encode(.object(object)))
      }
    }
  }

  /// The whole file, decompressed by its suffix.
  static func read(_ path: String) throws -> [UInt8] {
    let source: ByteSource
    if path == "-" {
      source = try FileByteSource(path: "/dev/stdin")
    } else {
      source = try Compression.open(path: path)
    }
    return try source.readAll().bytes
  }
}

extension MarkupFormat: ExpressibleByArgument {}
