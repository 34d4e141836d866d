import Foundation
import HatcheryCore

/// One label and its probability as fastText reports it (`exp(log(p + 1e-5))`).
public struct FastTextPrediction: Sendable, Equatable {
  public let label: String
  public let labelIndex: Int
  public let probability: Float
}

/// Predicts with one model on one thread: its buffers (the text's rows and hashes, the hidden
/// and output vectors, the heap) are reused from text to text, so prediction allocates nothing
/// per document beyond its results.
public final class FastTextPredictor {
  public let model: FastTextModel
  private var rows: [Int32] = []
  private var hashes: [Int32] = []
  private var scratch: [UInt8] = []
  private var hidden: [Float]
  /// Rows already summed into `hidden` through `wordSums` (they count in the average).
  private var summedRows = 0
  /// Whether the hidden vector was made with `wordSums` (else row by row, as fastText).
  private var usedSums = false
  private var outputs: [Float]
  private var heap: [(score: Float, index: Int32)] = []

  public init(model: FastTextModel) {
    self.model = model
    hidden = [Float](repeating: 0, count: Int(model.args.dim))
    outputs = [Float](repeating: 0, count: model.dictionary.labelCount)
  }

  /// The `k` most probable labels whose probability is at least `threshold`, most probable
  /// first. The text is one line, as fastText's `predict` takes it: newlines count as spaces,
  /// and the end-of-line token `</s>` ends it.
  public func predict(_ text: UnsafeRawBufferPointer, k: Int = 1, threshold: Float = 0) -> [FastTextPrediction] {
    predictScores(text, k: k, threshold: threshold)
    return heap.map { entry in
      FastTextPrediction(
        label: model.dictionary.label(Int(entry.index)), labelIndex: Int(entry.index), probability: exp(entry.score))
    }
  }

  public func predict(_ text: String, k: Int = 1, threshold: Float = 0) -> [FastTextPrediction] {
    var text = text
    return text.withUTF8 { predict(UnsafeRawBufferPointer($0), k: k, threshold: threshold) }
  }

  /// The best label's index and probability, without building any result (nil when the text
  /// has no known rows, or nothing reaches `threshold`).
  public func top(_ text: UnsafeRawBufferPointer, threshold: Float = 0) -> (index: Int, probability: Float)? {
    predictScores(text, k: 1, threshold: threshold)
    return heap.first.map { (Int($0.index), exp($0.score)) }
  }

  /// The probability of label `index` alone (softmax and one-vs-all; hierarchical softmax
  /// walks to it), for filters that score one label.
  public func probability(of index: Int, in text: UnsafeRawBufferPointer) -> Float {
    if model.args.loss == .hierarchicalSoftmax {
      predictScores(text, k: model.dictionary.labelCount, threshold: 0)
      return heap.first { Int($0.index) == index }.map { exp($0.score) } ?? 0
    }
    guard computeHidden(text) else { return 0 }
    computeOutputs(text)
    return exp(Self.log(outputs[index]))
  }

  /// The probability of label `index` and the best label with its probability, from one
  /// reading of the text (a filter scoring a label with the classifier that names languages).
  public func probability(of index: Int, withBestIn text: UnsafeRawBufferPointer) -> (
    probability: Float, best: (index: Int, probability: Float)?
  ) {
    if model.args.loss == .hierarchicalSoftmax {
      predictScores(text, k: model.dictionary.labelCount, threshold: 0)
      return (
        heap.first { Int($0.index) == index }.map { exp($0.score) } ?? 0,
        heap.first.map { (Int($0.index), exp($0.score)) }
      )
    }
    // With threshold 0 the heap is empty only when the text has no rows; else `outputs` holds
    // this text's probabilities.
    predictScores(text, k: 1, threshold: 0)
    guard let best = heap.first else { return (0, nil) }
    return (exp(Self.log(outputs[index])), (Int(best.index), exp(best.score)))
  }

  // MARK: fastText's computation

  @inline(__always)
  static func log(_ x: Float) -> Float { Foundation.log(x + 1e-5) }

  private func predictScores(_ text: UnsafeRawBufferPointer, k: Int, threshold: Float) {
    heap.removeAll(keepingCapacity: true)
    let k = k <= 0 ? model.dictionary.labelCount : k
    guard computeHidden(text) else { return }
    if model.args.loss == .hierarchicalSoftmax {
      if model.tree.isEmpty {
        // One label: the tree is its leaf, reached with score 0.
        if 0 >= Self.log(threshold) { heap.append((0, 0)) }
      } else {
        hidden.withUnsafeBufferPointer { hidden in
          depthFirst(k: k, threshold: threshold, node: model.tree.count - 1, score: 0, hidden: hidden.baseAddress!)
        }
      }
    } else {
      computeOutputs(text)
      for index in outputs.indices {
        let probability = outputs[index]
        if probability < threshold { continue }
        let score = Self.log(probability)
        if heap.count == k && score < heap[0].score { continue }
        push((score, Int32(index)), k: k)
      }
    }
    sortHeap()
  }

