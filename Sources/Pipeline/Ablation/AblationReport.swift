import Foundation
import HatcheryCore
import Reporting
import Training

/// The comparison an ablation ends with, written to `FOLDER/ablation.md` (tables),
/// `ablation.json` (every figure and run) and `ablation.html` (the tables, a bar chart of bits per
/// byte with ± one standard deviation over the seeds, and each variant's mean training and
/// held-out curves). Every variant is compared with the first (the baseline) by Welch's t-test.
enum AblationReport {
  /// Below this two-sided p-value a difference is reported as beyond the seeds' spread.
  static let significance = 0.05

  struct Summary {
    var variant: String
    var runs: [AblationRunner.Run]
    /// Mean and deviation of bits per byte over the seeds: by set, and over all sets.
    var sets: [String: (mean: Double, deviation: Double)]
    var total: (mean: Double, deviation: Double)
    /// Against the baseline (nil for the baseline, or with fewer than two seeds).
    var versusBaseline: [String: AblationStatistics.Welch]
    var totalVersusBaseline: AblationStatistics.Welch?
  }

  static func summaries(_ results: AblationRunner.Results) -> [Summary] {
    let setNames = results.file.evalSets.map(\.name)
    var summaries: [Summary] = []
    for variant in results.file.variants {
      let runs = results.runs.filter { $0.variant == variant.name }
      var sets: [String: (Double, Double)] = [:]
      for name in setNames { sets[name] = AblationStatistics.summary(runs.compactMap { $0.bitsPerByte[name] }) }
      summaries.append(
        Summary(
          variant: variant.name, runs: runs, sets: sets,
          total: AblationStatistics.summary(runs.map(\.totalBitsPerByte)), versusBaseline: [:],
          totalVersusBaseline: nil))
    }
    guard let baseline = summaries.first else { return summaries }
    for index in summaries.indices.dropFirst() {
      for name in setNames {
        summaries[index].versusBaseline[name] = AblationStatistics.welch(
          summaries[index].runs.compactMap { $0.bitsPerByte[name] }, baseline.runs.compactMap { $0.bitsPerByte[name] })
      }
      summaries[index].totalVersusBaseline = AblationStatistics.welch(
        summaries[index].runs.map(\.totalBitsPerByte), baseline.runs.map(\.totalBitsPerByte))
    }
    return summaries
  }

  /// A sentence on one comparison: lower bits per byte is better.
  static func verdict(_ test: AblationStatistics.Welch?, baseline: String) -> String {
    guard let test else { return "—" }
    let p = test.p < 0.001 ? "p < 0.001" : String(format: "p = %.3f", test.p)
    guard test.p < significance else { return "no difference beyond the seeds' spread (\(p))" }
    return (test.difference > 0 ? "worse than \(baseline)" : "better than \(baseline)") + " (\(p))"
  }

