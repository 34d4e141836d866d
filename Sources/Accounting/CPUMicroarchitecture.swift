/// A processor family with the Cloud Carbon Footprint project's usage coefficients: watts per
/// vCPU (hardware thread) at idle and at 100% load, the SPECpower_ssj2008 averages of every
/// published server of the family divided by its threads (ccf-coefficients, output
/// `coefficients-aws-use.csv` computed from the SPECpower results of 2026-03-09). SPECpower
/// measures whole servers at the wall, so the figures include the share of fans, disks and
/// the memory the servers were tested with.
public struct CPUMicroarchitecture: Sendable, Equatable {
  public let name: String
  public let minimumWatts: Double
  public let maximumWatts: Double

  public static let epyc1 = Self(name: "EPYC 1st Gen", minimumWatts: 0.847, maximumWatts: 2.604)
  public static let epyc2 = Self(name: "EPYC 2nd Gen", minimumWatts: 0.474, maximumWatts: 1.693)
  public static let epyc3 = Self(name: "EPYC 3rd Gen", minimumWatts: 0.456, maximumWatts: 1.957)
  public static let epyc4 = Self(name: "EPYC 4th Gen", minimumWatts: 0.739, maximumWatts: 2.282)
  public static let epyc5 = Self(name: "EPYC 5th Gen", minimumWatts: 3.682, maximumWatts: 8.961)
  public static let sandyBridge = Self(name: "Sandy Bridge", minimumWatts: 2.212, maximumWatts: 8.631)
  public static let ivyBridge = Self(name: "Ivy Bridge", minimumWatts: 1.707, maximumWatts: 5.557)
  public static let haswell = Self(name: "Haswell", minimumWatts: 1.857, maximumWatts: 5.595)
  public static let broadwell = Self(name: "Broadwell", minimumWatts: 0.713, maximumWatts: 3.685)
  public static let skylake = Self(name: "Skylake", minimumWatts: 0.613, maximumWatts: 4.104)
  public static let cascadeLake = Self(name: "Cascade Lake", minimumWatts: 0.690, maximumWatts: 4.063)
  public static let coffeeLake = Self(name: "Coffee Lake", minimumWatts: 1.138, maximumWatts: 5.422)
  public static let iceLake = Self(name: "Ice Lake", minimumWatts: 0.767, maximumWatts: 3.758)
  public static let sapphireRapids = Self(name: "Sapphire Rapids", minimumWatts: 1.036, maximumWatts: 4.160)
  public static let emeraldRapids = Self(name: "Emerald Rapids", minimumWatts: 0.814, maximumWatts: 4.482)
  public static let graniteRapids = Self(name: "Granite Rapids", minimumWatts: 0.582, maximumWatts: 2.527)
  /// CCF gives every Graviton generation EPYC 2nd Gen's coefficients (no SPECpower results).
  public static let graviton = Self(
    name: "Graviton (EPYC 2nd Gen coefficients)", minimumWatts: 0.474, maximumWatts: 1.693)
  /// CCF's rule for an unknown micro-architecture: the average over the provider's — its
  /// published AWS averages, 0.74 W and 3.5 W per vCPU.
  public static let unknown = Self(
    name: "unknown micro-architecture (CCF's AWS average)", minimumWatts: 0.74, maximumWatts: 3.5)

  /// The family of the machine's processor: by vendor and family/model numbers first (a cloud
  /// VM often shows only "AMD EPYC" as its name), then by the model name's numbering.
  public static func of(_ machine: MachineProfile) -> CPUMicroarchitecture {
    if let byNumber = byNumbers(machine) { return byNumber }
    return byName(machine.cpuModel) ?? .unknown
  }

  static func byNumbers(_ machine: MachineProfile) -> CPUMicroarchitecture? {
    if machine.vendor == "arm", let part = machine.armPart {
      // Neoverse N1 (Graviton2), V1 (Graviton3), V2 (Graviton4).
      return [0xd0c, 0xd40, 0xd4f].contains(part) ? .graviton : nil
    }
    guard let family = machine.cpuFamily, let model = machine.cpuModelNumber else { return nil }
    switch (machine.vendor, family) {
    case ("AuthenticAMD", 0x17): return model < 0x30 ? .epyc1 : .epyc2  // Zen/Zen+, then Zen 2
    // Zen 3 (Milan 0x01, client 0x20–0x5F), Zen 4 (Genoa 0x11, Bergamo 0xA0, client 0x60–0x7F).
    case ("AuthenticAMD", 0x19):
      return (0x10...0x1F).contains(model) || (0x60...0xAF).contains(model) ? .epyc4 : .epyc3
    case ("AuthenticAMD", 0x1A): return .epyc5  // Zen 5 (Turin)
    case ("GenuineIntel", 6):
      switch model {
      case 42, 45: return .sandyBridge
      case 58, 62: return .ivyBridge
      case 60, 63, 69, 70: return .haswell
      case 61, 71, 79, 86: return .broadwell
      // Skylake-SP steppings 0–4, Cascade/Cooper Lake 5+.
      case 85: return (machine.stepping ?? 0) >= 5 ? .cascadeLake : .skylake
      case 78, 94: return .skylake
      case 142, 158: return .coffeeLake
      case 106, 108: return .iceLake
      case 143: return .sapphireRapids
      case 207: return .emeraldRapids
      case 173, 174: return .graniteRapids
      default: return nil
      }
    default: return nil
    }
  }

  /// From the model name's numbering: EPYC 7xx1/7xx2/7xx3 (Naples, Rome, Milan), 9xx4/8xx4/4xx4
  /// (Genoa, Siena), 9xx5/4xx5 (Turin); Xeon Scalable Platinum/Gold/Silver/Bronze n1nn … n5nn;
  /// Xeon E5 v2/v3/v4.
  static func byName(_ name: String) -> CPUMicroarchitecture? {
    let words = name.split(separator: " ").map(String.init)
    for (index, word) in words.enumerated() {
      let next = index + 1 < words.count ? words[index + 1] : ""
      let digits = Array(next.prefix { $0.isNumber || $0.isLetter }.utf8)
      if word == "EPYC", digits.count >= 4, digits.prefix(4).allSatisfy({ $0 >= 48 && $0 <= 57 || $0 >= 65 }) {
        let first = digits[0]
        let last = digits[3]
        switch (first, last) {
        case (UInt8(ascii: "7"), UInt8(ascii: "1")): return .epyc1
        case (UInt8(ascii: "7"), UInt8(ascii: "2")): return .epyc2
        case (UInt8(ascii: "7"), UInt8(ascii: "3")): return .epyc3
        case (_, UInt8(ascii: "4")): return .epyc4
        case (_, UInt8(ascii: "5")): return .epyc5
        default: continue
        }
      }
      if ["Platinum", "Gold", "Silver", "Bronze"].contains(word), digits.count >= 4 {
        switch digits[1] {
        case UInt8(ascii: "1"): return .skylake
        case UInt8(ascii: "2"): return .cascadeLake
        case UInt8(ascii: "3"): return .iceLake
        case UInt8(ascii: "4"): return .sapphireRapids
        case UInt8(ascii: "5"): return .emeraldRapids
        default: continue
        }
      }
      if word.hasPrefix("E5-") {
        switch next {
        case "v2": return .ivyBridge
        case "v3": return .haswell
        case "v4": return .broadwell
        default: return .sandyBridge
        }
      }
    }
    return nil
  }
}
