import Foundation
import HatcheryCore

/// A line chart as inline SVG (no script, no external asset): one or more series of (x, y)
/// points on shared axes, with the extremes labelled and a legend.
public struct SVGChart {
  public struct Series {
    let name: String
    let color: String
    let points: [(x: Double, y: Double)]

    public init(name: String, color: String, points: [(x: Double, y: Double)]) {
      self.name = name
      self.color = color
      self.points = points
    }
  }

  let title: String
  let xLabel: String
  let yLabel: String
  let series: [Series]
  let width = 640.0
  let height = 260.0

  public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
  }

  public var svg: String {
    let all = series.flatMap(\.points)
    guard let minX = all.map(\.x).min(), let maxX = all.map(\.x).max(), let minY = all.map(\.y).min(),
      let maxY = all.map(\.y).max()
    else { return "<p>No data for \(HTMLText.escape(title)).</p>" }
    let (left, right, top, bottom) = (60.0, 20.0, 28.0, 40.0)
    let spanX = max(maxX - minX, 1e-9)
    let spanY = max(maxY - minY, 1e-9)
    func x(_ value: Double) -> Double { left + (value - minX) / spanX * (width - left - right) }
    func y(_ value: Double) -> Double { height - bottom - (value - minY) / spanY * (height - top - bottom) }
    func number(_ value: Double) -> String { String(format: abs(value) >= 100 ? "%.0f" : "%.3g", value) }
    var text = SVGFrame.open(
      title: title, yLabel: yLabel, width: width, height: height, margins: (left, right, top, bottom))
    text +=
      "<text x=\"\((width - right + left) / 2)\" y=\"\(height - 8)\" font-size=\"11\" text-anchor=\"middle\" font-family=\"sans-serif\">\(HTMLText.escape(xLabel))</text>"
    for (value, anchor) in [(minY, "end"), (maxY, "end")] {
      text +=
        "<text x=\"\(left - 4)\" y=\"\(y(value) + 4)\" font-size=\"10\" text-anchor=\"\(anchor)\" font-family=\"sans-serif\">\(number(value))</text>"
    }
    for value in [minX, maxX] {
      text +=
        "<text x=\"\(x(value))\" y=\"\(height - bottom + 14)\" font-size=\"10\" text-anchor=\"middle\" font-family=\"sans-serif\">\(number(value))</text>"
    }
    for (index, line) in series.enumerated() where !line.points.isEmpty {
      let points = line.points.map { String(format: "%.1f,%.1f", x($0.x), y($0.y)) }.joined(separator: " ")
      text += "<polyline fill=\"none\" stroke=\"\(line.color)\" stroke-width=\"1.6\" points=\"\(points)\"/>"
      if line.points.count == 1 {
        text += "<circle cx=\"\(x(line.points[0].x))\" cy=\"\(y(line.points[0].y))\" r=\"3\" fill=\"\(line.color)\"/>"
      }
      let legendY = top + 4 + Double(index) * 14
      text +=
        "<line x1=\"\(width - right - 130)\" y1=\"\(legendY)\" x2=\"\(width - right - 112)\" y2=\"\(legendY)\" stroke=\"\(line.color)\" stroke-width=\"2\"/>"
      text +=
        "<text x=\"\(width - right - 108)\" y=\"\(legendY + 4)\" font-size=\"11\" font-family=\"sans-serif\">\(HTMLText.escape(line.name))</text>"
    }
    return text + "</svg>"
  }
}

/// What both charts draw first: the `svg` element with its title, a white background, the two
/// axes, the title line and the rotated y label. The caller closes the element.
enum SVGFrame {
  static func open(
    title: String, yLabel: String, width: Double, height: Double,
    margins: (left: Double, right: Double, top: Double, bottom: Double)
  ) -> String {
    let (left, right, top, bottom) = margins
    var text =
      "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\">"
    text += "<title>\(HTMLText.escape(title))</title>"
    text += "<rect x=\"0\" y=\"0\" width=\"\(Int(width))\" height=\"\(Int(height))\" fill=\"#ffffff\"/>"
    text +=
      "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - right)\" y2=\"\(height - bottom)\" stroke=\"#444\"/>"
    text += "<line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(height - bottom)\" stroke=\"#444\"/>"
    text += "<text x=\"\(left)\" y=\"18\" font-size=\"13\" font-family=\"sans-serif\">\(HTMLText.escape(title))</text>"
    text +=
      "<text x=\"14\" y=\"\((height - bottom + top) / 2)\" font-size=\"11\" text-anchor=\"middle\" font-family=\"sans-serif\" transform=\"rotate(-90 14 \((height - bottom + top) / 2))\">\(HTMLText.escape(yLabel))</text>"
    return text
  }
}
