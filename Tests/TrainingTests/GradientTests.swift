import HatcheryCore
import XCTest

@testable import Training

/// Every layer's backward pass against central finite differences of its forward pass, on tiny
/// shapes: for a random upstream gradient R, the analytic gradient of Σ out · R must match
/// (L(x + ε) − L(x − ε)) / 2ε, computed in float32 like the model.
final class GradientTests: XCTestCase {
  private var generator = SplitMix64(seed: 42)

  private func random(_ count: Int, scale: Float = 1) -> [Float] {
    (0..<count).map { _ in (Float(generator.next() % 20_001) / 10_000 - 1) * scale }
  }

  /// Compares `analytic` with finite differences of `loss` over every element of `values`.
  private func check(
    _ name: String, values: inout [Float], analytic: [Float], epsilon: Float = 1e-2, tolerance: Float = 2e-2,
    loss: ([Float]) -> Double, file: StaticString = #filePath, line: UInt = #line
  ) {
    var worst: Float = 0
    for i in values.indices {
      let saved = values[i]
      values[i] = saved + epsilon
      let plus = loss(values)
      values[i] = saved - epsilon
      let minus = loss(values)
      values[i] = saved
      let numeric = Float((plus - minus) / Double(2 * epsilon))
      let error = abs(numeric - analytic[i]) / max(1, abs(numeric), abs(analytic[i]))
      worst = max(worst, error)
    }
    XCTAssertLessThan(worst, tolerance, "\(name): worst relative error \(worst)", file: file, line: line)
  }

  private func dot(_ a: [Float], _ b: [Float]) -> Double { zip(a, b).reduce(0) { $0 + Double($1.0) * Double($1.1) } }

  func testLayerNorm() {
    let (rows, C) = (3, 6)
    var x = random(rows * C)
    var w = random(C)
    let b = random(C)
    let r = random(rows * C)
    func forward(_ x: [Float], _ w: [Float]) -> [Float] {
      var out = [Float](repeating: 0, count: rows * C)
      var mean = [Float](repeating: 0, count: rows)
      var rstd = [Float](repeating: 0, count: rows)
      LayerNorm.forward(&out, mean: &mean, rstd: &rstd, x, weight: w, bias: b, rows: rows, C: C, threads: 2)
      return out
    }
    var out = [Float](repeating: 0, count: rows * C)
    var mean = [Float](repeating: 0, count: rows)
    var rstd = [Float](repeating: 0, count: rows)
    LayerNorm.forward(&out, mean: &mean, rstd: &rstd, x, weight: w, bias: b, rows: rows, C: C, threads: 1)
    var dx = [Float](repeating: 0, count: rows * C)
    var dw = [Float](repeating: 0, count: C)
    var db = [Float](repeating: 0, count: C)
    LayerNorm.backward(
      dinput: &dx, dweight: &dw, dbias: &db, dout: r, input: x, weight: w, mean: mean, rstd: rstd, rows: rows, C: C,
      threads: 2)
    check("layernorm input", values: &x, analytic: dx) { dot(forward($0, w), r) }
    let xs = x
    check("layernorm weight", values: &w, analytic: dw) { dot(forward(xs, $0), r) }
  }

  func testLinear() throws {
    let blas = try BLAS.load()
    let (rows, inC, outC) = (4, 5, 3)
    var x = random(rows * inC)
    var w = random(inC * outC)
    var bias = random(outC)
    let r = random(rows * outC)
    func forward(_ x: [Float], _ w: [Float], _ bias: [Float]) -> [Float] {
      var out = [Float](repeating: 0, count: rows * outC)
      Linear.forward(&out, x, weight: w, bias: bias, rows: rows, inC: inC, outC: outC, blas: blas, threads: 2)
      return out
    }
    var dx = [Float](repeating: 0, count: rows * inC)
    var dw = [Float](repeating: 0, count: inC * outC)
    var db = [Float](repeating: 0, count: outC)
    Linear.backward(
      dinput: &dx, dweight: &dw, dbias: &db, dout: r, input: x, weight: w, rows: rows, inC: inC, outC: outC, blas: blas,
      threads: 2)
    let (w0, b0) = (w, bias)
    check("linear input", values: &x, analytic: dx) { dot(forward($0, w0, b0), r) }
    let x0 = x
    check("linear weight", values: &w, analytic: dw) { dot(forward(x0, $0, b0), r) }
    check("linear bias", values: &bias, analytic: db) { dot(forward(x0, w0, $0), r) }
  }

  func testGELU() {
    var x = random(20, scale: 3)
    let r = random(20)
    func forward(_ x: [Float]) -> [Float] {
      var out = [Float](repeating: 0, count: x.count)
      GELU.forward(&out, x, count: x.count, threads: 2)
      return out
    }
    var dx = [Float](repeating: 0, count: x.count)
    GELU.backward(dinput: &dx, input: x, dout: r, count: x.count, threads: 1)
    check("gelu", values: &x, analytic: dx, epsilon: 1e-3) { dot(forward($0), r) }
  }

