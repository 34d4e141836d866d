import Foundation
import HatcheryCore

/// A supervised fastText model (`.bin`, or quantized `.ftz`), read as fastText 0.9 writes it —
/// arguments, dictionary, input matrix, output matrix — and used as fastText's `predict` uses
/// it: a text's rows (words, their character n-grams, word n-grams) averaged, the output layer
/// (softmax, one-vs-all, hierarchical softmax) applied, the k best labels over a threshold.
public final class FastTextModel: Sendable {
  public let args: FastTextArgs
  public let dictionary: FastTextDictionary
  let input: FastTextMatrix
  /// The input rows prediction adds: a quantized matrix decoded once (each value its norm times
  /// its centroid's, the very products fastText adds), so a quantized model predicts as fast as
  /// a dense one; the model's own matrix otherwise.
  let predictionInput: FastTextMatrix
  let output: FastTextMatrix
  /// Hierarchical softmax's tree (`HierarchicalSoftmaxLoss::buildTree`), empty for other losses.
  let tree: [(left: Int32, right: Int32)]
  /// fastText's sigmoid as a table of 513 values over [-8, 8], used by one-vs-all's output.
  let sigmoidTable: [Float]
  /// With subwords: each word's rows (itself and its character n-grams) summed once, so a
  /// known word costs one vector add instead of one per n-gram. The sums differ from fastText's
  /// row-by-row order only in rounding (probabilities agree to ~1e-6).
  let wordSums: [Float]?
  public let version: Int32

  public var labels: [String] { (0..<dictionary.labelCount).map(dictionary.label) }
  public var isQuantized: Bool { input.isQuantized }

  /// `preparingPrediction`: sum the words' rows and decode a quantized input now (a model that is
  /// only saved, as training's, skips it and predicts row by row if asked).
  init(
    args: FastTextArgs, dictionary: FastTextDictionary, input: FastTextMatrix, output: FastTextMatrix,
    version: Int32 = FastTextFile.version,
    preparingPrediction: Bool = true
  ) {
    self.args = args
    self.dictionary = dictionary
    self.input = input
    self.output = output
    self.version = version
    tree = args.loss == .hierarchicalSoftmax ? Self.huffmanTree(dictionary.labelCounts) : []
    sigmoidTable = (0...512).map { i in
      let x = Float(i * 2 * 8) / 512 - 8
      return Float(1.0 / (1.0 + exp(-Double(x))))
    }
    predictionInput = preparingPrediction ? input.decoded(limit: 1 << 26) ?? input : input
    wordSums =
      preparingPrediction && args.maxn > 0
      ? Self.sumWordRows(dictionary: dictionary, input: predictionInput, dimension: Int(args.dim)) : nil
  }

  private static func sumWordRows(dictionary: FastTextDictionary, input: FastTextMatrix, dimension: Int) -> [Float] {
    [Float](unsafeUninitializedCapacity: dictionary.wordCount * dimension) { buffer, initialized in
      buffer.initialize(repeating: 0)
      for word in 0..<dictionary.wordCount {
        input.addRows(dictionary.rows(of: Int32(word)), to: buffer.baseAddress! + word * dimension)
      }
      initialized = dictionary.wordCount * dimension
    }
  }

  /// Reads the model at `path`; every problem is a `FastTextError` naming the byte.
  public convenience init(path: String) throws {
    let file = try MappedFile(path: path)
    var reader = FastTextReader(bytes: file.bytes, file: path)
    try self.init(reading: &reader)
  }