  static func markdown(_ results: AblationRunner.Results) -> String {
    let summaries = summaries(results)
    let baseline = summaries.first?.variant ?? ""
    let file = results.file
    var text = "# Ablation \(file.name)\n\n"
    text +=
      "Base pipeline `\(file.basePath)`; \(file.seeds) seed(s) per variant; the same model and token budget for every run "
      + "(`hatchery train \(AblationRunner.trainArguments(file).joined(separator: " "))`); bits per byte on "
      + file.evalSets.map { "`\($0.name)` (\($0.path))" }.joined(separator: ", ")
      + (file.evalBytes.map { ", the first \($0) bytes of each" } ?? "")
      + ". Lower is better; ± is the standard deviation over the seeds; "
      + "each variant is compared with \(baseline) by Welch's t-test (two-sided).\n\n"
    let setNames = file.evalSets.map(\.name)
    text +=
      "| variant | " + setNames.map { "\($0) bits/byte" }.joined(separator: " | ")
      + " | all sets | Δ vs \(baseline) | verdict |\n"
    text += "|" + String(repeating: " --- |", count: setNames.count + 4) + "\n"
    for summary in summaries {
      let cells = setNames.map { name in summary.sets[name].map { format($0) } ?? "—" }
      let difference =
        summary.totalVersusBaseline.map {
          String(format: "%+.4f (t = %.2f, df = %.1f)", $0.difference, $0.t, $0.degreesOfFreedom)
        } ?? "—"
      text +=
        "| \(summary.variant) | " + cells.joined(separator: " | ") + " | \(format(summary.total)) | \(difference) | "
        + verdict(summary.totalVersusBaseline, baseline: baseline) + " |\n"
    }
    text +=
      "\n| variant | runs | tokens per run | seconds per run | energy, all runs (kWh) | CO2e, all runs (g) | training documents | "
      + "evaluation \(file.ngram)-grams in the training text | evaluation documents sharing one |\n"
    text += "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n"
    for summary in summaries {
      let check = results.contamination.first { $0.variant == summary.variant }
      let seconds = AblationStatistics.summary(summary.runs.map(\.seconds))
      text +=
        "| \(summary.variant) | \(summary.runs.count) | \(summary.runs.first?.tokens ?? 0) | "
        + String(format: "%.1f ± %.1f", seconds.mean, seconds.deviation) + " | "
        + String(format: "%.6f", summary.runs.reduce(0) { $0 + $1.kWh }) + " | "
        + String(format: "%.3f", 1000 * summary.runs.reduce(0) { $0 + $1.emissionsKg }) + " | "
        + "\(check?.trainingDocuments ?? 0) | "
        + (check.map {
          String(format: "%.2f%% (%d of %d)", 100 * $0.sharedFraction, $0.sharedNGrams, $0.evaluationNGrams)
        } ?? "—")
        + " | \(check.map { "\($0.dirty) of \($0.evaluationDocuments)" } ?? "—") |\n"
    }
    text +=
      "\nEvery run: "
      + results.runs.map { "\($0.variant) seed \($0.seed) \(String(format: "%.4f", $0.totalBitsPerByte))" }.joined(
        separator: "; ")
      + String(format: ". The ablation took %.1f s.\n", results.seconds)
    return text
  }

  static func format(_ value: (mean: Double, deviation: Double)) -> String {
    String(format: "%.4f ± %.4f", value.mean, value.deviation)
  }

  static func json(_ results: AblationRunner.Results) -> JSONObject {
    let summaries = summaries(results)
    func number(_ value: Double) -> JSONValue { value.isFinite ? .number(String(format: "%.6f", value)) : .null }
    func welch(_ test: AblationStatistics.Welch?) -> JSONValue {
      guard let test else { return .null }
      return .object(
        JSONObject([
          ("difference", number(test.difference)), ("t", number(test.t)), ("df", number(test.degreesOfFreedom)),
          ("p", number(test.p)),
        ]))
    }
    return JSONObject([
      ("name", .string(results.file.name)), ("pipeline", .string(results.file.basePath)),
      ("seeds", .int(results.file.seeds)),
      ("train", .array(AblationRunner.trainArguments(results.file).map { .string($0) })),
      ("eval", .object(JSONObject(results.file.evalSets.map { ($0.name, .string($0.path)) }))),
      ("seconds", number(results.seconds)),
      (
        "variants",
        .array(
          summaries.map { summary in
            .object(
              JSONObject([
                ("name", .string(summary.variant)),
                (
                  "bits_per_byte",
                  .object(
                    JSONObject(
                      summary.sets.keys.sorted().map { name in
                        (
                          name,
                          .object(
                            JSONObject([
                              ("mean", number(summary.sets[name]!.mean)), ("sd", number(summary.sets[name]!.deviation)),
                            ]))
                        )
                      }))
                ),
                (
                  "all_sets",
                  .object(JSONObject([("mean", number(summary.total.mean)), ("sd", number(summary.total.deviation))]))
                ),
                ("versus_baseline", welch(summary.totalVersusBaseline)),
                (
                  "runs",
                  .array(
                    summary.runs.map { run in
                      .object(
                        JSONObject([
                          ("seed", .int(Int(run.seed))), ("bits_per_byte", number(run.totalBitsPerByte)),
                          (
                            "sets",
                            .object(
                              JSONObject(run.bitsPerByte.keys.sorted().map { ($0, number(run.bitsPerByte[$0]!)) }))
                          ),
                          ("tokens", .int(run.tokens)), ("seconds", number(run.seconds)), ("kwh", number(run.kWh)),
                          ("emissions_kg", number(run.emissionsKg)),
                          ("run", .string(run.runDirectory)),
                        ]))
                    })
                ),
              ]))
          })
      ),
      (
        "contamination",
        .array(
          results.contamination.map { check in
            .object(
              JSONObject([
                ("variant", .string(check.variant)), ("training_documents", .int(check.trainingDocuments)),
                ("evaluation_documents", .int(check.evaluationDocuments)),
                ("copies", .array(check.copies.map { .string($0) })),
                ("dirty", .int(check.dirty)), ("ngram", .int(results.file.ngram)),
                ("evaluation_ngrams", .int(check.evaluationNGrams)),
                ("shared_ngrams", .int(check.sharedNGrams)),
              ]))
          })
      ),
    ])
  }

