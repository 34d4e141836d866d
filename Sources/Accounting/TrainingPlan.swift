import Foundation
import HatcheryCore

/// A device a training run can be planned on: its peak dense FLOP/s by precision (without
/// sparsity), the power it is charged at (board power), and its embodied footprint.
public struct PlanHardware: Sendable {
  public let name: String
  public let peakFLOPS: [String: Double]
  public let watts: Double
  public let embodied: EmbodiedModel?
  public let source: String

  public init(name: String, peakFLOPS: [String: Double], watts: Double, embodied: EmbodiedModel? = nil, source: String)
  {
    self.name = name
    self.peakFLOPS = peakFLOPS
    self.watts = watts
    self.embodied = embodied
    self.source = source
  }

  /// Common accelerators, from their vendors' datasheets (dense figures; "with sparsity" halved),
  /// and two server CPUs, whose peak is cores × base clock × FLOPs per cycle per core (their
  /// vendors' core counts, clocks and TDP; FLOPs per cycle of the vector units).
  public static let table: [PlanHardware] = [
    PlanHardware(
      name: "v100", peakFLOPS: ["fp16": 125e12, "fp32": 15.7e12], watts: 300,
      source: "NVIDIA V100 SXM2 datasheet: 125 TFLOP/s tensor, 15.7 TFLOP/s FP32, 300 W"),
    PlanHardware(
      name: "a100", peakFLOPS: ["bf16": 312e12, "fp16": 312e12, "tf32": 156e12, "fp32": 19.5e12], watts: 400,
      embodied: .bloomA100Server, source: "NVIDIA A100 SXM4 datasheet: 312 TFLOP/s BF16 dense, 400 W"),
    PlanHardware(
      name: "h100", peakFLOPS: ["fp8": 1979e12, "bf16": 989e12, "fp16": 989e12, "tf32": 495e12, "fp32": 67e12],
      watts: 700,
      source: "NVIDIA H100 SXM5 datasheet: 989 TFLOP/s BF16 dense (1,979 with sparsity), 700 W"),
    PlanHardware(
      name: "h200", peakFLOPS: ["fp8": 1979e12, "bf16": 989e12, "fp16": 989e12, "tf32": 495e12, "fp32": 67e12],
      watts: 700,
      source: "NVIDIA H200 SXM datasheet: H100's compute, 700 W"),
    PlanHardware(
      name: "b200", peakFLOPS: ["fp8": 4500e12, "bf16": 2250e12, "fp16": 2250e12, "tf32": 1100e12, "fp32": 75e12],
      watts: 1000,
      source: "NVIDIA HGX B200 datasheet: 2.25 PFLOP/s BF16 dense, 1,000 W"),
    PlanHardware(
      name: "l4", peakFLOPS: ["fp8": 242e12, "bf16": 121e12, "fp16": 121e12, "fp32": 30.3e12], watts: 72,
      source: "NVIDIA L4 datasheet: 121 TFLOP/s BF16 dense, 72 W"),
    PlanHardware(
      name: "mi250x", peakFLOPS: ["bf16": 383e12, "fp16": 383e12, "fp32": 47.9e12], watts: 560,
      source: "AMD Instinct MI250X datasheet: 383 TFLOP/s BF16, 560 W"),
    PlanHardware(
      name: "mi300x", peakFLOPS: ["fp8": 2615e12, "bf16": 1307e12, "fp16": 1307e12, "fp32": 163e12], watts: 750,
      source: "AMD Instinct MI300X datasheet: 1,307 TFLOP/s BF16 dense, 750 W"),
    PlanHardware(
      name: "epyc-9654", peakFLOPS: ["fp32": 96 * 2.4e9 * 32, "bf16": 96 * 2.4e9 * 64], watts: 360,
      source:
        "AMD EPYC 9654: 96 cores, 2.4 GHz base, 360 W TDP; Zen 4: 2 × 256-bit FMA = 32 FP32 FLOPs per cycle (AVX512_BF16 doubles it)"
    ),
    PlanHardware(
      name: "xeon-8480", peakFLOPS: ["fp32": 56 * 2.0e9 * 64, "bf16": 56 * 2.0e9 * 1024], watts: 350,
      source:
        "Intel Xeon Platinum 8480+: 56 cores, 2.0 GHz base, 350 W TDP; 2 × 512-bit FMA = 64 FP32 FLOPs per cycle, AMX 1,024 BF16 FLOPs per cycle"
    ),
  ]

  public static func named(_ name: String) -> PlanHardware? { table.first { $0.name == name.lowercased() } }
}

