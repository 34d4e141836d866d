import Accounting
import XCTest

/// `hatchery plan`'s arithmetic against published training footprints: from each paper's own
/// inputs (device-hours, device power, PUE, grid intensity) it reproduces the paper's energy and
/// emissions within 5%; from parameters, tokens and the typical MFU range its device-hour range
/// holds the paper's device-hours.
final class PublishedFootprintTests: XCTestCase {
  private func plan(
    hours: Double, watts: Double, pue: Double = 1, grams: Double, extraKWh: Double = 0, embodied: EmbodiedModel? = nil
  ) throws -> TrainingPlan {
    try TrainingPlan(
      .init(
        flops: nil, deviceHours: hours, devices: 1, peakFLOPS: 0, deviceWatts: watts, mfu: 0.4, pue: pue,
        gramsPerKWh: grams,
        extraKWh: extraKWh, embodied: embodied))
  }

  private func assertWithin5Percent(
    _ value: Double, _ published: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line
  ) {
    XCTAssertEqual(
      value / published, 1, accuracy: 0.05, "\(what): \(value) against the published \(published)", file: file,
      line: line)
  }

  /// Patterson et al. 2021, "Carbon Emissions and Large Neural Network Training", Table 4, GPT-3:
  /// 10,000 V100 for 14.8 days (3,552,000 processor-hours), 330 W average system power per
  /// processor, PUE 1.10, 429 g CO2e/kWh → 1,287 MWh and 552 t CO2e.
  func testGPT3() throws {
    let gpt3 = try plan(hours: 10_000 * 14.8 * 24, watts: 330, pue: 1.10, grams: 429)
    assertWithin5Percent(gpt3.kWh, 1_287_000, "GPT-3 energy")
    assertWithin5Percent(gpt3.operationalKg, 552_000, "GPT-3 emissions")
  }

  /// Luccioni, Viguier & Ligozat 2022, "Estimating the Carbon Footprint of BLOOM", §4: 1,082,990
  /// A100-hours at the A100's 400 W → 433,196 kWh, at France's 57 g/kWh 24.7 t (dynamic); with
  /// the cluster's idle draw (256,646 kWh, 14.6 t) and the embodied share of servers (2,500 kg
  /// each, 8 GPUs) and GPUs (150 kg each) over 6 years at 85% use (11.2 t), 50.5 t.
  func testBLOOM() throws {
    let dynamic = try plan(hours: 1_082_990, watts: 400, grams: 57)
    assertWithin5Percent(dynamic.kWh, 433_196, "BLOOM dynamic energy")
    assertWithin5Percent(dynamic.operationalKg, 24_700, "BLOOM dynamic emissions")
    let whole = try plan(hours: 1_082_990, watts: 400, grams: 57, extraKWh: 256_646, embodied: .bloomA100Server)
    assertWithin5Percent(try XCTUnwrap(whole.embodiedKg), 11_200, "BLOOM embodied")
    assertWithin5Percent(whole.operationalKg + whole.embodiedKg!, 50_500, "BLOOM with idle and embodied")
  }

  /// Touvron et al. 2023, "Llama 2", Table 2: A100-80GB hours and power per model, 539 t in all.
  /// The paper gives no grid intensity; its four rows share one factor, 0.4235 kg/kWh (power
  /// already includes the data centre's PUE, as its caption says).
  func testLlama2() throws {
    let rows: [(name: String, hours: Double, watts: Double, tonnes: Double)] = [
      ("7B", 184_320, 400, 31.22), ("13B", 368_640, 400, 62.44), ("34B", 1_038_336, 350, 153.90),
      ("70B", 1_720_320, 400, 291.42),
    ]
    var total = 0.0
    for row in rows {
      let result = try plan(hours: row.hours, watts: row.watts, grams: 423.5)
      assertWithin5Percent(result.operationalKg, row.tonnes * 1000, "Llama 2 \(row.name)")
      total += result.operationalKg
    }
    XCTAssertEqual(rows.reduce(0) { $0 + $1.hours }, 3_311_616)
    assertWithin5Percent(total, 539_000, "Llama 2 in all")
  }

  /// Zhang et al. 2022, "OPT": 75 t CO2e for OPT-175B. Its energy, 324 MWh, and grid, 231 g/kWh,
  /// as Luccioni et al. 2022 tabulate them (Table 4); as device-hours at the A100's 400 W.
  func testOPT175B() throws {
    let opt = try plan(hours: 324_000 / 0.4, watts: 400, grams: 231)
    assertWithin5Percent(opt.kWh, 324_000, "OPT-175B energy")
    assertWithin5Percent(opt.operationalKg, 75_000, "OPT-175B emissions")
  }