  func testAttention() throws {
    let blas = try BLAS.load()
    let (B, T, C, NH) = (2, 4, 6, 2)
    var qkv = random(B * T * 3 * C)
    let r = random(B * T * C)
    func forward(_ qkv: [Float]) -> ([Float], [Float]) {
      var out = [Float](repeating: 0, count: B * T * C)
      var preatt = [Float](repeating: 0, count: B * NH * T * T)
      var att = [Float](repeating: 0, count: B * NH * T * T)
      Attention.forward(&out, preatt: &preatt, att: &att, qkv: qkv, B: B, T: T, C: C, NH: NH, blas: blas, threads: 2)
      return (out, att)
    }
    let (_, att) = forward(qkv)
    var dqkv = [Float](repeating: 0, count: qkv.count)
    var dpreatt = [Float](repeating: 0, count: B * NH * T * T)
    var datt = [Float](repeating: 0, count: B * NH * T * T)
    Attention.backward(
      dqkv: &dqkv, dpreatt: &dpreatt, datt: &datt, dout: r, qkv: qkv, att: att, B: B, T: T, C: C, NH: NH, blas: blas,
      threads: 2)
    check("attention", values: &qkv, analytic: dqkv) { dot(forward($0).0, r) }
  }

  func testCrossEntropyWithTiedEmbedding() throws {
    let blas = try BLAS.load()
    let (rows, C, V) = (3, 4, 7)
    var x = random(rows * C)
    var wte = random(V * C)
    let targets: [Int32] = [2, CrossEntropy.ignored, 6]
    func loss(_ x: [Float], _ wte: [Float]) -> Double {
      var probabilities = [Float](repeating: 0, count: rows * V)
      var losses = [Float](repeating: 0, count: rows)
      return Double(
        CrossEntropy.forward(
          probabilities: &probabilities, losses: &losses, x, wte: wte, targets: targets, rows: rows, C: C, V: V,
          blas: blas, threads: 1
        ).loss)
    }
    var probabilities = [Float](repeating: 0, count: rows * V)
    var losses = [Float](repeating: 0, count: rows)
    let (_, counted) = CrossEntropy.forward(
      probabilities: &probabilities, losses: &losses, x, wte: wte, targets: targets, rows: rows, C: C, V: V, blas: blas,
      threads: 1)
    XCTAssertEqual(counted, 2, "the ignored target does not count")
    var dx = [Float](repeating: 0, count: rows * C)
    var dwte = [Float](repeating: 0, count: V * C)
    CrossEntropy.backward(
      dinput: &dx, dwte: &dwte, probabilities: &probabilities, input: x, wte: wte, targets: targets, counted: counted,
      rows: rows, C: C, V: V, blas: blas, threads: 2)
    XCTAssertEqual(dx[C..<2 * C].map(abs).max(), 0, "an ignored position gets no gradient")
    let wte0 = wte
    check("cross-entropy input", values: &x, analytic: dx, epsilon: 1e-3) { loss($0, wte0) }
    let x0 = x
    check("cross-entropy embedding", values: &wte, analytic: dwte, epsilon: 1e-3) { loss(x0, $0) }
  }

  /// The whole model: forward, backward, and finite differences on a sample of parameters of
  /// every tensor.
  func testWholeModelGradient() throws {
    let config = GPTConfig(vocabularySize: 11, context: 6, layers: 2, heads: 2, channels: 8)
    let model = try GPT(config: config, batch: 2, sequence: 5, threads: 2)
    model.initializeParameters(seed: 3)
    // Larger weights than GPT-2's 0.02, so every path carries a gradient worth measuring.
    for i in 0..<model.parameters.count where model.parameters[i] != 0 && model.parameters[i] != 1 {
      model.parameters[i] *= 10
    }
    for i in 0..<10 {
      model.inputs[i] = Int32(generator.next() % 11)
      model.targets[i] = i == 4 ? CrossEntropy.ignored : Int32(generator.next() % 11)
    }
    model.zeroGradients()
    model.forward()
    model.backward()
    let analytic = Array(model.gradients)
    var worst: Float = 0
    var checked = 0
    for tensor in model.layout.tensors {
      for k in 0..<min(6, tensor.count) {
        let i = tensor.offset + (k * 7919) % tensor.count
        let saved = model.parameters[i]
        let epsilon: Float = 1e-2
        model.parameters[i] = saved + epsilon
        let plus = Double(model.forward())
        model.parameters[i] = saved - epsilon
        let minus = Double(model.forward())
        model.parameters[i] = saved
        let numeric = Float((plus - minus) / Double(2 * epsilon))
        worst = max(worst, abs(numeric - analytic[i]) / max(0.05, abs(numeric), abs(analytic[i])))
        checked += 1
      }
    }
    XCTAssertGreaterThan(checked, 100)
    XCTAssertLessThan(worst, 5e-2, "worst relative error over \(checked) parameters")
  }
}
