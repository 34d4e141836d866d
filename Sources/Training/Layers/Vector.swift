/// Dot products and scaled additions over contiguous floats in 8-lane vectors: the attention
/// kernels' inner loops (head size 64). The compiler does not vectorise a float sum on its own
/// (it would change the order of additions), so the lanes are written out.
enum Vector {
  @inline(__always)
  static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
    var sum = SIMD8<Float>()
    var i = 0
    let rawA = UnsafeRawPointer(a)
    let rawB = UnsafeRawPointer(b)
    while i + 8 <= count {
      let x = rawA.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
      let y = rawB.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
      sum.addProduct(x, y)
      i += 8
    }
    var total = sum.sum()
    while i < count {
      total += a[i] * b[i]
      i += 1
    }
    return total
  }

  /// y += alpha · x
  @inline(__always)
  static func addScaled(_ y: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ alpha: Float, count: Int) {
    var i = 0
    let rawX = UnsafeRawPointer(x)
    let rawY = UnsafeMutableRawPointer(y)
    let scale = SIMD8<Float>(repeating: alpha)
    while i + 8 <= count {
      var value = rawY.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self)
      value.addProduct(scale, rawX.loadUnaligned(fromByteOffset: i * 4, as: SIMD8<Float>.self))
      rawY.storeBytes(of: value, toByteOffset: i * 4, as: SIMD8<Float>.self)
      i += 8
    }
    while i < count {
      y[i] += alpha * x[i]
      i += 1
    }
  }
}