  convenience init(reading reader: inout FastTextReader) throws(FastTextError) {
    let magic = try reader.int32("the header")
    guard magic == FastTextFile.magic else {
      throw FastTextError(
        file: reader.file, offset: 0, reason: "not a fastText model (magic \(magic), expected \(FastTextFile.magic))")
    }
    let version = try reader.int32("the header")
    guard version == 11 || version == 12 else {
      throw FastTextError(
        file: reader.file, offset: 4, reason: "fastText format version \(version) is not supported (11 and 12 are)")
    }
    var args = try FastTextArgs(reading: &reader)
    // fastText's own backward compatibility: version 11 supervised models had no subwords.
    if version == 11 && args.kind == .supervised { args.maxn = 0 }
    guard args.kind == .supervised else {
      throw reader.failure(
        "a \(args.kind) model (word vectors) is not a classifier; only supervised models predict labels")
    }
    let dictionary = try FastTextDictionary(reading: &reader, args: args)
    guard dictionary.labelCount > 0 else { throw reader.failure("the model has no labels") }
    let quantizedInput = try reader.bool("the input matrix's flag")
    if !quantizedInput && dictionary.pruned != nil {
      throw reader.failure(
        "a pruned dictionary with a dense input matrix (an outdated quantized model; fastText refuses it too)")
    }
    let input = try FastTextMatrix(reading: &reader, quantized: quantizedInput, what: "input")
    let quantizedOutput = try reader.bool("the output matrix's flag")
    let output = try FastTextMatrix(reading: &reader, quantized: quantizedInput && quantizedOutput, what: "output")
    // Every row a text can reach must exist.
    let bucketRows = dictionary.pruned.map { ($0.values.max() ?? -1) + 1 } ?? args.bucket
    guard input.rows >= dictionary.wordCount + Int(max(0, bucketRows)), input.columns == Int(args.dim) else {
      throw reader.failure(
        "the input matrix (\(input.rows) × \(input.columns)) does not hold \(dictionary.wordCount) words and \(bucketRows) buckets of \(args.dim): damaged"
      )
    }
    // One output row per label whatever the loss (hierarchical softmax uses the first
    // labels − 1 for its inner nodes).
    guard output.rows == dictionary.labelCount, output.columns == Int(args.dim) else {
      throw reader.failure(
        "the output matrix (\(output.rows) × \(output.columns)) does not match \(dictionary.labelCount) labels of \(args.dim): damaged"
      )
    }
    self.init(args: args, dictionary: dictionary, input: input, output: output, version: version)
  }

  /// The model in fastText's format (version 12), which fastText loads.
  public func serialized() -> [UInt8] {
    var writer = FastTextWriter()
    writer.put(FastTextFile.magic)
    writer.put(FastTextFile.version)
    args.write(to: &writer)
    dictionary.write(to: &writer)
    writer.put(input.isQuantized)
    input.write(to: &writer)
    writer.put(output.isQuantized)
    output.write(to: &writer)
    return writer.bytes
  }

  public func save(to path: String) throws {
    try AtomicFileOutput.write(serialized(), to: path)
  }

  /// The Huffman tree over the label counts, built exactly as fastText builds it (two queues:
  /// leaves by falling count, then inner nodes), so paths and codes agree.
  static func huffmanTree(_ counts: [Int64]) -> [(left: Int32, right: Int32)] {
    let leaves = counts.count
    guard leaves > 1 else { return [] }
    var count = [Int64](repeating: 1_000_000_000_000_000, count: 2 * leaves - 1)
    var children = [(left: Int32, right: Int32)](repeating: (-1, -1), count: 2 * leaves - 1)
    for i in 0..<leaves { count[i] = counts[i] }
    var leaf = leaves - 1
    var node = leaves
    for i in leaves..<(2 * leaves - 1) {
      var smallest = [0, 0]
      for j in 0..<2 {
        if leaf >= 0 && count[leaf] < count[node] {
          smallest[j] = leaf
          leaf -= 1
        } else {
          smallest[j] = node
          node += 1
        }
      }
      children[i] = (Int32(smallest[0]), Int32(smallest[1]))
      // Wrapping: counts come from the file, and a damaged one must not trap.
      count[i] = count[smallest[0]] &+ count[smallest[1]]
    }
    return children
  }
}