/// `hatchery plan`'s arithmetic: training FLOPs (6ND plus attention), wall time and device-hours
/// at an expected model-FLOPs utilisation, energy (device-hours × device watts × PUE, plus any
/// energy given apart, such as a cluster's idle draw), operational and embodied CO2e. Every
/// assumption is listed with the result.
public struct TrainingPlan: Sendable {
  public struct Input: Sendable {
    /// Total training FLOPs; nil when `deviceHours` is given instead (a paper's own figure).
    public var flops: Double?
    public var deviceHours: Double?
    public var devices: Int
    public var peakFLOPS: Double
    public var deviceWatts: Double
    /// Expected model-FLOPs utilisation and the range it may fall in.
    public var mfu: Double
    public var mfuRange: ClosedRange<Double>
    public var pue: Double
    public var gramsPerKWh: Double
    /// Energy charged besides the devices' (kWh, before PUE): idle nodes, hosts.
    public var extraKWh: Double
    public var embodied: EmbodiedModel?
    /// The embodied model's units one device holds (1 for an accelerator, the vCPUs for a VM).
    public var embodiedUnitsPerDevice: Double

    public init(
      flops: Double?, deviceHours: Double? = nil, devices: Int, peakFLOPS: Double, deviceWatts: Double, mfu: Double,
      mfuRange: ClosedRange<Double>? = nil, pue: Double = 1, gramsPerKWh: Double, extraKWh: Double = 0,
      embodied: EmbodiedModel? = nil,
      embodiedUnitsPerDevice: Double = 1
    ) {
      self.flops = flops
      self.deviceHours = deviceHours
      self.devices = devices
      self.peakFLOPS = peakFLOPS
      self.deviceWatts = deviceWatts
      self.mfu = mfu
      self.mfuRange = mfuRange ?? mfu...mfu
      self.pue = pue
      self.gramsPerKWh = gramsPerKWh
      self.extraKWh = extraKWh
      self.embodied = embodied
      self.embodiedUnitsPerDevice = embodiedUnitsPerDevice
    }
  }

  public let input: Input
  public let deviceHours: Double
  /// Device-hours at the ends of the MFU range (high MFU, low MFU); equal when hours were given.
  public let deviceHoursRange: ClosedRange<Double>
  public let wallSeconds: Double
  /// Facility energy: (device-hours × watts + extra) × PUE.
  public let kWh: Double
  public let operationalKg: Double
  public let embodiedKg: Double?

  /// The default MFU and its range for a plan from parameters and tokens: the span of the
  /// utilisation that the published runs of `Tests/AccountingTests` imply (GPT-3 on V100 ≈ 0.20
  /// … Llama 2 on A100 ≈ 0.47).
  public static let typicalMFU = 0.35
  public static let typicalMFURange = 0.18...0.5

  /// Training FLOPs per token of a decoder-only transformer: 6 per parameter plus attention's
  /// 12 · layers · context · width (Kaplan et al. 2020; PaLM's MFU), the embedded trainer's
  /// count too (GPTConfig.flopsPerToken).
  public static func flopsPerToken(parameters: Double, layers: Int = 0, context: Int = 0, width: Int = 0) -> Double {
    6 * parameters + 12 * Double(layers) * Double(context) * Double(width)
  }

  public init(_ input: Input) throws {
    guard input.devices >= 1 else { throw AccountingError.invalidOption("--devices must be at least 1") }
    guard input.mfu > 0, input.mfu <= 1, input.mfuRange.lowerBound > 0, input.mfuRange.upperBound <= 1 else {
      throw AccountingError.invalidOption("MFU must be in (0, 1]")
    }
    guard input.pue >= 1 else { throw AccountingError.invalidOption("--pue must be at least 1") }
    self.input = input
    if let hours = input.deviceHours {
      deviceHours = hours
      deviceHoursRange = hours...hours
    } else if let flops = input.flops, input.peakFLOPS > 0 {
      func hours(_ mfu: Double) -> Double { flops / (input.peakFLOPS * mfu) / 3600 }
      deviceHours = hours(input.mfu)
      deviceHoursRange = hours(input.mfuRange.upperBound)...hours(input.mfuRange.lowerBound)
    } else {
      throw AccountingError.invalidOption(
        "a plan needs either the training FLOPs (parameters and tokens) or the device-hours")
    }
    wallSeconds = deviceHours / Double(input.devices) * 3600
    kWh = (deviceHours * input.deviceWatts / 1000 + input.extraKWh) * input.pue
    operationalKg = kWh * input.gramsPerKWh / 1000
    embodiedKg = input.embodied?.kilograms(unitHours: deviceHours * input.embodiedUnitsPerDevice)
  }
}
