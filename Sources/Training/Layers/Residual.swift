/// The residual stream's sum: out = a + b, over `threads` ranges.
enum Residual {
  static func forward(
    _ out: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int, threads: Int
  ) {
    let (out, a, b) = (
      SharedPointer(out), SharedPointer(UnsafeMutablePointer(mutating: a)),
      SharedPointer(UnsafeMutablePointer(mutating: b))
    )
    parallelRanges(count, threads: threads) { range in
      for i in range { out.pointer[i] = a.pointer[i] + b.pointer[i] }
    }
  }

  /// Adds `dout` to both inputs' gradients.
  static func backward(
    da: UnsafeMutablePointer<Float>, db: UnsafeMutablePointer<Float>, dout: UnsafePointer<Float>, count: Int,
    threads: Int
  ) {
    let (da, db, dout) = (SharedPointer(da), SharedPointer(db), SharedPointer(UnsafeMutablePointer(mutating: dout)))
    parallelRanges(count, threads: threads) { range in
      for i in range {
        da.pointer[i] += dout.pointer[i]
        db.pointer[i] += dout.pointer[i]
      }
    }
  }
}
