import HatcheryCore

/// Grid carbon intensity in g CO2e per kWh. Per-country figures for 2023 as distributed with
/// CodeCarbon 3.3.2 (data/private_infra/global_energy_mix.json, from Our World in Data's energy
/// dataset), rounded to the gram; the world average 475 g/kWh is CodeCarbon's default (IEA,
/// Global Energy & CO2 Status Report 2019). ISO 3166-1 alpha-3 codes.
public struct CarbonIntensity: Sendable, Equatable {
  public static let worldAverage = 475.0

  static let byCountry: [String: (name: String, grams: Double)] = [
    "AUS": ("Australia", 549), "BRA": ("Brazil", 98), "CAN": ("Canada", 170), "CHE": ("Switzerland", 35),
    "CHN": ("China", 582), "DEU": ("Germany", 381), "ESP": ("Spain", 174), "FIN": ("Finland", 79),
    "FRA": ("France", 56),
    "GBR": ("United Kingdom", 238), "IND": ("India", 713), "IRL": ("Ireland", 291), "ITA": ("Italy", 331),
    "JPN": ("Japan", 485), "KOR": ("South Korea", 431), "NLD": ("Netherlands", 268), "NOR": ("Norway", 30),
    "POL": ("Poland", 662), "SWE": ("Sweden", 41), "USA": ("United States", 369),
  ]

  public let gramsPerKWh: Double
  public let countryCode: String?
  public let countryName: String
  /// Where the figure came from, for the report.
  public let source: String

  /// From `--carbon-intensity` if given, else the country's figure, else the world average.
  public init(country: String?, override: Double?) throws {
    let code = country?.uppercased()
    if let code, Self.byCountry[code] == nil {
      throw AccountingError.unknownCountry(code: code, known: Self.byCountry.keys.sorted())
    }
    countryCode = code
    countryName = code.flatMap { Self.byCountry[$0]?.name } ?? "World"
    if let override {
      gramsPerKWh = override
      source = "--carbon-intensity \(override) g/kWh"
    } else if let code, let entry = Self.byCountry[code] {
      gramsPerKWh = entry.grams
      source = "\(entry.name) 2023 (Our World in Data via CodeCarbon 3.3.2)"
    } else {
      gramsPerKWh = Self.worldAverage
      source = "world average (IEA 2019, CodeCarbon's default)"
    }
  }

  /// Kilograms of CO2e for `kWh` of IT energy in a facility of `pue`.
  public func emissions(kWh: Double, pue: Double) -> Double { kWh * pue * gramsPerKWh / 1000 }
}
