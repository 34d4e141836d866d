import Foundation

/// AdamW (Loshchilov & Hutter): Adam moments with bias correction, and weight decay applied to
/// the parameters directly rather than through the gradient. By default only the matrix
/// weights decay; `decayAll` also decays biases, layer norms and embeddings.
public final class AdamW {
  public var beta1: Float = 0.9
  public var beta2: Float = 0.95
  public var epsilon: Float = 1e-8
  public var weightDecay: Float
  public let decayAll: Bool
  /// First and second moments, at the parameters' offsets.
  public let m: UnsafeMutableBufferPointer<Float>
  public let v: UnsafeMutableBufferPointer<Float>
  public private(set) var step = 0
  private let decayMask: [Bool]

  init(layout: ParameterLayout, weightDecay: Float, decayAll: Bool) {
    self.weightDecay = weightDecay
    self.decayAll = decayAll
    m = .allocate(capacity: layout.count)
    m.initialize(repeating: 0)
    v = .allocate(capacity: layout.count)
    v.initialize(repeating: 0)
    var mask = [Bool](repeating: decayAll, count: layout.count)
    if !decayAll {
      for tensor in layout.tensors where tensor.isMatrixWeight {
        for i in tensor.offset..<tensor.offset + tensor.count { mask[i] = true }
      }
    }
    decayMask = mask
  }

  public convenience init(model: GPT, weightDecay: Float = 0.1, decayAll: Bool = false) {
    self.init(layout: model.layout, weightDecay: weightDecay, decayAll: decayAll)
  }

  deinit {
    m.deallocate()
    v.deallocate()
  }

  /// One update of `parameters` from `gradients` at learning rate `rate`, element by element over
  /// `threads` ranges.
  public func update(
    parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeMutableBufferPointer<Float>, rate: Float,
    threads: Int = 1
  ) {
    step += 1
    let correction1 = 1 - powf(beta1, Float(step))
    let correction2 = 1 - powf(beta2, Float(step))
    let (beta1, beta2, epsilon, weightDecay) = (beta1, beta2, epsilon, weightDecay)
    let count = parameters.count
    let (parameters, gradients, m, v) = (
      SharedPointer(parameters.baseAddress!), SharedPointer(gradients.baseAddress!), SharedPointer(m.baseAddress!),
      SharedPointer(v.baseAddress!)
    )
    decayMask.withUnsafeBufferPointer { decayMask in
      let decayMask = SharedPointer(UnsafeMutablePointer(mutating: decayMask.baseAddress!))
      parallelRanges(count, threads: threads) { range in
        let (p, g, m, v, mask) = (parameters.pointer, gradients.pointer, m.pointer, v.pointer, decayMask.pointer)
        for i in range {
          let mi = beta1 * m[i] + (1 - beta1) * g[i]
          let vi = beta2 * v[i] + (1 - beta2) * g[i] * g[i]
          m[i] = mi
          v[i] = vi
          let mHat = mi / correction1
          let vHat = vi / correction2
          let decay = mask[i] ? weightDecay * p[i] : 0
          p[i] -= rate * (mHat / (vHat.squareRoot() + epsilon) + decay)
        }
      }
    }
  }

  /// Restores the step count with the moments (resuming from a checkpoint).
  func restore(step: Int) { self.step = step }
}
