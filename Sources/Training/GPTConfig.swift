import HatcheryCore

/// The shape of a GPT-2 model, with Hugging Face's `config.json` names.
public struct GPTConfig: Sendable, Equatable {
  public var vocabularySize: Int
  /// Maximum sequence length (`n_positions`).
  public var context: Int
  public var layers: Int
  public var heads: Int
  /// Width (`n_embd`).
  public var channels: Int

  public init(vocabularySize: Int, context: Int, layers: Int, heads: Int, channels: Int) {
    self.vocabularySize = vocabularySize
    self.context = context
    self.layers = layers
    self.heads = heads
    self.channels = channels
  }

  public func validate() throws {
    guard vocabularySize > 0, context > 0, layers > 0, heads > 0, channels > 0 else {
      throw TrainingError.invalidOption("every model dimension must be positive")
    }
    guard channels % heads == 0 else {
      throw TrainingError.invalidOption("--dim \(channels) is not a multiple of --heads \(heads)")
    }
  }

  /// Parameters, with the output layer tied to the token embedding.
  public var parameterCount: Int { ParameterLayout(self).count }

  /// Training FLOPs per token: 6 per parameter (forward and backward) plus the attention term
  /// 12 · layers · context · width (Kaplan et al. 2020, appendix; PaLM's MFU definition).
  public var flopsPerToken: Double {
    6 * Double(parameterCount) + 12 * Double(layers) * Double(context) * Double(channels)
  }

  /// Hugging Face's GPT2Config as JSON (`config.json` of a checkpoint).
  public var huggingFaceJSON: JSONObject {
    JSONObject([
      ("architectures", .array([.string("GPT2LMHeadModel")])), ("model_type", .string("gpt2")),
      ("vocab_size", .int(vocabularySize)), ("n_positions", .int(context)), ("n_ctx", .int(context)),
      ("n_embd", .int(channels)), ("n_layer", .int(layers)), ("n_head", .int(heads)), ("n_inner", .null),
      ("activation_function", .string("gelu_new")), ("layer_norm_epsilon", .number("1e-05")),
      ("resid_pdrop", .number("0.0")), ("embd_pdrop", .number("0.0")), ("attn_pdrop", .number("0.0")),
      ("tie_word_embeddings", .bool(true)), ("torch_dtype", .string("float32")),
    ])
  }
}
