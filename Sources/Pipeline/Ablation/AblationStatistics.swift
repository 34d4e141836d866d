import Foundation

/// The statistics an ablation reports: each variant's mean and sample standard deviation over
/// its seeds, and Welch's t-test of two variants' means (unequal variances, Welch–Satterthwaite
/// degrees of freedom) with its two-sided p-value from Student's t distribution.
enum AblationStatistics {
  /// Mean and sample standard deviation (n − 1); the deviation is 0 for one value.
  static func summary(_ values: [Double]) -> (mean: Double, deviation: Double) {
    guard !values.isEmpty else { return (.nan, .nan) }
    let mean = values.reduce(0, +) / Double(values.count)
    guard values.count > 1 else { return (mean, 0) }
    let squares = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
    return (mean, (squares / Double(values.count - 1)).squareRoot())
  }

  struct Welch: Equatable {
    var difference: Double
    var t: Double
    var degreesOfFreedom: Double
    /// Two-sided.
    var p: Double
  }

  /// Welch's test of mean(a) − mean(b); nil with fewer than two values on a side. Two samples
  /// without spread: no test unless their means differ (then p = 0).
  static func welch(_ a: [Double], _ b: [Double]) -> Welch? {
    guard a.count >= 2, b.count >= 2 else { return nil }
    let (meanA, deviationA) = summary(a)
    let (meanB, deviationB) = summary(b)
    let varianceA = deviationA * deviationA / Double(a.count)
    let varianceB = deviationB * deviationB / Double(b.count)
    let difference = meanA - meanB
    let standardError = (varianceA + varianceB).squareRoot()
    guard standardError > 0 else {
      return Welch(
        difference: difference, t: difference == 0 ? 0 : .infinity, degreesOfFreedom: .nan, p: difference == 0 ? 1 : 0)
    }
    let t = difference / standardError
    let degrees =
      (varianceA + varianceB) * (varianceA + varianceB)
      / (varianceA * varianceA / Double(a.count - 1) + varianceB * varianceB / Double(b.count - 1))
    return Welch(difference: difference, t: t, degreesOfFreedom: degrees, p: twoSidedP(t: t, degreesOfFreedom: degrees))
  }

  /// P(|T| ≥ |t|) for Student's t with ν degrees of freedom: the regularized incomplete beta
  /// function I_x(ν/2, 1/2) at x = ν / (ν + t²).
  static func twoSidedP(t: Double, degreesOfFreedom ν: Double) -> Double {
    guard t.isFinite else { return 0 }
    return incompleteBeta(a: ν / 2, b: 0.5, x: ν / (ν + t * t))
  }

  /// The regularized incomplete beta function I_x(a, b), by its continued fraction (evaluated with
  /// the modified Lentz method), on the side of x where it converges quickly.
  static func incompleteBeta(a: Double, b: Double, x: Double) -> Double {
    if x <= 0 { return 0 }
    if x >= 1 { return 1 }
    let logBeta: Double = lgamma(a) + lgamma(b) - lgamma(a + b)
    let logPowers: Double = a * log(x) + b * log(1 - x)
    let logFront = logPowers - logBeta
    if x > (a + 1) / (a + b + 2) { return 1 - exp(logFront) * continuedFraction(a: b, b: a, x: 1 - x) / b }
    return exp(logFront) * continuedFraction(a: a, b: b, x: x) / a
  }

  /// 1 / (1 + d₁ / (1 + d₂ / (1 + …))) with d₂ₘ₊₁ = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)) and
  /// d₂ₘ = m(b−m)x / ((a+2m−1)(a+2m)).
  private static func continuedFraction(a: Double, b: Double, x: Double) -> Double {
    let tiny = 1e-300
    var c = 1.0
    var d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var result = d
    for m in 1...300 {
      let m = Double(m)
      let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
      d = 1 + even * d
      if abs(d) < tiny { d = tiny }
      c = 1 + even / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      result *= d * c
      let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
      d = 1 + odd * d
      if abs(d) < tiny { d = tiny }
      c = 1 + odd / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let step = d * c
      result *= step
      if abs(step - 1) < 1e-14 { break }
    }
    return result
  }
}
