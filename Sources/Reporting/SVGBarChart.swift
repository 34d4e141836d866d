import Foundation
import HatcheryCore

/// A bar chart as inline SVG: one bar per label with an error bar (± its deviation), the axis
/// starting below the lowest bar so that small differences show, each bar's value written above it.
public struct SVGBarChart {
  public struct Bar {
    let label: String
    let value: Double
    let error: Double

    public init(label: String, value: Double, error: Double) {
      self.label = label
      self.value = value
      self.error = error
    }
  }

  let title: String
  let yLabel: String
  let bars: [Bar]
  let width = 640.0
  let height = 260.0

  public init(title: String, yLabel: String, bars: [Bar]) {
    self.title = title
    self.yLabel = yLabel
    self.bars = bars
  }

  public var svg: String {
    let finite = bars.filter { $0.value.isFinite }
    guard !finite.isEmpty else { return "<p>No data for \(HTMLText.escape(title)).</p>" }
    let (left, right, top, bottom) = (60.0, 20.0, 28.0, 48.0)
    let high = finite.map { $0.value + max(0, $0.error) }.max()!
    let low = finite.map { $0.value - max(0, $0.error) }.min()!
    let margin = max((high - low) * 0.25, abs(high) * 0.01, 1e-9)
    let (minY, maxY) = (max(0, low - margin), high + margin)
    func y(_ value: Double) -> Double { height - bottom - (value - minY) / (maxY - minY) * (height - top - bottom) }
    let slot = (width - left - right) / Double(bars.count)
    var text = SVGFrame.open(
      title: title, yLabel: yLabel, width: width, height: height, margins: (left, right, top, bottom))
    for value in [minY, maxY] {
      text +=
        "<text x=\"\(left - 4)\" y=\"\(y(value) + 4)\" font-size=\"10\" text-anchor=\"end\" font-family=\"sans-serif\">\(String(format: "%.3f", value))</text>"
    }
    for (index, bar) in bars.enumerated() {
      let center = left + slot * (Double(index) + 0.5)
      text +=
        "<text x=\"\(center)\" y=\"\(height - bottom + 16)\" font-size=\"11\" text-anchor=\"middle\" font-family=\"sans-serif\">\(HTMLText.escape(bar.label))</text>"
      guard bar.value.isFinite else { continue }
      let barWidth = slot * 0.6
      text +=
        "<rect x=\"\(center - barWidth / 2)\" y=\"\(y(bar.value))\" width=\"\(barWidth)\" height=\"\(max(0, height - bottom - y(bar.value)))\" fill=\"#1f77b4\" opacity=\"0.8\"/>"
      if bar.error > 0 {
        let (upper, lower) = (y(bar.value + bar.error), y(bar.value - bar.error))
        text += "<line x1=\"\(center)\" y1=\"\(upper)\" x2=\"\(center)\" y2=\"\(lower)\" stroke=\"#000\"/>"
        text += "<line x1=\"\(center - 6)\" y1=\"\(upper)\" x2=\"\(center + 6)\" y2=\"\(upper)\" stroke=\"#000\"/>"
        text += "<line x1=\"\(center - 6)\" y1=\"\(lower)\" x2=\"\(center + 6)\" y2=\"\(lower)\" stroke=\"#000\"/>"
      }
      text +=
        "<text x=\"\(center)\" y=\"\(y(bar.value + max(0, bar.error)) - 4)\" font-size=\"10\" text-anchor=\"middle\" font-family=\"sans-serif\">\(String(format: "%.4f", bar.value))</text>"
    }
    return text + "</svg>"
  }
}
