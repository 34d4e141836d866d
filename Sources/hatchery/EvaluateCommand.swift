import ArgumentParser
import Foundation
import HatcheryCore
import Shards
import Tokenizer
import Training

struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "A checkpoint's loss on held-out text (bits per byte, per source) or on token ids.",
    discussion: """
      With --text, each evaluation set (NAME=PATH or PATH; a file or a folder: a .jsonl file gives one document per line, \
      any other file is one document) is tokenized with the checkpoint's tokenizer.json and scored; one JSON line per set \
      gives bits per byte and per character, which compare models with different tokenizers, the loss per token, and the \
      same for each source of its documents (a "source" field of a JSONL line, else the file). --val WORKSPACE scores \
      the workspace's val shards the same way (windows of --context + 1 tokens, one after another). Otherwise INPUT holds \
      little-endian uint32 ids (`hatchery tokenizer encode --ids-out`), cut into --batch windows of --context + 1 tokens \
      from the start, and one JSON line gives their mean loss; --logits-out writes their logits (float32, batch × context × \
      vocabulary).
      """)

  @Option(help: "A checkpoint folder (runs/<id>/step-NNNNN).") var checkpoint: String
  @Option(name: .customLong("text"), help: "An evaluation set of held-out text: NAME=PATH or PATH (repeatable).")
  var textSets: [String] = []
  @Option(help: "A workspace whose val shards (made with the checkpoint's tokenizer) to score in bits per byte.")
  var val: String?
  @Option(help: "Tokens per window (at most the model's context).") var context: Int?
  @Option(help: "Windows per forward pass (token ids: the windows evaluated).") var batch = 4
  @Option(help: "Threads.") var threads = ProcessInfo.processInfo.activeProcessorCount
  @Option(help: "Token ids: write the logits here.") var logitsOut: String?
  @Argument(help: "Token ids: a file of uint32 token ids.") var input: String?

  func validate() throws {
    guard (textSets.isEmpty && val == nil) != (input == nil) else {
      throw ValidationError("give either --text sets and --val, or one file of token ids")
    }
    guard batch >= 1, threads >= 1 else { throw ValidationError("--batch and --threads must be at least 1") }
    if input == nil, logitsOut != nil { throw ValidationError("--logits-out is for token ids, not --text or --val") }
  }

  func run() throws {
    let config = try Checkpoint.config(of: checkpoint)
    let sequence = context ?? config.context
    if input == nil {
      let sets = try textSets.map { argument in
        let (name, path) = try EvaluationSet.parse(argument)
        return try EvaluationSet.load(name: name, path: path)
      }
      let tokenizerPath = checkpoint + "/tokenizer.json"
      let tokenizer = try TokenizerFile.load(path: tokenizerPath)
      var shards: ShardDataset?
      if let val {
        let data = try ShardDataset(workspace: try Workspace.open(at: val), split: "val", threads: threads)
        guard try SHA256Hasher.hash(fileAt: tokenizerPath).hex == data.manifest.tokenizerSHA256 else {
          throw HatcheryError(
            "\(val): its shards were made with another tokenizer than \(tokenizerPath); score its text with --text instead"
          )
        }
        shards = data
      }
      let model = try GPT(config: config, batch: batch, sequence: sequence, threads: threads)
      try model.load(checkpoint: checkpoint)
      let evaluator = try TextEvaluator(model: model, tokenizer: tokenizer)
      for set in sets { print(JSONWriter.encode(.object(evaluator.evaluate(set).json))) }
      if let shards {
        var object = JSONObject([("set", .string("val"))])
        for (key, value) in try evaluator.evaluate(shards: shards).json.members where key != "documents" {
          object[key] = value
        }
        print(JSONWriter.encode(.object(object)))
      }
      return
    }
    guard let input else { return }
    let ids = try GPT.tokenIDs(inFile: input)
    let model = try GPT(config: config, batch: batch, sequence: sequence, threads: threads)
    try model.load(checkpoint: checkpoint)
    let loss = try model.loss(windowsOf: ids, source: input)
    if let logitsOut {
      let logits = model.logits()
      try logits.withUnsafeBytes { try AtomicFileOutput.write(Array($0), to: logitsOut) }
    }
    print(
      JSONWriter.encode(
        .object(
          JSONObject([
            ("loss", .number(String(loss))), ("tokens", .int(batch * sequence)), ("windows", .int(batch)),
          ]))))
  }
}
