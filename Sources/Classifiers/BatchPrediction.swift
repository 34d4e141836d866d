import Dispatch
import Foundation
import HatcheryCore

/// Texts predicted in batches on several threads, one `FastTextPredictor` per thread, results
/// in input order. The texts of a batch live in one buffer (each text a range of it), so a
/// batch costs two allocations, not one per text.
public final class BatchPrediction {
  public let model: FastTextModel
  public let threads: Int
  private let predictors: [FastTextPredictor]

  public init(model: FastTextModel, threads: Int) {
    self.model = model
    self.threads = max(1, threads)
    predictors = (0..<max(1, threads)).map { _ in FastTextPredictor(model: model) }
  }

  /// A batch: texts appended one after another into one buffer.
  public struct Batch: Sendable {
    public private(set) var bytes: [UInt8] = []
    public private(set) var ends: [Int] = []
    public init() {}
    public var count: Int { ends.count }
    public var byteCount: Int { bytes.count }
    public mutating func append(_ text: UnsafeRawBufferPointer) {
      bytes.append(contentsOf: text)
      ends.append(bytes.count)
    }
    public mutating func removeAll() {
      bytes.removeAll(keepingCapacity: true)
      ends.removeAll(keepingCapacity: true)
    }
    func range(_ index: Int) -> Range<Int> { (index == 0 ? 0 : ends[index - 1])..<ends[index] }
  }

  /// The `k` best labels of every text of `batch`, in order.
  public func predict(_ batch: Batch, k: Int, threshold: Float) -> [[FastTextPrediction]] {
    var results = [[FastTextPrediction]](repeating: [], count: batch.count)
    run(batch, into: &results) { predictor, text, index, out in
      out[index] = predictor.predict(text, k: k, threshold: threshold)
    }
    return results
  }

  /// Only the best label of every text (index, probability; nil when none), allocating nothing
  /// per text.
  public func top(_ batch: Batch, threshold: Float) -> [(index: Int, probability: Float)?] {
    var results = [(index: Int, probability: Float)?](repeating: nil, count: batch.count)
    run(batch, into: &results) { predictor, text, index, out in out[index] = predictor.top(text, threshold: threshold) }
    return results
  }

  private func run<Result>(
    _ batch: Batch, into results: inout [Result],
    _ body: (FastTextPredictor, UnsafeRawBufferPointer, Int, UnsafeMutableBufferPointer<Result>) -> Void
  ) {
    let slices = min(threads, max(1, batch.count))
    let predictors = UncheckedBox(self.predictors)
    withoutActuallyEscaping(body) { body in
      let body = UncheckedBox(body)
      results.withUnsafeMutableBufferPointer { out in
        let out = UncheckedBox(out)
        batch.bytes.withUnsafeBytes { bytes in
          let bytes = UncheckedBox(bytes)
          DispatchQueue.concurrentPerform(iterations: slices) { slice in
            let predictor = predictors.value[slice]
            var index = slice * batch.count / slices
            let end = (slice + 1) * batch.count / slices
            while index < end {
              body.value(predictor, UnsafeRawBufferPointer(rebasing: bytes.value[batch.range(index)]), index, out.value)
              index += 1
            }
          }
        }
      }
    }
  }
}