  // fastText keeps its k best in a heap with `std::push_heap`/`pop_heap` and sorts it with
  // `std::sort_heap` (comparison `a.score > b.score`); labels of equal probability are common
  // with one-vs-all's table sigmoid, and which of them comes first depends on those algorithms'
  // exact moves, so libstdc++'s are reproduced here step for step.

  @inline(__always)
  private static func before(_ a: (score: Float, index: Int32), _ b: (score: Float, index: Int32)) -> Bool {
    a.score > b.score
  }

  private func siftUp(hole: Int, top: Int, value: (score: Float, index: Int32)) {
    var hole = hole
    var parent = (hole - 1) / 2
    while hole > top && Self.before(heap[parent], value) {
      heap[hole] = heap[parent]
      hole = parent
      parent = (hole - 1) / 2
    }
    heap[hole] = value
  }

  private func adjust(length: Int, value: (score: Float, index: Int32)) {
    var hole = 0
    var second = 0
    while second < (length - 1) / 2 {
      second = 2 * (second + 1)
      if Self.before(heap[second], heap[second - 1]) { second -= 1 }
      heap[hole] = heap[second]
      hole = second
    }
    if length & 1 == 0 && second == (length - 2) / 2 {
      second = 2 * (second + 1)
      heap[hole] = heap[second - 1]
      hole = second - 1
    }
    siftUp(hole: hole, top: 0, value: value)
  }

  /// `std::pop_heap` over the first `length` entries: the root moves to `length - 1`.
  private func popHeap(length: Int) {
    guard length > 1 else { return }
    let value = heap[length - 1]
    heap[length - 1] = heap[0]
    adjust(length: length - 1, value: value)
  }

  /// push_back, push_heap, and pop_heap + pop_back past `k`, as fastText's `findKBest` and `dfs`.
  private func push(_ entry: (score: Float, index: Int32), k: Int) {
    heap.append(entry)
    siftUp(hole: heap.count - 1, top: 0, value: entry)
    if heap.count > k {
      popHeap(length: heap.count)
      heap.removeLast()
    }
  }

  private func sortHeap() {
    var length = heap.count
    while length > 1 {
      popHeap(length: length)
      length -= 1
    }
  }

  private func depthFirst(k: Int, threshold: Float, node: Int, score: Float, hidden: UnsafePointer<Float>) {
    if score < Self.log(threshold) { return }
    if heap.count == k && score < heap[0].score { return }
    let leaves = model.dictionary.labelCount
    let children = model.tree[node]
    if children.left == -1 && children.right == -1 || node < leaves {
      push((score, Int32(node)), k: k)
      return
    }
    var f = model.output.dotRow(node - leaves, hidden)
    f = Float(1.0 / (1 + exp(-Double(f))))
    depthFirst(k: k, threshold: threshold, node: Int(children.left), score: score + Self.log(1.0 - f), hidden: hidden)
    depthFirst(k: k, threshold: threshold, node: Int(children.right), score: score + Self.log(f), hidden: hidden)
  }

  private func computeOutputs(_ text: UnsafeRawBufferPointer) {
    let loss = model.args.loss
    hidden.withUnsafeBufferPointer { hidden in
      for index in outputs.indices { outputs[index] = model.output.dotRow(index, hidden.baseAddress!) }
    }
    // The table sigmoid is a step function: a logit within rounding of a step must be the
    // very float fastText gets, so its hidden vector is summed again row by row, in its order.
    if loss != .softmax && usedSums && outputs.contains(where: Self.nearTableStep) {
      _ = computeHidden(text, exact: true)
      hidden.withUnsafeBufferPointer { hidden in
        for index in outputs.indices { outputs[index] = model.output.dotRow(index, hidden.baseAddress!) }
      }
    }
    if loss == .softmax {
      var maximum = outputs[0]
      for value in outputs { maximum = max(maximum, value) }
      var sum: Float = 0
      for index in outputs.indices {
        outputs[index] = Foundation.exp(outputs[index] - maximum)
        sum += outputs[index]
      }
      for index in outputs.indices { outputs[index] /= sum }
    } else {
      for index in outputs.indices { outputs[index] = sigmoid(outputs[index]) }
    }
  }

  /// Whether `x` lies within 1/1000 of a step of the sigmoid table's step edges (the summed
  /// words' rounding moves a logit by ~1e-6, a thirtieth of that).
  @inline(__always)
  private static func nearTableStep(_ x: Float) -> Bool {
    guard x >= -8.01, x <= 8.01 else { return false }
    let position = (x + 8) * 32
    let fraction = position - position.rounded(.down)
    return fraction < 1e-3 || fraction > 1 - 1e-3
  }

