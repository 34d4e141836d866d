import Foundation
import HatcheryCore

/// GPT-2 in float32: parameters, their gradients, the activations of one batch and their
/// gradients, each allocated once when the model is made (llm.c's layout, in Swift). A training
/// step is `zeroGradients()`, `forward`, `backward`; the optimizer reads `parameters` and
/// `gradients`.
public final class GPT {
  public let config: GPTConfig
  public let batch: Int
  public let sequence: Int
  public let threads: Int
  let layout: ParameterLayout
  let activationLayout: ActivationLayout
  let gradientLayout: ActivationLayout
  let blas: BLAS

  public let parameters: UnsafeMutableBufferPointer<Float>
  public let gradients: UnsafeMutableBufferPointer<Float>
  let activations: UnsafeMutablePointer<Float>
  let activationGradients: UnsafeMutablePointer<Float>
  /// The batch's inputs and targets (B × T); a target of -1 is left out of the loss.
  public let inputs: UnsafeMutableBufferPointer<Int32>
  public let targets: UnsafeMutableBufferPointer<Int32>
  private var counted = 0

  public init(config: GPTConfig, batch: Int, sequence: Int, threads: Int) throws {
    try config.validate()
    guard batch > 0, sequence > 0, sequence <= config.context else {
      throw TrainingError.invalidOption(
        "batch \(batch) and sequence \(sequence) must be positive, the sequence at most the context \(config.context)")
    }
    self.config = config
    self.batch = batch
    self.sequence = sequence
    self.threads = threads
    blas = try BLAS.load()
    layout = ParameterLayout(config)
    activationLayout = ActivationLayout(config, B: batch, T: sequence, withProbabilities: true)
    gradientLayout = ActivationLayout(config, B: batch, T: sequence, withProbabilities: false)
    parameters = .allocate(capacity: layout.count)
    parameters.initialize(repeating: 0)
    gradients = .allocate(capacity: layout.count)
    gradients.initialize(repeating: 0)
    activations = .allocate(capacity: activationLayout.count)
    activations.initialize(repeating: 0, count: activationLayout.count)
    activationGradients = .allocate(capacity: gradientLayout.count)
    activationGradients.initialize(repeating: 0, count: gradientLayout.count)
    inputs = .allocate(capacity: batch * sequence)
    inputs.initialize(repeating: 0)
    targets = .allocate(capacity: batch * sequence)
    targets.initialize(repeating: CrossEntropy.ignored)
  }

  deinit {
    parameters.deallocate()
    gradients.deallocate()
    activations.deallocate()
    activationGradients.deallocate()
    inputs.deallocate()
    targets.deallocate()
  }

  /// GPT-2's initialisation: weights and embeddings from N(0, 0.02), the two projections into
  /// the residual stream scaled by 1/√(2·layers), biases 0, layer-norm weights 1.
  public func initializeParameters(seed: UInt64) {
    var generator = SplitMix64(seed: seed)
    func normal() -> Float {
      // Box–Muller from two uniforms in (0, 1].
      let u1 = (Double(generator.next() >> 11) + 1) / 9_007_199_254_740_992
      let u2 = Double(generator.next() >> 11) / 9_007_199_254_740_992
      return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }
    let residualScale = 1 / Float(2 * config.layers).squareRoot()
    for tensor in layout.tensors {
      let values = parameters.baseAddress! + tensor.offset
      if tensor.name.hasSuffix(".bias") {
        for i in 0..<tensor.count { values[i] = 0 }
      } else if tensor.name.contains("ln_") {
        for i in 0..<tensor.count { values[i] = 1 }
      } else {
        let scale: Float = tensor.name.hasSuffix("c_proj.weight") ? 0.02 * residualScale : 0.02
        for i in 0..<tensor.count { values[i] = normal() * scale }
      }
    }
  }

  public func zeroGradients() {
    Self.zero(gradients.baseAddress!, count: gradients.count, threads: threads)
  }

  /// Fills with zeros over `threads` ranges.
  static func zero(_ buffer: UnsafeMutablePointer<Float>, count: Int, threads: Int) {
    let buffer = SharedPointer(buffer)
    parallelRanges(count, threads: threads) { range in
      (buffer.pointer + range.lowerBound).update(repeating: 0, count: range.count)
    }
  }

