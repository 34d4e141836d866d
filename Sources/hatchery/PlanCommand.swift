import Accounting
import ArgumentParser
import Foundation
import HatcheryCore
import Tokenizer
import Training

struct PlanCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "plan",
    abstract:
      "Forecast a training run before spending it: FLOPs, wall time, device-hours, energy, operational and embodied CO2e.",
    discussion: """
      From a model (--params, or --layers/--dim/--heads/--vocab/--context) and a token count (--tokens, or --steps × --batch × \
      --context), on --devices of --hardware (\(PlanHardware.table.map(\.name).joined(separator: ", ")), or `cpu`: this machine \
      running the embedded trainer, with its measured sgemm peak and the utilisation of the workspace's newest runs) at an \
      expected --mfu. A paper's own --device-hours skip the FLOPs. Every assumption is printed with the result.
      """)

  @Option(name: .customLong("params"), help: "Parameters (7e9, 7B, 124M).") var parameters: String?
  @Option(help: "Transformer blocks.") var layers: Int?
  @Option(help: "Width.") var dim: Int?
  @Option(help: "Attention heads (the embedded trainer's shape).") var heads: Int?
  @Option(help: "Vocabulary size (the embedded trainer's shape; default: the workspace's tokenizer, else 4096).")
  var vocab: Int?
  @Option(help: "Context length in tokens.") var context: Int?
  @Option(help: "Training tokens (2e12, 2T, 300B).") var tokens: String?
  @Option(help: "Steps, with --batch and --context, instead of --tokens.") var steps: Int?
  @Option(help: "Sequences per step.") var batch = 16
  @Option(help: "Device: \(PlanHardware.table.map(\.name).joined(separator: ", ")), or cpu.") var hardware = "cpu"
  @Option(help: "Devices.") var devices = 1
  @Option(help: "Precision of the peak: fp32, tf32, fp16, bf16, fp8 (default bf16; fp32 on cpu).") var precision:
    String?
  @Option(
    help:
      "Expected model-FLOPs utilisation (default: \(TrainingPlan.typicalMFU), range \(TrainingPlan.typicalMFURange.lowerBound)–\(TrainingPlan.typicalMFURange.upperBound); on cpu the workspace's newest runs)."
  )
  var mfu: Double?
  @Option(help: "Device-hours as published, instead of computing them from FLOPs.") var deviceHours: String?
  @Option(help: "Watts per device instead of the table's.") var deviceWatts: Double?
  @Option(name: .customLong("extra-kwh"), help: "Energy besides the devices' in kWh (idle nodes, hosts), before PUE.")
  var extraKWh = 0.0
  @Option(help: "Power usage effectiveness.") var pue = 1.0
  @Option(help: "Grid country, ISO 3166-1 alpha-3; default: the world average.") var country: String?
  @Option(help: "Grid carbon intensity in g CO2e/kWh, instead of the country's.") var carbonIntensity: Double?
  @Flag(help: "Add the hardware's embodied emissions.") var embodied = false
  @Option(help: "Threads of the embedded trainer (cpu; default: every core, as `train`).") var threads = ProcessInfo
    .processInfo.activeProcessorCount
  @Option(name: [.short, .long], help: "Workspace whose training runs give the utilisation (cpu).") var workspace:
    String?
  @Option(help: "text or json.") var format = "text"

  func validate() throws {
    try asUsageError {
      guard ["text", "json"].contains(format) else { throw HatcheryError("--format must be text or json") }
      guard devices >= 1 else { throw HatcheryError("--devices must be at least 1") }
      guard pue >= 1 else { throw HatcheryError("--pue must be at least 1") }
      if let mfu { guard mfu > 0, mfu <= 1 else { throw HatcheryError("--mfu must be in (0, 1]") } }
      guard hardware == "cpu" || PlanHardware.named(hardware) != nil else {
        throw HatcheryError(
          "unknown --hardware \(hardware); known: \(PlanHardware.table.map(\.name).joined(separator: ", ")), cpu")
      }
      _ = try CarbonIntensity(country: country, override: carbonIntensity)
      _ = try parameters.map { try Self.count($0, "--params") }
      _ = try tokens.map { try Self.count($0, "--tokens") }
      _ = try deviceHours.map { try Self.count($0, "--device-hours") }
    }
  }

  /// 7e9, 7B, 124M, 2T, 1.5k: a count with an optional SI suffix.
  static func count(_ text: String, _ option: String) throws -> Double {
    let scales: [Character: Double] = [
      "k": 1e3, "K": 1e3, "m": 1e6, "M": 1e6, "b": 1e9, "B": 1e9, "g": 1e9, "G": 1e9, "t": 1e12, "T": 1e12,
    ]
    let trimmed = text.replacingOccurrences(of: ",", with: "").replacingOccurrences(of: "_", with: "")
    var value: Double?
    if let last = trimmed.last, let scale = scales[last] {
      value = Double(trimmed.dropLast()).map { $0 * scale }
    } else {
      value = Double(trimmed)
    }
    guard let value, value > 0, value.isFinite else {
      throw HatcheryError("\(option) \(text) is not a positive count (e.g. 7e9, 7B, 124M)")
    }
    return value
  }

  func run() throws {
    let carbon = try CarbonIntensity(country: country, override: carbonIntensity)
    var assumptions: [String] = []
    var plan: TrainingPlan
    var parameterCount: Double?
    var flopsPerToken: Double?
    var tokenCount: Double?
    let hardwareLine: String

    if hardware == "cpu" {
      let store = try workspace.map { try Workspace.open(at: $0).openStoreForReading() }
      let vocabulary =
        vocab ?? workspace.flatMap { path in
          try? TokenizerFile.load(path: Workspace.open(at: path).absolute(TokenizerStage.jsonPath)).vocabularySize
        } ?? 4096
      let defaults = TrainOptions()
      let config = GPTConfig(
        vocabularySize: vocabulary, context: context ?? defaults.context, layers: layers ?? defaults.layers,
        heads: heads ?? defaults.heads,
        channels: dim ?? defaults.channels)
      try config.validate()
      guard parameters == nil else {
        throw HatcheryError(
          "--params: on cpu the model is the embedded trainer's; give --layers/--dim/--heads/--vocab/--context")
      }
      let count =
        try tokens.map { try Self.count($0, "--tokens") } ?? Double((steps ?? defaults.steps) * batch * config.context)
      let recent = try store?.recentTrainingUtilisations(limit: TrainerForecast.recentRuns) ?? []
      let forecast = try TrainerForecast.forecast(
        config: config, tokens: Int(count), threads: threads, recentUtilisations: recent, utilisation: mfu,
        cpuWatts: deviceWatts, pue: pue,
        gramsPerKWh: carbon.gramsPerKWh, embodied: embodied)
      plan = forecast.plan
      parameterCount = Double(forecast.parameters)
      flopsPerToken = forecast.flopsPerToken
      tokenCount = count
      hardwareLine = String(
        format: "this machine's CPU, %d thread(s), sgemm peak %.1f GFLOP/s (measured, cached)", threads,
        plan.input.peakFLOPS / 1e9)
      assumptions.append(
        "model: the embedded trainer's GPT, \(config.layers) layers, width \(config.channels), \(config.heads) heads, vocabulary \(config.vocabularySize), context \(config.context)"
      )
      assumptions.append("utilisation: " + forecast.utilisationSource)
      assumptions.append("power: " + forecast.powerSource + "; memory not counted")
      assumptions.append(
        "wall time is the training loop's, evaluation and checkpoints included as far as the earlier runs had them")
    } else {
      let device = PlanHardware.named(hardware)!
      let precision = self.precision ?? "bf16"
      guard let peak = device.peakFLOPS[precision] else {
        throw HatcheryError(
          "--precision \(precision): \(device.name) lists \(device.peakFLOPS.keys.sorted().joined(separator: ", "))")
      }
      var flops: Double?
      if let given = deviceHours {
        assumptions.append("device-hours as given: \(given)")
      } else {
        let count = try Self.count(
          try tokens ?? { throw HatcheryError("give --tokens (or --device-hours)") }(), "--tokens")
        let shape = (layers: layers ?? 0, context: context ?? 0, width: dim ?? 0)
        let params: Double
        if let text = parameters {
          params = try Self.count(text, "--params")
        } else if let layers, let dim {
          // 12 · layers · width² for the blocks, plus the embeddings.
          params = 12 * Double(layers) * Double(dim) * Double(dim) + Double(vocab ?? 0) * Double(dim)
          assumptions.append("parameters from the shape: 12 · layers · width² + vocabulary · width")
        } else {
          throw HatcheryError("give --params, or --layers and --dim")
        }
        let perToken = TrainingPlan.flopsPerToken(
          parameters: params, layers: shape.layers, context: shape.context, width: shape.width)
        if shape.layers == 0 || shape.context == 0 || shape.width == 0 {
          assumptions.append("attention FLOPs not counted: give --layers, --context and --dim for them")
        }
        flops = count * perToken
        parameterCount = params
        flopsPerToken = perToken
        tokenCount = count
      }
      let expected = mfu ?? TrainingPlan.typicalMFU
      plan = try TrainingPlan(
        .init(
          flops: flops, deviceHours: try deviceHours.map { try Self.count($0, "--device-hours") }, devices: devices,
          peakFLOPS: peak,
          deviceWatts: deviceWatts ?? device.watts, mfu: expected,
          mfuRange: mfu == nil ? TrainingPlan.typicalMFURange : nil, pue: pue,
          gramsPerKWh: carbon.gramsPerKWh, extraKWh: extraKWh,
          embodied: embodied ? (device.embodied ?? .bloomA100Server) : nil))
      hardwareLine = String(
        format: "%d × %@ (%@ %.0f TFLOP/s dense, %.0f W)", devices, device.name, precision, peak / 1e12,
        deviceWatts ?? device.watts)
      assumptions.append("device: " + device.source + (deviceWatts.map { "; --device-watts \($0) W" } ?? ""))
      if flops != nil {
        assumptions.append(
          mfu.map { "MFU \($0) as given" }
            ?? "MFU \(TrainingPlan.typicalMFU), range \(TrainingPlan.typicalMFURange.lowerBound)–\(TrainingPlan.typicalMFURange.upperBound): the span published runs imply (GPT-3 on V100 ≈ 0.20 … Llama 2 on A100 ≈ 0.47)"
        )
      }
      if embodied, device.embodied == nil {
        assumptions.append("embodied: \(device.name) has no published figure; the A100 server's of BLOOM is used")
      }
    }
    assumptions.append("grid: \(Int(carbon.gramsPerKWh.rounded())) g CO2e/kWh, \(carbon.source); PUE \(pue)")
    if extraKWh > 0 { assumptions.append(String(format: "extra energy %.0f kWh besides the devices'", extraKWh)) }
    if let model = plan.input.embodied { assumptions.append("embodied: " + model.source) }

    let report = TrainingPlanReport(
      plan: plan, hardware: hardware, hardwareLine: hardwareLine, parameters: parameterCount, tokens: tokenCount,
      flopsPerToken: flopsPerToken, assumptions: assumptions)
    print(format == "json" ? report.json : report.text)
  }
}
