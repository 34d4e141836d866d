import CActivations

/// GELU with the tanh approximation (GPT-2's `gelu_new`): the C kernels of `CActivations`
/// (tanh through one vector eˣ), over `threads` contiguous ranges.
enum GELU {
  static func forward(_ out: UnsafeMutablePointer<Float>, _ input: UnsafePointer<Float>, count: Int, threads: Int) {
    let (out, input) = (SharedPointer(out), SharedPointer(UnsafeMutablePointer(mutating: input)))
    parallelRanges(count, threads: threads) { range in
      hatchery_gelu_forward(out.pointer + range.lowerBound, input.pointer + range.lowerBound, range.count)
    }
  }

  /// Adds to `dinput`.
  static func backward(
    dinput: UnsafeMutablePointer<Float>, input: UnsafePointer<Float>, dout: UnsafePointer<Float>, count: Int,
    threads: Int
  ) {
    let (dinput, input, dout) = (
      SharedPointer(dinput), SharedPointer(UnsafeMutablePointer(mutating: input)),
      SharedPointer(UnsafeMutablePointer(mutating: dout))
    )
    parallelRanges(count, threads: threads) { range in
      hatchery_gelu_backward(
        dinput.pointer + range.lowerBound, input.pointer + range.lowerBound, dout.pointer + range.lowerBound,
        range.count)
    }
  }
}