  /// The mean cross-entropy of the batch in `inputs` against `targets`.
  @discardableResult
  public func forward() -> Float {
    let (B, T, C, NH, V) = (batch, sequence, config.channels, config.heads, config.vocabularySize)
    let rows = B * T
    let p = parameters.baseAddress!
    let a = activations
    let acts = activationLayout
    Encoder.forward(
      a + acts.encoded, tokens: inputs.baseAddress!, wte: p + layout.tokenEmbedding, wpe: p + layout.positionEmbedding,
      B: B, T: T, C: C)
    var residual = a + acts.encoded
    for (l, layer) in layout.layers.enumerated() {
      let x = acts.layers[l]
      LayerNorm.forward(
        a + x.ln1, mean: a + x.ln1Mean, rstd: a + x.ln1Rstd, residual, weight: p + layer.ln1Weight,
        bias: p + layer.ln1Bias, rows: rows, C: C, threads: threads)
      Linear.forward(
        a + x.qkv, a + x.ln1, weight: p + layer.qkvWeight, bias: p + layer.qkvBias, rows: rows, inC: C, outC: 3 * C,
        blas: blas, threads: threads)
      Attention.forward(
        a + x.atty, preatt: a + x.preatt, att: a + x.att, qkv: a + x.qkv, B: B, T: T, C: C, NH: NH, blas: blas,
        threads: threads)
      Linear.forward(
        a + x.attentionProjection, a + x.atty, weight: p + layer.attentionProjectionWeight,
        bias: p + layer.attentionProjectionBias, rows: rows, inC: C, outC: C, blas: blas, threads: threads)
      Residual.forward(a + x.residual2, residual, a + x.attentionProjection, count: rows * C, threads: threads)
      LayerNorm.forward(
        a + x.ln2, mean: a + x.ln2Mean, rstd: a + x.ln2Rstd, a + x.residual2, weight: p + layer.ln2Weight,
        bias: p + layer.ln2Bias, rows: rows, C: C, threads: threads)
      Linear.forward(
        a + x.fc, a + x.ln2, weight: p + layer.fcWeight, bias: p + layer.fcBias, rows: rows, inC: C, outC: 4 * C,
        blas: blas, threads: threads)
      GELU.forward(a + x.fcGELU, a + x.fc, count: rows * 4 * C, threads: threads)
      Linear.forward(
        a + x.fcProjection, a + x.fcGELU, weight: p + layer.fcProjectionWeight, bias: p + layer.fcProjectionBias,
        rows: rows, inC: 4 * C, outC: C, blas: blas, threads: threads)
      Residual.forward(a + x.residual3, a + x.residual2, a + x.fcProjection, count: rows * C, threads: threads)
      residual = a + x.residual3
    }
    LayerNorm.forward(
      a + acts.lnf, mean: a + acts.lnfMean, rstd: a + acts.lnfRstd, residual, weight: p + layout.finalNormWeight,
      bias: p + layout.finalNormBias, rows: rows, C: C, threads: threads)
    let (loss, counted) = CrossEntropy.forward(
      probabilities: a + acts.probabilities, losses: a + acts.losses, a + acts.lnf, wte: p + layout.tokenEmbedding,
      targets: targets.baseAddress!, rows: rows, C: C, V: V, blas: blas, threads: threads)
    self.counted = counted
    return loss
  }

  /// The logits of the last `forward` (B·T rows of V): the final layer norm's output times the
  /// token embedding, computed again because `forward` keeps only the probabilities.
  public func logits() -> [Float] {
    let rows = batch * sequence
    let (C, V) = (config.channels, config.vocabularySize)
    var logits = [Float](repeating: 0, count: rows * V)
    logits.withUnsafeMutableBufferPointer { out in
      blas.sgemm(
        transposeA: false, transposeB: true, m: rows, n: V, k: C, a: activations + activationLayout.lnf, lda: C,
        b: parameters.baseAddress! + layout.tokenEmbedding, ldb: C, beta: 0, c: out.baseAddress!, ldc: V,
        threads: threads)
    }
    return logits
  }

  /// Loads a checkpoint's weights (its `model.safetensors`).
  public func load(checkpoint folder: String) throws {
    _ = try Checkpoint.loadWeights(from: folder, model: self)
  }

