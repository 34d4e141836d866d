import Dispatch
import Foundation
import Glibc
import HatcheryCore
import Synchronization

extension FastTextTrainer {
  /// One thread's buffers (allocated once) and random numbers.
  final class Worker {
    let dim: Int
    let labels: Int
    let hidden: UnsafeMutablePointer<Float>
    let gradient: UnsafeMutablePointer<Float>
    let scores: UnsafeMutablePointer<Float>
    var random: SplitMix64
    let sigmoid: [Float]

    init(dim: Int, labels: Int, seed: UInt64) {
      self.dim = dim
      self.labels = labels
      hidden = .allocate(capacity: dim)
      gradient = .allocate(capacity: dim)
      scores = .allocate(capacity: labels)
      random = SplitMix64.trainer(seed: seed)
      sigmoid = (0...512).map { i in Float(1.0 / (1.0 + exp(-Double(Float(i * 16) / 512 - 8)))) }
    }

    deinit {
      hidden.deallocate()
      gradient.deallocate()
      scores.deallocate()
    }

    /// fastText's table sigmoid (as its training uses).
    @inline(__always)
    func tableSigmoid(_ x: Float) -> Float {
      if x < -8 { return 0 }
      if x > 8 { return 1 }
      return sigmoid[Int((x + 8) * 32)]
    }

    @inline(__always)
    private func dot(_ w: UnsafeMutablePointer<Float>) -> Float {
      var sum: Float = 0
      for j in 0..<dim { sum += w[j] * hidden[j] }
      return sum
    }

    /// gradient += alpha · w; w += alpha · hidden.
    @inline(__always)
    private func step(_ w: UnsafeMutablePointer<Float>, _ alpha: Float) {
      for j in 0..<dim {
        gradient[j] += alpha * w[j]
        w[j] += alpha * hidden[j]
      }
    }

    /// One SGD step on `line`; its loss, or nil when it has no rows or no labels.
    func update(
      _ line: EncodedLine, dictionary: FastTextDictionary, loss: FastTextArgs.Loss, tree: HuffmanPaths?, lr: Float,
      input: UnsafeMutableBufferPointer<Float>, output: UnsafeMutableBufferPointer<Float>
    ) -> Float? {
      guard !line.rows.isEmpty, !line.labels.isEmpty else { return nil }
      let wi = input.baseAddress!
      let wo = output.baseAddress!
      var value: Float = 0
      let target =
        loss == .oneVsAll
        ? -1 : Int(line.labels[line.labels.count == 1 ? 0 : Int(random.next() % UInt64(line.labels.count))])
      hidden.update(repeating: 0, count: dim)
      gradient.update(repeating: 0, count: dim)
      for row in line.rows {
        let source = wi + Int(row) * dim
        for j in 0..<dim { hidden[j] += source[j] }
      }
      let scale = 1 / Float(line.rows.count)
      for j in 0..<dim { hidden[j] *= scale }
      switch loss {
      case .softmax:
        var maximum = -Float.infinity
        for i in 0..<labels {
          scores[i] = dot(wo + i * dim)
          maximum = max(maximum, scores[i])
        }
        var sum: Float = 0
        for i in 0..<labels {
          scores[i] = Foundation.exp(scores[i] - maximum)
          sum += scores[i]
        }
        for i in 0..<labels { step(wo + i * dim, lr * ((i == target ? 1 : 0) - scores[i] / sum)) }
        value = -Foundation.log(scores[target] / sum + 1e-5)
      case .oneVsAll:
        for i in 0..<labels {
          let positive = line.labels.contains(Int32(i))
          let score = tableSigmoid(dot(wo + i * dim))
          step(wo + i * dim, lr * ((positive ? 1 : 0) - score))
          value -= Foundation.log((positive ? score : 1 - score) + 1e-5)
        }
      case .hierarchicalSoftmax:
        guard let tree else { break }
        for (node, right) in zip(tree.paths[target], tree.codes[target]) {
          let w = wo + Int(node) * dim
          let score = tableSigmoid(dot(w))
          step(w, lr * ((right ? 1 : 0) - score))
          value -= Foundation.log((right ? score : 1 - score) + 1e-5)
        }
      case .negativeSampling:
        break
      }
      for j in 0..<dim { gradient[j] *= scale }
      for row in line.rows {
        let destination = wi + Int(row) * dim
        for j in 0..<dim { destination[j] += gradient[j] }
      }
      return value
    }
  }
}
