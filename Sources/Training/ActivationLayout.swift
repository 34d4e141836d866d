/// Offsets of every activation of a forward pass in one flat buffer, for a batch of B sequences
/// of T tokens. The gradient buffer uses the same layout without the probabilities (their
/// gradient overwrites them in place).
struct ActivationLayout: Sendable {
  struct Layer: Sendable {
    let ln1, ln1Mean, ln1Rstd, qkv, atty, preatt, att, attentionProjection, residual2: Int
    let ln2, ln2Mean, ln2Rstd, fc, fcGELU, fcProjection, residual3: Int
  }

  let encoded: Int
  let layers: [Layer]
  let lnf, lnfMean, lnfRstd, probabilities, losses: Int
  let count: Int

  init(_ config: GPTConfig, B: Int, T: Int, withProbabilities: Bool) {
    let (C, NH, V) = (config.channels, config.heads, config.vocabularySize)
    var offset = 0
    func take(_ size: Int) -> Int {
      defer { offset += size }
      return offset
    }
    encoded = take(B * T * C)
    var layers: [Layer] = []
    for _ in 0..<config.layers {
      layers.append(
        Layer(
          ln1: take(B * T * C), ln1Mean: take(B * T), ln1Rstd: take(B * T), qkv: take(B * T * 3 * C),
          atty: take(B * T * C),
          preatt: take(B * NH * T * T), att: take(B * NH * T * T), attentionProjection: take(B * T * C),
          residual2: take(B * T * C), ln2: take(B * T * C), ln2Mean: take(B * T), ln2Rstd: take(B * T),
          fc: take(B * T * 4 * C), fcGELU: take(B * T * 4 * C), fcProjection: take(B * T * C),
          residual3: take(B * T * C)))
    }
    self.layers = layers
    lnf = take(B * T * C)
    lnfMean = take(B * T)
    lnfRstd = take(B * T)
    probabilities = take(withProbabilities ? B * T * V : 0)
    losses = take(B * T)
    count = offset
  }
}