  /// Adds the gradient of the last `forward`'s loss to `gradients` (call `zeroGradients` first
  /// unless accumulating).
  public func backward() {
    let (B, T, C, NH, V) = (batch, sequence, config.channels, config.heads, config.vocabularySize)
    let rows = B * T
    let p = parameters.baseAddress!
    let g = gradients.baseAddress!
    let a = activations
    let d = activationGradients
    let acts = activationLayout
    let grads = gradientLayout
    Self.zero(d, count: gradientLayout.count, threads: threads)
    CrossEntropy.backward(
      dinput: d + grads.lnf, dwte: g + layout.tokenEmbedding, probabilities: a + acts.probabilities,
      input: a + acts.lnf,
      wte: p + layout.tokenEmbedding, targets: targets.baseAddress!, counted: counted, rows: rows, C: C, V: V,
      blas: blas, threads: threads)
    let last = layout.layers.count - 1
    let finalInput = a + acts.layers[last].residual3
    let dfinalInput = d + grads.layers[last].residual3
    LayerNorm.backward(
      dinput: dfinalInput, dweight: g + layout.finalNormWeight, dbias: g + layout.finalNormBias, dout: d + grads.lnf,
      input: finalInput,
      weight: p + layout.finalNormWeight, mean: a + acts.lnfMean, rstd: a + acts.lnfRstd, rows: rows, C: C,
      threads: threads)
    for l in stride(from: last, through: 0, by: -1) {
      let layer = layout.layers[l]
      let x = acts.layers[l]
      let dx = grads.layers[l]
      let residual = l == 0 ? a + acts.encoded : a + acts.layers[l - 1].residual3
      let dresidual = l == 0 ? d + grads.encoded : d + grads.layers[l - 1].residual3
      // residual3 = residual2 + fcProjection
      Residual.backward(
        da: d + dx.residual2, db: d + dx.fcProjection, dout: d + dx.residual3, count: rows * C, threads: threads)
      Linear.backward(
        dinput: d + dx.fcGELU, dweight: g + layer.fcProjectionWeight, dbias: g + layer.fcProjectionBias,
        dout: d + dx.fcProjection,
        input: a + x.fcGELU, weight: p + layer.fcProjectionWeight, rows: rows, inC: 4 * C, outC: C, blas: blas,
        threads: threads)
      GELU.backward(dinput: d + dx.fc, input: a + x.fc, dout: d + dx.fcGELU, count: rows * 4 * C, threads: threads)
      Linear.backward(
        dinput: d + dx.ln2, dweight: g + layer.fcWeight, dbias: g + layer.fcBias, dout: d + dx.fc, input: a + x.ln2,
        weight: p + layer.fcWeight, rows: rows, inC: C, outC: 4 * C, blas: blas, threads: threads)
      LayerNorm.backward(
        dinput: d + dx.residual2, dweight: g + layer.ln2Weight, dbias: g + layer.ln2Bias, dout: d + dx.ln2,
        input: a + x.residual2,
        weight: p + layer.ln2Weight, mean: a + x.ln2Mean, rstd: a + x.ln2Rstd, rows: rows, C: C, threads: threads)
      // residual2 = residual + attentionProjection
      Residual.backward(
        da: dresidual, db: d + dx.attentionProjection, dout: d + dx.residual2, count: rows * C, threads: threads)
      Linear.backward(
        dinput: d + dx.atty, dweight: g + layer.attentionProjectionWeight, dbias: g + layer.attentionProjectionBias,
        dout: d + dx.attentionProjection, input: a + x.atty, weight: p + layer.attentionProjectionWeight, rows: rows,
        inC: C, outC: C, blas: blas, threads: threads)
      Attention.backward(
        dqkv: d + dx.qkv, dpreatt: d + dx.preatt, datt: d + dx.att, dout: d + dx.atty, qkv: a + x.qkv, att: a + x.att,
        B: B, T: T, C: C,
        NH: NH, blas: blas, threads: threads)
      Linear.backward(
        dinput: d + dx.ln1, dweight: g + layer.qkvWeight, dbias: g + layer.qkvBias, dout: d + dx.qkv, input: a + x.ln1,
        weight: p + layer.qkvWeight, rows: rows, inC: C, outC: 3 * C, blas: blas, threads: threads)
      LayerNorm.backward(
        dinput: dresidual, dweight: g + layer.ln1Weight, dbias: g + layer.ln1Bias, dout: d + dx.ln1, input: residual,
        weight: p + layer.ln1Weight, mean: a + x.ln1Mean, rstd: a + x.ln1Rstd, rows: rows, C: C, threads: threads)
    }
    Encoder.backward(
      dwte: g + layout.tokenEmbedding, dwpe: g + layout.positionEmbedding, dout: d + grads.encoded,
      tokens: inputs.baseAddress!,
      B: B, T: T, C: C)
  }
}
