import Foundation
import HatcheryCore

/// A checkpoint folder, `runs/<id>/step-NNNNN/`: `model.safetensors` and `config.json` in
/// Hugging Face GPT-2 layout (the output layer is tied to `transformer.wte.weight`, as
/// `transformers` ties it on load), and `optimizer.bin` with what an exact resume needs:
/// magic `HTCHADAM`, version 1, the step, the data generator's state, the parameter count, then
/// AdamW's first and second moments (float32, little-endian). Written last, so a folder with
/// `optimizer.bin` is complete.
public enum Checkpoint {
  static let magic = Array("HTCHADAM".utf8)
  static let version: UInt32 = 1

  static func folder(run: String, step: Int) -> String { run + "/step-" + String(format: "%05d", step) }

  /// `endOfText` is written as the config's bos and eos token id (GPT-2's convention), when the
  /// tokenizer has one.
  static func save(model: GPT, optimizer: AdamW, step: Int, randomState: UInt64, endOfText: UInt32?, to folder: String)
    throws
  {
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    let base = UnsafeBufferPointer(model.parameters)
    try Safetensors.write(
      model.layout.tensors.map {
        ($0.name, $0.shape, UnsafeBufferPointer(rebasing: base[$0.offset..<$0.offset + $0.count]))
      },
      to: folder + "/model.safetensors")
    var config = model.config.huggingFaceJSON
    if let endOfText {
      config["bos_token_id"] = .int(Int(endOfText))
      config["eos_token_id"] = .int(Int(endOfText))
    }
    try AtomicFileOutput.write(Array((JSONWriter.encode(.object(config)) + "\n").utf8), to: folder + "/config.json")
    var header: [UInt8] = magic
    func append<T: FixedWidthInteger>(_ value: T) {
      withUnsafeBytes(of: value.littleEndian) { header.append(contentsOf: $0) }
    }
    append(version)
    append(UInt64(step))
    append(randomState)
    append(UInt64(model.parameters.count))
    let output = try AtomicFileOutput(path: folder + "/optimizer.bin")
    try header.withUnsafeBytes { try output.write($0) }
    try output.write(UnsafeRawBufferPointer(optimizer.m))
    try output.write(UnsafeRawBufferPointer(optimizer.v))
    _ = try output.commit()
  }

  /// Loads the parameters, moments and step of `folder` into `model` and `optimizer`; returns the
  /// step and the data generator's state.
  static func load(from folder: String, model: GPT, optimizer: AdamW?) throws -> (step: Int, randomState: UInt64) {
    try loadWeights(from: folder, model: model)
    guard let data = FileManager.default.contents(atPath: folder + "/optimizer.bin") else {
      throw TrainingError.badFile(file: folder, reason: "no optimizer.bin, so the checkpoint is incomplete")
    }
    let headerSize = magic.count + 4 + 8 + 8 + 8
    func fail(_ reason: String) -> TrainingError { .badFile(file: "\(folder)/optimizer.bin", reason: reason) }
    guard data.count >= headerSize, Array(data.prefix(magic.count)) == magic else {
      throw fail("not a Hatchery optimizer state")
    }
    return try data.withUnsafeBytes { raw in
      guard UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self)) == version else {
        throw fail("unknown version")
      }
      // Sizes read from the file are compared as read: a damaged one cannot trap a conversion.
      let storedStep = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 12, as: UInt64.self))
      let randomState = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 20, as: UInt64.self))
      let storedCount = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 28, as: UInt64.self))
      guard storedStep <= UInt64(Int32.max) else { throw fail("step \(storedStep) is out of range") }
      let step = Int(storedStep)
      let count = model.parameters.count
      guard storedCount == UInt64(count), data.count == headerSize + 8 * count else {
        throw fail("its size does not match the model")
      }
      if let optimizer {
        UnsafeMutableRawBufferPointer(optimizer.m).copyMemory(
          from: UnsafeRawBufferPointer(rebasing: raw[headerSize..<headerSize + 4 * count]))
        UnsafeMutableRawBufferPointer(optimizer.v).copyMemory(
          from: UnsafeRawBufferPointer(rebasing: raw[headerSize + 4 * count..<headerSize + 8 * count]))
        optimizer.restore(step: step)
      }
      return (step, randomState)
    }
  }

  /// Copies `model.safetensors` of `folder` into the model's parameters (shapes checked). With
  /// `growingVocabularyFrom`, the stored token embedding may have that many rows and the
  /// model's extra rows (new special tokens) start at the mean of the stored ones.
  static func loadWeights(from folder: String, model: GPT, growingVocabularyFrom storedVocabulary: Int? = nil) throws {
    let tensors = try Safetensors.read(path: folder + "/model.safetensors")
    for tensor in model.layout.tensors {
      guard let stored = tensors[tensor.name] else {
        throw TrainingError.badFile(file: "\(folder)/model.safetensors", reason: "no tensor \(tensor.name)")
      }
      if tensor.offset == model.layout.tokenEmbedding, let storedVocabulary, storedVocabulary < tensor.shape[0],
        stored.shape == [storedVocabulary, tensor.shape[1]]
      {
        let C = tensor.shape[1]
        let target = model.parameters.baseAddress! + tensor.offset
        stored.values.withUnsafeBufferPointer { target.update(from: $0.baseAddress!, count: stored.values.count) }
        for c in 0..<C {
          var sum: Float = 0
          for row in 0..<storedVocabulary { sum += stored.values[row * C + c] }
          for row in storedVocabulary..<tensor.shape[0] { target[row * C + c] = sum / Float(storedVocabulary) }
        }
        continue
      }
      guard stored.shape == tensor.shape else {
        throw TrainingError.badFile(
          file: "\(folder)/model.safetensors",
          reason: "\(tensor.name) has shape \(stored.shape), the model needs \(tensor.shape)")
      }
      stored.values.withUnsafeBufferPointer {
        (model.parameters.baseAddress! + tensor.offset).update(from: $0.baseAddress!, count: tensor.count)
      }
    }
  }

  /// The model shape of a checkpoint, from its `config.json`.
  public static func config(of folder: String) throws -> GPTConfig {
    guard let data = FileManager.default.contents(atPath: folder + "/config.json") else {
      throw TrainingError.badFile(file: "\(folder)/config.json", reason: "missing; not a checkpoint folder")
    }
    guard let object = try? data.withUnsafeBytes({ try JSONParser.parse($0) }).objectValue,
      let vocabulary = object["vocab_size"]?.intValue, let context = object["n_positions"]?.intValue,
      let layers = object["n_layer"]?.intValue, let heads = object["n_head"]?.intValue,
      let channels = object["n_embd"]?.intValue
    else { throw TrainingError.badFile(file: "\(folder)/config.json", reason: "not a GPT-2 config") }
    return GPTConfig(vocabularySize: vocabulary, context: context, layers: layers, heads: heads, channels: channels)
  }

  /// The newest complete checkpoint of a run folder.
  public static func latest(in run: String) -> (folder: String, step: Int)? {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: run)) ?? []
    return names.compactMap { name -> (String, Int)? in
      guard name.hasPrefix("step-"), let step = Int(name.dropFirst(5)),
        FileManager.default.fileExists(atPath: run + "/" + name + "/optimizer.bin")
      else { return nil }
      return (run + "/" + name, step)
    }.max { $0.1 < $1.1 }
  }
}
