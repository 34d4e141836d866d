import ArgumentParser
import Foundation
import HatcheryCore
import Licensing

struct LicenseCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "license", abstract: "Licence detection tools.", subcommands: [Detect.self])

  struct Detect: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Detect the licences of files: one JSON line per file.",
      discussion: """
        Each line: {"file", "licenses": [{"spdx", "method", "confidence", "start", "end"}], "expression"}. Methods: tag \
        (SPDX-License-Identifier), notice (licence grants and notices), text (a full licence text, matched by word-bigram \
        similarity against the reference texts in /usr/share/common-licenses and any --references folder).
        """)

    @Option(name: .customLong("references"), help: "A folder of reference licence texts named by SPDX id (repeatable).")
    var referenceFolders: [String] = []

    @Argument(help: "Files to examine; - reads standard input.")
    var files: [String]

    func run() throws {
      let detector = LicenseDetector(referenceFolders: LicenseDetector.defaultReferenceFolders + referenceFolders)
      for file in files {
        var line = JSONObject([("file", .string(file))])
        do {
          let bytes = try FileByteSource.contents(of: file)
          let findings = bytes.withUnsafeBytes { detector.detect($0) }
          line["licenses"] = .array(
            findings.map { finding in
              .object(
                JSONObject([
                  ("spdx", .string(finding.spdx)), ("method", .string(finding.method.rawValue)),
                  ("confidence", .number(String(finding.confidence))), ("start", .int(finding.start)),
                  ("end", .int(finding.end)),
                ]))
            })
          line["expression"] = LicenseDetector.expression(of: findings).map { .string($0) } ?? .null
        } catch {
          line["error"] = .string(FileByteSource.readFailure(error, path: file))
        }
        print(JSONWriter.encode(.object(line)))
      }
    }
  }
}
