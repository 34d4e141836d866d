import ArgumentParser
import Filters
import Foundation
import HatcheryCore
import StageArguments

struct FilterCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "filter",
    abstract: "Drop documents by language, quality, contamination and URL; redact personal data.",
    subcommands: [Run.self, TrainLangid.self, Langid.self],
    defaultSubcommand: Run.self)

  struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "run",
      abstract: "Judge every document; each dropped one gets a `filter` decision naming the rule.",
      discussion: """
        Part files are never changed. --config FILE (YAML): `languages` with `language_threshold` and \
        `language_model`, `rules` (gopher_quality, gopher_repetition, c4, fineweb), `thresholds` (names in \
        docs/formats.md; the defaults are the published ones), `bad_words`, `url_blocklist`, `decontamination` and \
        `pii` (redaction into a redacted version of each part).
        """)

    @OptionGroup var stage: StageOptions

    @OptionGroup(title: "Options a pipeline file may set")
    var arguments: FilterArguments

    @OptionGroup var runner: StageRunArguments<StageStep>

    func run() throws {
      stage.bootstrapLogging()
      let workspace = try Workspace.open(at: stage.workspace)
      print(
        try FilterStage.run(
          workspace: workspace, config: try arguments.filterConfig(), threads: max(1, arguments.threads),
          force: runner.force,
          step: runner.step, task: runner.task, tasks: runner.tasks
        ).text)
    }
  }

  struct TrainLangid: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "train-langid",
      abstract: "Train a language-identification model from labelled text.",
      discussion: """
        Labelled text is either folders named by language code (ISO 639-1), each holding text files, or the gettext \
        catalogues of a Debian machine (--catalogues /usr/share/locale with --languages en,de,...).
        """)

    @Option(help: "Where to write the model.")
    var output: String

    @Option(help: "A folder of gettext catalogues, e.g. /usr/share/locale.")
    var catalogues: String?

    @Option(help: "Language codes to take from --catalogues, comma-separated.")
    var languages: String?

    @Option(help: "Bytes of text per language at most.")
    var maxBytes = 4_000_000

    @Option(help: "log2 of the number of feature buckets.")
    var bucketBits = 14

    @Argument(help: "Folders named by language code.")
    var folders: [String] = []

    func validate() throws {
      guard (catalogues != nil) != !folders.isEmpty else {
        throw ValidationError("give either --catalogues with --languages, or folders named by language")
      }
      guard catalogues == nil || languages != nil else { throw ValidationError("--catalogues needs --languages") }
      guard (8...20).contains(bucketBits) else { throw ValidationError("--bucket-bits must be between 8 and 20") }
    }

    func run() throws {
      let samples =
        try catalogues.map { root in
          try LanguageTraining.samples(
            catalogues: root, languages: (languages ?? "").split(separator: ",").map(String.init),
            maximumBytes: maxBytes)
        } ?? LanguageTraining.samples(folders: folders, maximumBytes: maxBytes)
      let model = LanguageModel.train(samples, bucketBits: bucketBits)
      try AtomicFileOutput.write(model.serialized(), to: output)
      let bytes = samples.reduce(0) { $0 + $1.text.utf8.count }
      print(
        "langid model: \(model.languages.count) languages (\(model.languages.joined(separator: ", "))), "
          + "\(ByteCount.format(bytes)) of text, written to \(output)")
    }
  }

  struct Langid: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "langid",
      abstract: "Identify the language of files: one JSON line per file {file, lang, confidence}.")

    @Option(help: "A model from train-langid; default: the model shipped with Hatchery.")
    var model: String?

    @Argument(help: "Files; - reads standard input.")
    var files: [String]

    func run() throws {
      let languageModel = try model.map(LanguageModel.load) ?? LanguageModel.shipped()
      for file in files {
        var line = JSONObject([("file", .string(file))])
        do {
          let bytes = try FileByteSource.contents(of: file)
          let guess = bytes.withUnsafeBytes { languageModel.identify($0) }
          line["lang"] = guess.map { .string($0.language) } ?? .null
          line["confidence"] = guess.map { .number(String(format: "%.4f", $0.confidence)) } ?? .null
        } catch {
          line["error"] = .string(FileByteSource.readFailure(error, path: file))
        }
        print(JSONWriter.encode(.object(line)))
      }
    }
  }
}
