/// Token plus position embedding: out[b,t] = wte[token] + wpe[t].
enum Encoder {
  static func forward(
    _ out: UnsafeMutablePointer<Float>, tokens: UnsafePointer<Int32>, wte: UnsafePointer<Float>,
    wpe: UnsafePointer<Float>,
    B: Int, T: Int, C: Int
  ) {
    for b in 0..<B {
      for t in 0..<T {
        let row = out + (b * T + t) * C
        let token = wte + Int(tokens[b * T + t]) * C
        let position = wpe + t * C
        for i in 0..<C { row[i] = token[i] + position[i] }
      }
    }
  }

  static func backward(
    dwte: UnsafeMutablePointer<Float>, dwpe: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>,
    tokens: UnsafePointer<Int32>,
    B: Int, T: Int, C: Int
  ) {
    for b in 0..<B {
      for t in 0..<T {
        let row = dout + (b * T + t) * C
        let token = dwte + Int(tokens[b * T + t]) * C
        let position = dwpe + t * C
        for i in 0..<C {
          token[i] += row[i]
          position[i] += row[i]
        }
      }
    }
  }
}