  /// Meta's Llama 3 model card: H100-80GB hours at 700 W — 8B 1.3 M hours, 390 t; 70B 6.4 M
  /// hours, 1,900 t; 7.7 M hours and 2,290 t in all. The card gives no intensity; 0.425 kg/kWh is
  /// the total's.
  func testLlama3() throws {
    assertWithin5Percent(try plan(hours: 1.3e6, watts: 700, grams: 425).operationalKg, 390_000, "Llama 3 8B")
    assertWithin5Percent(try plan(hours: 6.4e6, watts: 700, grams: 425).operationalKg, 1_900_000, "Llama 3 70B")
    assertWithin5Percent(try plan(hours: 7.7e6, watts: 700, grams: 425).operationalKg, 2_290_000, "Llama 3 in all")
  }

  /// From parameters, tokens and shape alone (6ND plus attention), at the typical MFU range, the
  /// plan's device-hours range holds every paper's device-hours. Model shapes and token counts
  /// from each model's paper; peaks from the datasheets (PlanHardware).
  func testDeviceHoursFromParametersAndTokensHoldThePublishedOnes() throws {
    let cases:
      [(
        name: String, parameters: Double, tokens: Double, layers: Int, context: Int, width: Int, hardware: String,
        hours: Double
      )] = [
        ("GPT-3", 175e9, 300e9, 96, 2048, 12288, "v100", 3_552_000),
        ("BLOOM", 176.25e9, 366e9, 70, 2048, 14336, "a100", 1_082_990),
        ("OPT-175B", 175e9, 180e9, 96, 2048, 12288, "a100", 810_000),
        ("Llama 2 7B", 6.74e9, 2e12, 32, 4096, 4096, "a100", 184_320),
        ("Llama 2 70B", 68.98e9, 2e12, 80, 4096, 8192, "a100", 1_720_320),
        ("Llama 3 8B", 8.03e9, 15e12, 32, 8192, 4096, "h100", 1.3e6),
        ("Llama 3 70B", 70.6e9, 15e12, 80, 8192, 8192, "h100", 6.4e6),
      ]
    for item in cases {
      let hardware = try XCTUnwrap(PlanHardware.named(item.hardware))
      let precision = item.hardware == "v100" ? "fp16" : "bf16"
      let flops =
        item.tokens
        * TrainingPlan.flopsPerToken(
          parameters: item.parameters, layers: item.layers, context: item.context, width: item.width)
      let plan = try TrainingPlan(
        .init(
          flops: flops, devices: 1, peakFLOPS: try XCTUnwrap(hardware.peakFLOPS[precision]),
          deviceWatts: hardware.watts,
          mfu: TrainingPlan.typicalMFU, mfuRange: TrainingPlan.typicalMFURange, gramsPerKWh: 0))
      XCTAssertTrue(
        plan.deviceHoursRange.contains(item.hours),
        "\(item.name): \(item.hours) device-hours outside the plan's \(plan.deviceHoursRange) (implied MFU \(flops / (hardware.peakFLOPS[precision]! * item.hours * 3600)))"
      )
    }
  }

  func testAPlanNeedsFLOPsOrHours() {
    XCTAssertThrowsError(
      try TrainingPlan(.init(flops: nil, devices: 1, peakFLOPS: 1e12, deviceWatts: 1, mfu: 0.4, gramsPerKWh: 1)))
    XCTAssertThrowsError(
      try TrainingPlan(.init(flops: 1e20, devices: 0, peakFLOPS: 1e12, deviceWatts: 1, mfu: 0.4, gramsPerKWh: 1)))
    XCTAssertThrowsError(
      try TrainingPlan(.init(flops: 1e20, devices: 1, peakFLOPS: 1e12, deviceWatts: 1, mfu: 1.5, gramsPerKWh: 1)))
  }

  func testWallTimeAndEnergyArithmetic() throws {
    // 3.6e18 FLOPs at 1e12 FLOP/s × 0.5 = 7.2e6 s = 2,000 device-hours; on 4 devices 500 h.
    let plan = try TrainingPlan(
      .init(
        flops: 3.6e18, devices: 4, peakFLOPS: 1e12, deviceWatts: 250, mfu: 0.5, mfuRange: 0.25...1, pue: 1.2,
        gramsPerKWh: 100,
        embodied: EmbodiedModel(hostKilograms: 876, unitsPerHost: 1, lifetimeYears: 1, source: "test")))
    XCTAssertEqual(plan.deviceHours, 2000, accuracy: 1e-6)
    XCTAssertEqual(plan.deviceHoursRange.lowerBound, 1000, accuracy: 1e-6)
    XCTAssertEqual(plan.deviceHoursRange.upperBound, 4000, accuracy: 1e-6)
    XCTAssertEqual(plan.wallSeconds, 500 * 3600, accuracy: 1e-6)
    XCTAssertEqual(plan.kWh, 2000 * 0.25 * 1.2, accuracy: 1e-9)
    XCTAssertEqual(plan.operationalKg, 600 * 0.1, accuracy: 1e-9)
    XCTAssertEqual(try XCTUnwrap(plan.embodiedKg), 2000 * 876 / 8760, accuracy: 1e-9)
  }
}
