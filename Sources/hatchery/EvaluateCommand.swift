import ArgumentParser
import Foundation
import HatcheryCore
import Training

struct EvaluateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "evaluate",
    abstract: "The loss of a checkpoint on token ids; print one JSON line {loss, tokens, windows}.",
    discussion: """
      INPUT holds little-endian uint32 ids (`hatchery tokenizer encode --ids-out`). It is cut into --batch windows of
      --context + 1 tokens from the start; --logits-out writes their logits (float32, batch × context × vocabulary).
      """)

  @Option(help: "A checkpoint folder (runs/<id>/step-NNNNN).") var checkpoint: String
  @Option(help: "Tokens per window (at most the model's context).") var context: Int?
  @Option(help: "Windows.") var batch = 4
  @Option(help: "Threads.") var threads = ProcessInfo.processInfo.activeProcessorCount
  @Option(help: "Write the logits here.") var logitsOut: String?
  @Argument(help: "A file of uint32 token ids.") var input: String

  func run() throws {
    let config = try Checkpoint.config(of: checkpoint)
    let sequence = context ?? config.context
    guard let data = FileManager.default.contents(atPath: input) else { throw HatcheryError.system("read", path: input, code: ENOENT) }
    let ids = data.withUnsafeBytes { raw in (0..<data.count / 4).map { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) } }
    guard ids.count >= batch * (sequence + 1) else {
      throw HatcheryError("\(input): \(ids.count) tokens, fewer than \(batch) windows of \(sequence + 1)")
    }
    let model = try GPT(config: config, batch: batch, sequence: sequence, threads: threads)
    try model.load(checkpoint: checkpoint)
    for b in 0..<batch {
      for t in 0..<sequence {
        let id = ids[b * (sequence + 1) + t]
        guard Int(id) < config.vocabularySize else { throw HatcheryError("\(input): token \(id) is outside the vocabulary (\(config.vocabularySize))") }
        model.inputs[b * sequence + t] = Int32(id)
        model.targets[b * sequence + t] = Int32(ids[b * (sequence + 1) + t + 1])
      }
    }
    let loss = model.forward()
    if let logitsOut {
      let logits = model.logits()
      try logits.withUnsafeBytes { try AtomicFileOutput.write(Array($0), to: logitsOut) }
    }
    print(JSONWriter.encode(.object(JSONObject([
      ("loss", .number(String(loss))), ("tokens", .int(batch * sequence)), ("windows", .int(batch)),
    ]))))
  }
}
