/// The methods of a table's energy figures as a short label per row and each whole
/// explanation once, as numbered notes under the table.
public struct EnergyMethodNotes: Sendable {
  public private(set) var methods: [String] = []

  public init() {}

  /// The short label of `method` with its note's number: "estimated: CCF per-vCPU [1]".
  public mutating func mark(_ method: String?) -> String {
    guard let method, !method.isEmpty else { return "—" }
    let number: Int
    if let index = methods.firstIndex(of: method) {
      number = index + 1
    } else {
      methods.append(method)
      number = methods.count
    }
    return "\(Self.label(method)) [\(number)]"
  }

  /// "[1] …" for every method marked, in order.
  public var notes: [String] { methods.enumerated().map { "[\($0.offset + 1)] \($0.element)" } }

  /// A few words for a method string EnergyMonitor wrote (today's or an older release's).
  public static func label(_ method: String) -> String {
    if method.contains("measured by RAPL") { return "measured (RAPL)" }
    if method.contains("--cpu-watts") { return "estimated: --cpu-watts" }
    if method.contains("Cloud Carbon Footprint") { return "estimated: CCF per-vCPU" }
    if method.contains("TDP") || method.contains("default 85 W") { return "estimated: TDP share" }
    return "estimated"
  }
}
