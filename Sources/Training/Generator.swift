import Foundation

/// Next-token logits one position at a time with a key/value cache: each block keeps the keys
/// and values of the positions already seen, so a new token costs one row of every layer
/// instead of the whole window again. Uses the model's parameters and the same layer kernels
/// as training, on one row.
final class Generator {
  private let model: GPT
  private let config: GPTConfig
  /// Per layer: keys and values of positions 0..<length, T rows of C each.
  private var keys: [[Float]]
  private var values: [[Float]]
  private(set) var length = 0
  // One row of each activation.
  private var x, normed, qkv, attended, projected, hidden, activated: [Float]
  private var scores: [Float]
  private var mean: Float = 0
  private var rstd: Float = 0

  init(model: GPT) {
    self.model = model
    config = model.config
    let (T, C) = (config.context, config.channels)
    keys = Array(repeating: [Float](repeating: 0, count: T * C), count: config.layers)
    values = keys
    x = [Float](repeating: 0, count: C)
    normed = x
    attended = x
    projected = x
    qkv = [Float](repeating: 0, count: 3 * C)
    hidden = [Float](repeating: 0, count: 4 * C)
    activated = hidden
    scores = [Float](repeating: 0, count: T)
  }

  var isFull: Bool { length == config.context }

  func reset() { length = 0 }

  /// Appends `token` at the next position and returns the logits for the position after it.
  func next(_ token: UInt32) -> [Float] {
    precondition(length < config.context, "the key/value cache is full")
    let (C, NH) = (config.channels, config.heads)
    let hs = C / NH
    let scale = 1 / Float(hs).squareRoot()
    let layout = model.layout
    let p = UnsafePointer(model.parameters.baseAddress!)
    let blas = model.blas
    let position = length
    for i in 0..<C {
      x[i] = p[layout.tokenEmbedding + Int(token) * C + i] + p[layout.positionEmbedding + position * C + i]
    }
    for (l, layer) in layout.layers.enumerated() {
      layerNorm(&normed, x, weight: p + layer.ln1Weight, bias: p + layer.ln1Bias)
      linear(&qkv, normed, weight: p + layer.qkvWeight, bias: p + layer.qkvBias, inC: C, outC: 3 * C, blas: blas)
      for i in 0..<C {
        keys[l][position * C + i] = qkv[C + i]
        values[l][position * C + i] = qkv[2 * C + i]
      }
      for h in 0..<NH {
        var maximum = -Float.greatestFiniteMagnitude
        for t in 0...position {
          var dot: Float = 0
          for i in 0..<hs { dot += qkv[h * hs + i] * keys[l][t * C + h * hs + i] }
          scores[t] = dot * scale
          maximum = max(maximum, scores[t])
        }
        var sum: Float = 0
        for t in 0...position {
          scores[t] = expf(scores[t] - maximum)
          sum += scores[t]
        }
        for i in 0..<hs { attended[h * hs + i] = 0 }
        for t in 0...position {
          let weight = scores[t] / sum
          for i in 0..<hs { attended[h * hs + i] += weight * values[l][t * C + h * hs + i] }
        }
      }
      linear(
        &projected, attended, weight: p + layer.attentionProjectionWeight, bias: p + layer.attentionProjectionBias,
        inC: C, outC: C, blas: blas)
      for i in 0..<C { x[i] += projected[i] }
      layerNorm(&normed, x, weight: p + layer.ln2Weight, bias: p + layer.ln2Bias)
      linear(&hidden, normed, weight: p + layer.fcWeight, bias: p + layer.fcBias, inC: C, outC: 4 * C, blas: blas)
      GELU.forward(&activated, hidden, count: 4 * C, threads: 1)
      linear(
        &projected, activated, weight: p + layer.fcProjectionWeight, bias: p + layer.fcProjectionBias, inC: 4 * C,
        outC: C, blas: blas)
      for i in 0..<C { x[i] += projected[i] }
    }
    layerNorm(&normed, x, weight: p + layout.finalNormWeight, bias: p + layout.finalNormBias)
    var logits = [Float](repeating: 0, count: config.vocabularySize)
    logits.withUnsafeMutableBufferPointer { out in
      blas.sgemm(
        transposeA: false, transposeB: true, m: 1, n: config.vocabularySize, k: C, a: normed, lda: C,
        b: p + layout.tokenEmbedding, ldb: C,
        beta: 0, c: out.baseAddress!, ldc: config.vocabularySize)
    }
    length += 1
    return logits
  }

  private func layerNorm(
    _ out: inout [Float], _ input: [Float], weight: UnsafePointer<Float>, bias: UnsafePointer<Float>
  ) {
    LayerNorm.forward(
      &out, mean: &mean, rstd: &rstd, input, weight: weight, bias: bias, rows: 1, C: config.channels, threads: 1)
  }

  private func linear(
    _ out: inout [Float], _ input: [Float], weight: UnsafePointer<Float>, bias: UnsafePointer<Float>, inC: Int,
    outC: Int, blas: BLAS
  ) {
    Linear.forward(&out, input, weight: weight, bias: bias, rows: 1, inC: inC, outC: outC, blas: blas, threads: 1)
  }
}