  static func html(_ results: AblationRunner.Results) -> String {
    let summaries = summaries(results)
    let palette = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
    var body = "<h1>Ablation \(HTMLText.escape(results.file.name))</h1>"
    body +=
      "<figure>"
      + SVGBarChart(
        title: "Held-out bits per byte (mean ± sd over \(results.file.seeds) seeds; lower is better)",
        yLabel: "bits per byte",
        bars: summaries.map { .init(label: $0.variant, value: $0.total.mean, error: $0.total.deviation) }
      ).svg + "</figure>"
    // Mean curves over each variant's seeds, step by step.
    func meanCurve(_ curves: [[(x: Double, y: Double)]]) -> [(x: Double, y: Double)] {
      var sums: [Double: (Double, Int)] = [:]
      for curve in curves {
        for point in curve {
          sums[point.x, default: (0, 0)].0 += point.y
          sums[point.x, default: (0, 0)].1 += 1
        }
      }
      return sums.keys.sorted().map { ($0, sums[$0]!.0 / Double(sums[$0]!.1)) }
    }
    let metrics = summaries.map { summary in
      summary.runs.map { WorkspaceReport.metrics($0.runDirectory + "/metrics.jsonl") }
    }
    body +=
      "<figure>"
      + SVGChart(
        title: "Training loss (mean over seeds; nats per token of each variant's own tokenizer)", xLabel: "step",
        yLabel: "loss",
        series: summaries.indices.map {
          .init(
            name: summaries[$0].variant, color: palette[$0 % palette.count], points: meanCurve(metrics[$0].map(\.loss)))
        }
      ).svg + "</figure>"
    if let first = results.file.evalSets.first {
      // `train --eval-text PATH` names the set after its file.
      let curveName = (try? EvaluationSet.parse(first.path).name) ?? first.path
      body +=
        "<figure>"
        + SVGChart(
          title: "Held-out bits per byte during training: \(first.name) (mean over seeds)", xLabel: "step",
          yLabel: "bits per byte",
          series: summaries.indices.map { index in
            .init(
              name: summaries[index].variant, color: palette[index % palette.count],
              points: meanCurve(metrics[index].map { $0.bitsPerByte.first { $0.name == curveName }?.points ?? [] }))
          }
        ).svg + "</figure>"
    }
    body += markdownTables(markdown(results))
    return """
      <!doctype html><html><head><meta charset="utf-8"><title>Ablation \(HTMLText.escape(results.file.name))</title>
      <style>body{font-family:sans-serif;max-width:60em;margin:2em auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}</style>
      </head><body>\(body)</body></html>

      """
  }

  /// The markdown's paragraphs and tables as HTML.
  static func markdownTables(_ markdown: String) -> String {
    var html = ""
    var table: [[String]] = []
    func flush() {
      guard let header = table.first else { return }
      html += HTMLText.table(header, Array(table.dropFirst(2)))
      table = []
    }
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
      if line.hasPrefix("|") {
        table.append(
          line.split(separator: "|", omittingEmptySubsequences: false).dropFirst().dropLast().map {
            $0.trimmingCharacters(in: .whitespaces)
          })
        continue
      }
      flush()
      if line.hasPrefix("# ") || line.isEmpty { continue }
      html += "<p>\(HTMLText.escape(String(line)))</p>"
    }
    flush()
    return html
  }

  static func write(_ results: AblationRunner.Results) throws {
    let folder = Workspace.absolutePath(results.file.folder)
    try AtomicFileOutput.write(Array(markdown(results).utf8), to: folder + "/ablation.md")
    try AtomicFileOutput.write(
      Array((JSONWriter.encode(.object(json(results))) + "\n").utf8), to: folder + "/ablation.json")
    try AtomicFileOutput.write(Array(html(results).utf8), to: folder + "/ablation.html")
  }
}
