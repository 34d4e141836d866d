import ArgumentParser
import Classifiers
import Foundation
import HatcheryCore
import Ingest

/// `hatchery classifier predict|info`: fastText models (`.bin`, `.ftz`) applied to texts.
struct ClassifierCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "classifier",
    abstract: "fastText classifiers (.bin, .ftz): train one, predict labels of texts, describe a model.",
    subcommands: [Train.self, Predict.self, Info.self])

  struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Train a supervised fastText classifier and write it as a .bin fastText loads.",
      discussion: """
        Examples come from fastText's format (one per line: __label__A [__label__B …] text) or from .jsonl records with \
        'text' and 'label' or 'labels'. The options are fastText's, with its defaults.
        """)
    @Option(
      name: .customLong("input"), parsing: .upToNextOption, help: "Labelled examples (fastText format or .jsonl).")
    var inputs: [String]
    @Option(help: "Where to write the model (.bin).") var output: String
    @Option(help: "Vector size.") var dim = 100
    @Option(help: "Passes over the examples.") var epoch = 5
    @Option(help: "Learning rate at the start (it falls linearly to 0).") var lr = 0.1
    @Option(help: "Word n-grams (1 = words only).") var wordNgrams = 1
    @Option(help: "Words seen fewer times are left out.") var minCount = 1
    @Option(help: "Shortest character n-gram (with --maxn > 0).") var minn = 0
    @Option(help: "Longest character n-gram (0: no subwords).") var maxn = 0
    @Option(help: "Hash buckets for n-grams.") var bucket = 2_000_000
    @Option(help: "softmax, ova (one-vs-all) or hs (hierarchical softmax).") var loss = "softmax"
    @Option(help: "Threads (they share the model without locks, as fastText's).") var threads = ProcessInfo.processInfo
      .activeProcessorCount
    @Option(help: "Seed of the initial vectors.") var seed: UInt64 = 0

    func run() throws {
      var options = FastTextTrainer.Options()
      options.dim = dim
      options.epoch = epoch
      options.lr = lr
      options.wordNgrams = wordNgrams
      options.minCount = minCount
      options.minn = minn
      options.maxn = maxn
      options.bucket = bucket
      options.threads = threads
      options.seed = seed
      switch loss {
      case "softmax": options.loss = .softmax
      case "ova": options.loss = .oneVsAll
      case "hs": options.loss = .hierarchicalSoftmax
      default: throw ValidationError("--loss must be softmax, ova or hs")
      }
      try options.validate()
      var examples: [FastTextTrainer.Example] = []
      for file in inputs {
        let (bytes, complete) = try Compression.open(path: file).readAll(limit: 1 << 34)
        guard complete else { throw HatcheryError("\(file): larger than 16 GiB") }
        examples += try FastTextTrainer.readExamples(path: Compression.of(fileName: file).1, bytes: bytes)
      }
      let (model, _) = try FastTextTrainer.train(examples, options: options) { print($0) }
      try model.save(to: output)
      print("wrote \(output)")
    }
  }

  struct Info: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "A model's arguments, dictionary and labels.")
    @Argument(help: "A fastText model file.") var model: String

    func run() throws {
      let loaded = try FastTextModel(path: model)
      let args = loaded.args
      print(
        "\(model): fastText format \(loaded.version), \(loaded.isQuantized ? "quantized" : "dense"), loss \(args.loss), dim \(args.dim)"
      )
      print(
        "  words \(loaded.dictionary.wordCount), labels \(loaded.dictionary.labelCount), buckets \(args.bucket), minn \(args.minn), maxn \(args.maxn), wordNgrams \(args.wordNgrams)"
      )
      print("  labels: \(loaded.labels.prefix(20).joined(separator: " "))\(loaded.labels.count > 20 ? " …" : "")")
    }
  }

  struct Predict: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Predict the labels of texts: one JSON line per text (file, line, labels, probabilities).",
      discussion: """
        A .jsonl file gives one text per record (--text-field); any other file one text per line, as fastText's own \
        predict reads it. Newlines inside a text count as spaces. Probabilities are fastText's: the model's output plus 1e-5.
        """)
    @Argument(help: "A fastText model file (.bin or .ftz).") var model: String
    @Argument(help: "Text or JSONL files (compressed ones too).") var files: [String]
    @Option(name: .customShort("k"), help: "Labels per text (0: all).") var k = 1
    @Option(help: "Only labels with at least this probability.") var threshold: Float = 0
    @Option(help: "The JSONL member holding the text.") var textField = "text"
    @Option(help: "Threads predicting.") var threads = ProcessInfo.processInfo.activeProcessorCount
    @Flag(help: "Print only a summary: texts, time, texts/s, and how often each label came first.") var summary = false

    func validate() throws {
      guard k >= 0 else { throw ValidationError("-k must be 0 (all labels) or more") }
      guard threads >= 1 else { throw ValidationError("--threads must be at least 1") }
    }

    func run() throws {
      let loaded = try FastTextModel(path: model)
      let batches = BatchPrediction(model: loaded, threads: threads)
      var texts = 0
      var seconds = 0.0
      var firsts: [String: Int] = [:]
      let clock = ContinuousClock()
      let output = FileHandle.standardOutput
      for file in files {
        let isJSONL = [".jsonl", ".jsonl.gz", ".jsonl.zst", ".jsonl.bz2"].contains { file.lowercased().hasSuffix($0) }
        let lines = LineReader(try Compression.open(path: file), maximumLineBytes: 1 << 26)
        var batch = BatchPrediction.Batch()
        var numbers: [Int] = []
        func flush() {
          guard batch.count > 0 else { return }
          let start = clock.now
          let results = batches.predict(batch, k: k, threshold: threshold)
          seconds += (clock.now - start).seconds
          texts += results.count
          var out = ""
          for (number, result) in zip(numbers, results) {
            if let first = result.first { firsts[first.label, default: 0] += 1 }
            guard !summary else { continue }
            let line = JSONObject([
              ("file", .string(file)), ("line", .int(number)), ("labels", .array(result.map { .string($0.label) })),
              ("probabilities", .array(result.map { .number(String(format: "%.6g", Double($0.probability))) })),
            ])
            out += JSONWriter.encode(.object(line)) + "\n"
          }
          if !out.isEmpty { output.write(Data(out.utf8)) }
          batch.removeAll()
          numbers.removeAll()
        }
        while let line = try lines.next() {
          if line.oversized {
            throw HatcheryError("\(file):\(line.number): a line of \(line.length) bytes is over 64 MiB")
          }
          if isJSONL {
            guard !line.bytes.allSatisfy(ASCII.isLineSpace) else { continue }
            guard let record = (try? JSONParser.parse(UnsafeRawBufferPointer(line.bytes)))?.objectValue else {
              throw HatcheryError("\(file):\(line.number): not a JSON object")
            }
            guard var text = record[textField]?.stringValue else {
              throw HatcheryError("\(file):\(line.number): no string member '\(textField)'")
            }
            text.withUTF8 { batch.append(UnsafeRawBufferPointer($0)) }
          } else {
            batch.append(UnsafeRawBufferPointer(line.bytes))
          }
          numbers.append(line.number)
          if batch.count >= 8192 || batch.byteCount >= 16 << 20 { flush() }
        }
        flush()
      }
      if summary {
        print(
          String(
            format: "predicted %d texts in %.3f s (%.0f texts/s, %d thread(s))", texts, seconds,
            Double(texts) / max(seconds, 1e-9), threads))
        for (label, count) in firsts.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
          print("  \(label): \(count)")
        }
      }
    }
  }
}
