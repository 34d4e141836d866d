/// The residual stream's sum: out = a + b.
enum Residual {
  static func forward(
    _ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int
  ) {
    for i in 0..<count { out[i] = a[i] + b[i] }
  }

  /// Adds `dout` to both inputs' gradients.
  static func backward(
    da: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, count: Int
  ) {
    for i in 0..<count {
      da[i] += dout[i]
      db[i] += dout[i]
    }
  }
}
