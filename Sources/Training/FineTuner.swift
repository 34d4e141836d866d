import Accounting
import Foundation
import HatcheryCore
import Tokenizer

/// `hatchery finetune`: supervised fine-tuning of a checkpoint on chat examples. The checkpoint's
/// tokenizer gains the chat template's special tokens (the token embedding gains rows, set to
/// the mean of the existing ones); each micro-batch holds random examples, one per row, cut to
/// the context and padded; the loss counts only the assistant's tokens. Its own schedule and
/// options; the same loop, checkpoints and metrics as pre-training.
public enum FineTuner {
  public static func finetune(
    workspace: Workspace, from checkpoint: String, data path: String, options: TrainOptions,
    energy: EnergyOptions = EnergyOptions(),
    runName: String? = nil, log: (String) -> Void = { print($0) }
  ) throws -> Trainer.Summary {
    try options.validate()
    let checkpoint = Workspace.absolutePath(checkpoint)
    let base = try Checkpoint.config(of: checkpoint)
    let tokenizerPath = checkpoint + "/tokenizer.json"
    let tokenizer = try ChatExamples.extend(try TokenizerFile.load(path: tokenizerPath))
    guard let data = FileManager.default.contents(atPath: path) else {
      throw HatcheryError.system("read", path: path, code: ENOENT)
    }
    let chat = ChatExamples(path: path, bytes: Array(data))
    for line in chat.skipped { log("skipped: \(line)") }
    guard !chat.examples.isEmpty else {
      throw TrainingError.badFile(file: path, reason: "no usable example (prompt/response or messages lines)")
    }
    let encoded = chat.examples.map { ChatExamples.encode($0, tokenizer: tokenizer) }
    // Every twentieth example is held out for the validation loss when there are enough.
    let validation = encoded.count >= 20 ? stride(from: 0, to: encoded.count, by: 20).map { encoded[$0] } : []
    let training = encoded.count >= 20 ? encoded.enumerated().filter { $0.offset % 20 != 0 }.map(\.element) : encoded

    let context = min(options.context, base.context)
    let config = GPTConfig(
      vocabularySize: tokenizer.vocabularySize, context: base.context, layers: base.layers, heads: base.heads,
      channels: base.channels)
    let model = try GPT(config: config, batch: options.batch, sequence: context, threads: options.threads)
    try Checkpoint.loadWeights(from: checkpoint, model: model, growingVocabularyFrom: base.vocabularySize)
    let optimizer = AdamW(model: model, weightDecay: options.weightDecay, decayAll: options.decayAll)
    let runDirectory = try TrainingLoop.newRunDirectory(workspace: workspace, kind: "finetune", name: runName)
    let runID = (runDirectory as NSString).lastPathComponent
    let parent = URL(fileURLWithPath: checkpoint).deletingLastPathComponent().lastPathComponent
    let store = try workspace.openStore()
    let configuration = StageConfig(
      JSONObject(
        options.json.members + [
          ("from", .string(checkpoint)), ("data", .string(path)), ("examples", .int(encoded.count)),
        ]))
    try AtomicFileOutput.write(Array((configuration.json + "\n").utf8), to: runDirectory + "/train-config.json")
    let parentRecorded = try store.trainingRunStatus(id: parent) != nil
    try store.beginTrainingRun(
      id: runID, kind: "finetune", runDirectory: runDirectory, parent: parentRecorded ? parent : nil,
      config: configuration.json,
      configHash: configuration.hash)
    log(
      "run \(runDirectory): fine-tuning \(checkpoint) on \(training.count) examples (\(validation.count) held out), vocabulary \(base.vocabularySize) → \(config.vocabularySize)"
    )

    let padding = tokenizer.endOfText ?? 0
    func place(_ example: ChatExamples.Encoded, row: Int) { Self.place(example, row: row, in: model, padding: padding) }
    let tokenizerJSON = HuggingFaceTokenizerFile.encode(tokenizer)
    try AtomicFileOutput.write(tokenizerJSON, to: runDirectory + "/tokenizer.json")
    let loop = TrainingLoop(
      model: model, optimizer: optimizer, options: options, runDirectory: runDirectory, tokenizerJSON: tokenizerJSON,
      endOfText: tokenizer.endOfText, store: store,
      runID: runID, energy: energy)
    var random = SplitMix64(seed: options.seed)
    return try loop.run(
      from: 0, random: &random,
      fillBatch: { random in
        for row in 0..<options.batch { place(training[Int(random.next() % UInt64(training.count))], row: row) }
      },
      evaluate: validation.isEmpty
        ? nil
        : {
          var total: Float = 0
          var batches = 0
          var start = 0
          while start < validation.count {
            for row in 0..<options.batch { place(validation[min(start + row, validation.count - 1)], row: row) }
            total += model.forward()
            batches += 1
            start += options.batch
          }
          return TrainingLoop.Evaluation(loss: total / Float(batches))
        }, log: log)
  }

  /// Puts one example in row `row` of the model's batch, cut to the sequence length and padded:
  /// a position's target is the next token only where that token is trained (the assistant's),
  /// else ignored, so prompt positions add nothing to the loss or its gradient.
  static func place(_ example: ChatExamples.Encoded, row: Int, in model: GPT, padding: UInt32) {
    let context = model.sequence
    for t in 0..<context {
      let hasInput = t < example.tokens.count
      let hasTarget = t + 1 < example.tokens.count && example.trained[t + 1]
      model.inputs[row * context + t] = Int32(hasInput ? example.tokens[t] : padding)
      model.targets[row * context + t] = hasTarget ? Int32(example.tokens[t + 1]) : CrossEntropy.ignored
    }
  }
}