  @inline(__always)
  private func sigmoid(_ x: Float) -> Float {
    if x < -8 { return 0 }
    if x > 8 { return 1 }
    return model.sigmoidTable[Int((x + 8) * 512 / 8 / 2)]
  }

  /// The text's input rows averaged into `hidden`; false when it has none.
  private func computeHidden(_ text: UnsafeRawBufferPointer, exact: Bool = false) -> Bool {
    hidden.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
    summedRows = 0
    usedSums = !exact && model.wordSums != nil
    collectRows(text)
    let total = summedRows + rows.count
    guard total > 0 else { return false }
    hidden.withUnsafeMutableBufferPointer { hidden in
      model.predictionInput.addRows(rows[...], to: hidden.baseAddress!)
      let scale = Float(1.0 / Double(total))
      for j in hidden.indices { hidden[j] *= scale }
    }
    return true
  }

  private func collectRows(_ text: UnsafeRawBufferPointer) {
    // Moved out of the class for the loop: a local struct's buffers are used without dynamic
    // exclusivity checks or reference counting per token.
    var line = LineRows(rows: rows, hashes: hashes, scratch: scratch)
    rows = []
    hashes = []
    scratch = []
    let sums = usedSums ? model.wordSums : nil
    hidden.withUnsafeMutableBufferPointer { hidden in
      if let sums {
        sums.withUnsafeBufferPointer { sums in
          line.collect(
            text, dictionary: model.dictionary, wordNgrams: Int(model.args.wordNgrams), sums: sums.baseAddress!,
            hidden: hidden)
        }
      } else {
        line.collect(
          text, dictionary: model.dictionary, wordNgrams: Int(model.args.wordNgrams), sums: nil, hidden: hidden)
      }
    }
    summedRows = line.summedRows
    rows = line.rows
    hashes = line.hashes
    scratch = line.scratch
  }
}

/// fastText's `getLine` + `addWordNgrams` for one line: tokens split on its white space (space,
/// \t, \n, \v, \f, \r, NUL), then `</s>`; the rows each token adds, and its hash for word
/// n-grams. With word sums, a known word's rows go straight into `hidden` (counted in
/// `summedRows`).
struct LineRows {
  var rows: [Int32]
  var hashes: [Int32]
  var scratch: [UInt8]
  var summedRows = 0
  /// The line's known labels (as label indices), for training.
  var labels: [Int32] = []
  /// Tokens read, labels and `</s>` included (fastText's count for the learning rate).
  var tokens = 0

  mutating func collect(
    _ text: UnsafeRawBufferPointer, dictionary: FastTextDictionary, wordNgrams: Int, sums: UnsafePointer<Float>?,
    hidden: UnsafeMutableBufferPointer<Float>
  ) {
    rows.removeAll(keepingCapacity: true)
    hashes.removeAll(keepingCapacity: true)
    labels.removeAll(keepingCapacity: true)
    summedRows = 0
    tokens = 0
    var start = 0
    var index = 0
    let count = text.count
    while index <= count {
      let isEnd = index == count
      let byte = isEnd ? 0 : text[index]
      let isSpace = isEnd || FastTextTrainer.Tokens.isWhiteSpace(byte)
      if isSpace {
        if index > start {
          add(UnsafeRawBufferPointer(rebasing: text[start..<index]), dictionary: dictionary, sums: sums, hidden: hidden)
        }
        start = index + 1
      }
      index += 1
    }
    FastTextDictionary.endOfSentence.withUnsafeBytes { add($0, dictionary: dictionary, sums: sums, hidden: hidden) }
    dictionary.wordNgrams(hashes, n: wordNgrams, into: &rows)
  }

  @inline(__always)
  private mutating func add(
    _ token: UnsafeRawBufferPointer, dictionary: FastTextDictionary, sums: UnsafePointer<Float>?,
    hidden: UnsafeMutableBufferPointer<Float>
  ) {
    tokens += 1
    let h = FastTextDictionary.hash(token)
    let id = dictionary.find(token, hash: h)
    let isLabel = id >= 0 ? dictionary.types[Int(id)] == .label : token.starts(with: FastTextDictionary.labelPrefix)
    if isLabel {
      if id >= 0 { labels.append(id - Int32(dictionary.wordCount)) }
      return
    }
    if id >= 0 {
      if let sums {
        let dimension = hidden.count
        let source = sums + Int(id) * dimension
        for j in 0..<dimension { hidden[j] += source[j] }
        summedRows += dictionary.rowCount(of: id)
      } else {
        dictionary.appendRows(of: id, into: &rows)
      }
    } else if !token.elementsEqual(FastTextDictionary.endOfSentence) {
      scratch.removeAll(keepingCapacity: true)
      scratch.append(UInt8(ascii: "<"))
      scratch.append(contentsOf: token)
      scratch.append(UInt8(ascii: ">"))
      scratch.withUnsafeBytes { dictionary.characterNgrams($0, into: &rows) }
    }
    hashes.append(Int32(bitPattern: h))
  }
}
