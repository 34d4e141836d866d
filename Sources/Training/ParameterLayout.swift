/// Where each parameter tensor lives in the one flat buffer of parameters (and, at the same
/// offsets, of gradients and optimizer moments), in Hugging Face GPT-2 names and shapes.
/// Linear weights are stored as (in, out), the orientation of GPT-2's Conv1D, so a checkpoint is
/// written without transposing.
struct ParameterLayout: Sendable {
  struct Tensor: Sendable {
    let name: String
    let shape: [Int]
    let offset: Int
    var count: Int { shape.reduce(1, *) }
    /// Biases, layer norms and embeddings: not decayed by AdamW unless asked.
    let isMatrixWeight: Bool
  }

  struct Layer: Sendable {
    let ln1Weight, ln1Bias, qkvWeight, qkvBias, attentionProjectionWeight, attentionProjectionBias: Int
    let ln2Weight, ln2Bias, fcWeight, fcBias, fcProjectionWeight, fcProjectionBias: Int
  }

  let tensors: [Tensor]
  let count: Int
  let tokenEmbedding: Int
  let positionEmbedding: Int
  let layers: [Layer]
  let finalNormWeight: Int
  let finalNormBias: Int

  init(_ config: GPTConfig) {
    let C = config.channels
    var tensors: [Tensor] = []
    var offset = 0
    func add(_ name: String, _ shape: [Int], matrix: Bool = false) -> Int {
      let start = offset
      tensors.append(Tensor(name: name, shape: shape, offset: start, isMatrixWeight: matrix))
      offset += shape.reduce(1, *)
      return start
    }
    tokenEmbedding = add("transformer.wte.weight", [config.vocabularySize, C])
    positionEmbedding = add("transformer.wpe.weight", [config.context, C])
    var layers: [Layer] = []
    for index in 0..<config.layers {
      let prefix = "transformer.h.\(index)."
      layers.append(
        Layer(
          ln1Weight: add(prefix + "ln_1.weight", [C]), ln1Bias: add(prefix + "ln_1.bias", [C]),
          qkvWeight: add(prefix + "attn.c_attn.weight", [C, 3 * C], matrix: true),
          qkvBias: add(prefix + "attn.c_attn.bias", [3 * C]),
          attentionProjectionWeight: add(prefix + "attn.c_proj.weight", [C, C], matrix: true),
          attentionProjectionBias: add(prefix + "attn.c_proj.bias", [C]),
          ln2Weight: add(prefix + "ln_2.weight", [C]), ln2Bias: add(prefix + "ln_2.bias", [C]),
          fcWeight: add(prefix + "mlp.c_fc.weight", [C, 4 * C], matrix: true),
          fcBias: add(prefix + "mlp.c_fc.bias", [4 * C]),
          fcProjectionWeight: add(prefix + "mlp.c_proj.weight", [4 * C, C], matrix: true),
          fcProjectionBias: add(prefix + "mlp.c_proj.bias", [C])))
    }
    self.layers = layers
    finalNormWeight = add("transformer.ln_f.weight", [C])
    finalNormBias = add("transformer.ln_f.bias", [C])
    self.tensors = tensors
    count = offset
  }
}
