import ArgumentParser
import Foundation
import HatcheryCore
import StageArguments
import Synchronization
import Tokenizer

struct TokenizerCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tokenizer",
    abstract: "Train a byte-level BPE tokenizer; encode and decode with one.",
    subcommands: [Train.self, Encode.self, Decode.self])

  struct Train: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "train",
      abstract: "Train a byte-level BPE tokenizer on a workspace's kept documents or on text files.",
      discussion: """
        With --workspace, reads the documents no stage dropped (latest part versions, removed spans left out) and \
        writes DIR/tokenizer/tokenizer.json and tokenizer.tiktoken. With --input, reads plain text files (one document \
        per line with --lines, else one per file) and writes --output (tokenizer.json, or .tiktoken ranks). The \
        vocabulary size counts the 256 byte tokens, the merges and the special tokens (the last ids).
        """)

    @Option(name: .shortAndLong, help: "The workspace directory.")
    var workspace: String?

    @Option(parsing: .upToNextOption, help: "Plain text files to train on instead of a workspace.")
    var input: [String] = []

    @Flag(help: "With --input: each line is a document.")
    var lines = false

    @Option(help: "Where to write the tokenizer (with --input): tokenizer.json or NAME.tiktoken.")
    var output: String?

    @OptionGroup(title: "Options a pipeline file may set")
    var arguments: TokenizerArguments

    @OptionGroup var runner: StageRunArguments<StageStep>

    func validate() throws {
      guard (workspace == nil) != input.isEmpty else { throw ValidationError("give either --workspace or --input") }
      guard workspace != nil || output != nil else { throw ValidationError("--input needs --output") }
      guard workspace == nil || output == nil else {
        throw ValidationError("--output is only for --input; a workspace's tokenizer goes in DIR/tokenizer/")
      }
      guard arguments.threads >= 1 else { throw ValidationError("--threads must be at least 1") }
      try asUsageError { try arguments.options.validate() }
    }

    func run() throws {
      let options = arguments.options
      if let workspace {
        let status = StatusLine(label: "tokenizer")
        let result = try TokenizerStage.run(
          workspace: try Workspace.open(at: workspace), options: options, force: runner.force,
          progress: status.training,
          step: runner.step, task: runner.task, tasks: runner.tasks)
        status.finish()
        print(result.text)
        return
      }
      let totalBytes = input.reduce(0) { total, path in
        total + ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0)
      }
      let status = StatusLine(label: "tokenizer", totalBytes: totalBytes)
      let clock = ContinuousClock()
      let start = clock.now
      let (tokenizer, summary) = try TokenizerTrainer.train(
        TextFileChunks(paths: input, lines: lines), options: options, progress: status.training)
      try TokenizerFile.save(tokenizer, to: output!)
      status.finish()
      print(TokenizerStage.describe(summary, tokenizer: tokenizer, seconds: (clock.now - start).seconds, path: output!))
    }
  }

  struct Encode: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "encode",
      abstract: "Encode files; print one JSON line {bytes, tokens, bytes_per_token, seconds, mb_per_s}.",
      discussion: """
        Special tokens written in the text are recognised, as Hugging Face's Tokenizer.encode does; --ordinary \
        encodes them as plain text. seconds and mb_per_s time the encoding itself, with the text in memory and the \
        tokenizer loaded. --ids-out writes all ids as little-endian uint32, documents in input order.
        """)

    @Option(help: "tokenizer.json, or a .tiktoken ranks file (with --pattern and --special).")
    var tokenizer: String

    @Option(help: "For a .tiktoken file: its split pattern.")
    var pattern: SplitPattern = .gpt4

    @Option(help: "For a .tiktoken file: special tokens after its ranks, comma-separated.")
    var special = "<|endoftext|>"

    @Flag(help: "Each line is a document.")
    var lines = false

    @Flag(help: "Treat special tokens' text as plain text.")
    var ordinary = false

    @Option(help: "Threads.")
    var threads = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Write the ids here as little-endian uint32.")
    var idsOut: String?

    @Argument(help: "Text files; - reads standard input.")
    var inputs: [String]

    func run() throws {
      let model = try TokenizerFile.load(
        path: self.tokenizer, pattern: pattern, specialTokens: special.split(separator: ",").map(String.init))
      let batch = try BatchEncoding(inputs: inputs, lines: lines)
      let (ids, seconds) = batch.encode(with: model, threads: threads, recognizeSpecialTokens: !ordinary)
      if let idsOut { try BatchEncoding.write(ids, to: idsOut) }
      print(batch.summary(ids: ids, seconds: seconds))
    }
  }

  struct Decode: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "decode",
      abstract: "Decode little-endian uint32 ids (a file from encode --ids-out) to standard output.")

    @Option(help: "tokenizer.json, or a .tiktoken ranks file.")
    var tokenizer: String

    @Argument(help: "A file of little-endian uint32 ids; - reads standard input.")
    var ids: String

    func run() throws {
      let model = try TokenizerFile.load(path: tokenizer)
      FileHandle.standardOutput.write(Data(try model.decode(BatchEncoding.readIDs(ids))))
    }
  }
}

/// One status line on standard error while a tokenizer trains, redrawn at most five times a
/// second from any thread; silent when standard error is not a terminal.
final class StatusLine: Sendable {
  private let label: String
  private let totalBytes: Int
  private let lastDraw = Mutex(ContinuousClock.Instant?.none)
  private let enabled = isatty(STDERR_FILENO) == 1

  init(label: String, totalBytes: Int = 0) {
    self.label = label
    self.totalBytes = totalBytes
  }

  func training(_ progress: TokenizerTrainingProgress) {
    guard enabled else { return }
    let text: String
    switch progress {
    case .counting(let bytes):
      text =
        totalBytes > 0
        ? "counting pieces \(bytes * 100 / totalBytes)% of \(ByteCount.format(totalBytes))"
        : "counting pieces: \(ByteCount.format(bytes))"
    case .merging(let tokens, let target):
      text = "merging: \(tokens)/\(target) tokens"
    }
    let now = ContinuousClock.now
    let draw = lastDraw.withLock { last -> Bool in
      if let previous = last, now - previous < .milliseconds(200) { return false }
      last = now
      return true
    }
    if draw { FileHandle.standardError.write(Data("\r\u{1B}[K\(label): \(text)".utf8)) }
  }

  func finish() {
    guard enabled, lastDraw.withLock({ $0 != nil }) else { return }
    FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
  }
}
