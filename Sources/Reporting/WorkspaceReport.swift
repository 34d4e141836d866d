import Accounting
import Foundation
import HatcheryCore
import Training

/// `hatchery report`: one self-contained HTML page about a workspace — the data card (sources,
/// documents and tokens per stage, licences by source, duplicates, drops by reason, conflicts),
/// the tokenizer, the training and fine-tuning loss curves (inline SVG), samples from the newest
/// checkpoints, and energy and carbon by run with their methods. No script, no external asset;
/// the markup is well-formed XHTML, so any XML parser can check it.
public enum WorkspaceReport {
  public struct Options: Sendable {
    public var country: String?
    public var carbonIntensity: Double?
    public var pue = 1.0
    /// Samples generated from each run's newest checkpoint (greedy, 32 tokens); 0 for none.
    public var samples = 1
    public var prompt = "The"
    public init() {}
  }

  public static func html(workspace: Workspace, options: Options) throws -> String {
    let store = try workspace.openStoreForReading()
    let carbon = try CarbonIntensity(country: options.country, override: options.carbonIntensity)
    let audit = try store.auditCounts()
    var body =
      "<h1>Hatchery report</h1><p class=\"meta\">Workspace \(HTMLText.escape(workspace.root)), generated \(Timestamp.now()) by hatchery \(HatcheryVersion.current).</p>"

    // Data card.
    let sources = try store.sourceSummaries().map { source in
      [
        source.name, source.kind, source.declaredLicense ?? "—", "\(source.documents)", ByteCount.format(source.bytes),
      ]
    }
    body +=
      "<h2>Data card</h2><h3>Sources</h3>"
      + HTMLText.table(["source", "format", "declared licence", "documents", "bytes"], sources)
    let figures = try WorkspaceFigures(store: store)
    var flow =
      [["ingested", "\(figures.ingested)"]]
      + figures.droppedByStage.map { ["dropped by \($0.stage)", "\($0.documents)"] }
    flow.append(["kept", "\(figures.kept)"])
    flow.append(["in shards", "\(figures.shardDocuments) documents, \(figures.shardTokens) tokens"])
    body += "<h3>Documents through the stages</h3>" + HTMLText.table(["step", "count"], flow)
    body +=
      "<p>Duplicate clusters (documents others were found to duplicate): \(figures.duplicateClusters). Licence conflicts: \(audit.conflicts). Documents without provenance: \(audit.withoutProvenance).</p>"
    body +=
      "<h3>Licences by source</h3>"
      + HTMLText.table(
        ["source", "licence", "category", "documents", "kept documents", "kept bytes"],
        licenceRows(audit.bySourceAndLicense))
    body +=
      "<h3>Dropped, by stage and reason</h3>"
      + HTMLText.table(
        ["stage", "reason", "documents", "bytes"],
        audit.drops.map { [$0.stage, $0.reason, "\($0.documents)", ByteCount.format($0.bytes)] })
    body += "<h3>Held back for licence review</h3>"
    body +=
      audit.heldBack.isEmpty
      ? "<p>None: no document waits for review.</p>"
      : "<p>Left out of the shards until approved (<code>hatchery review</code>).</p>"
        + HTMLText.table(
          ["reason", "documents", "bytes", "≈ tokens"],
          audit.heldBack.map {
            [$0.reason, "\($0.documents)", ByteCount.format($0.bytes), $0.tokens.map(String.init) ?? "—"]
          })
    if !audit.tokens.isEmpty {
      body +=
        "<h3>Tokens by source and licence</h3>"
        + HTMLText.table(
          ["source", "licence", "documents", "tokens"],
          audit.tokens.map { [$0.source, $0.expression ?? "—", "\($0.documents)", "\($0.tokens)"] })
    }

    // Tokenizer.
    body += "<h2>Tokenizer</h2>"
    if let run = try store.stageRuns(stage: "tokenizer").last(where: { $0.status == .completed }),
      let counts = run.counts,
      let object = try? JSONParser.parse(counts).objectValue
    {
      let shardRun = try store.stageRuns(stage: "shard").last(where: { $0.status == .completed })
      let shardCounts = shardRun?.counts.flatMap { try? JSONParser.parse($0).objectValue }
      var rows = [
        ["vocabulary", object["vocab_size"]?.intValue.map(String.init) ?? "?"],
        ["merges", object["merges"]?.intValue.map(String.init) ?? "?"],
        [
          "trained on",
          "\(object["documents"]?.intValue ?? 0) documents, \(ByteCount.format(object["bytes"]?.intValue ?? 0))",
        ],
      ]
      if let bytes = shardCounts?["bytes"]?.intValue, let tokens = shardCounts?["tokens"]?.intValue, tokens > 0 {
        rows.append(["bytes per token (kept documents)", String(format: "%.3f", Double(bytes) / Double(tokens))])
      }
      body += HTMLText.table(["", ""], rows)
    } else {
      body += "<p>No tokenizer trained yet.</p>"
    }

    // Training and fine-tuning.
    body += "<h2>Training</h2>"
    if figures.trainingRuns.isEmpty { body += "<p>No training run yet.</p>" }
    for run in figures.trainingRuns {
      let curves = metrics(run.directory + "/metrics.jsonl")
      body +=
        "<h3>\(HTMLText.escape(run.id)) (\(HTMLText.escape(run.kind)), \(HTMLText.escape(run.status.rawValue)))</h3>"
      body +=
        "<p>\(run.steps) steps, \(run.tokens) tokens; final loss \(run.finalLoss.map { String(format: "%.4f", $0) } ?? "—"), validation loss \(run.finalValidationLoss.map { String(format: "%.4f", $0) } ?? "—").</p>"
      if let seconds = run.seconds {
        body +=
          "<p>Wall time \(String(format: "%.1f", seconds)) s"
          + (run.forecastSeconds.map {
            String(
              format: "; <code>hatchery plan</code> forecast %.1f s at its start (measured / forecast %.2f)", $0,
              seconds / $0)
          } ?? "") + ".</p>"
      }
      body +=
        "<figure>"
        + SVGChart(
          title: run.kind == "finetune" ? "Fine-tuning loss" : "Training and validation loss", xLabel: "step",
          yLabel: "loss",
          series: [
            .init(name: "train", color: "#1f77b4", points: curves.loss),
            .init(name: "validation", color: "#d62728", points: curves.validation),
          ]
        ).svg + "</figure>"
      if !curves.bitsPerByte.isEmpty {
        // Bits per byte compares runs with different tokenizers (hatchery evaluate --text).
        let palette = ["#d62728", "#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22"]
        body +=
          "<figure>"
          + SVGChart(
            title: "Held-out bits per byte", xLabel: "step", yLabel: "bits per byte",
            series: curves.bitsPerByte.enumerated().map {
              .init(name: $1.name, color: palette[$0 % palette.count], points: $1.points)
            }
          ).svg + "</figure>"
      }
      if options.samples > 0, let checkpoint = Checkpoint.latest(in: run.directory)?.folder {
        let chat = run.kind == "finetune"
        for index in 0..<options.samples {
          let text =
            (try? Sampler.sample(
              checkpoint: checkpoint, prompt: options.prompt, tokens: 32, temperature: index == 0 ? 0 : 0.8, topK: 40,
              seed: UInt64(index + 1),
              chat: chat, threads: 1)) ?? "(sampling failed)"
          body +=
            "<p class=\"sample\"><b>\(HTMLText.escape(options.prompt))</b>\(chat ? " → " : "")\(HTMLText.escape(text))</p>"
        }
      }
    }

    // Energy.
    body += "<h2>Energy and carbon</h2>"
    let ledger = try store.energyLedger()
    let total = ledger.reduce(0.0) { $0 + ($1.kWh ?? 0) } * options.pue
    var methods = EnergyMethodNotes()
    body += HTMLText.table(
      ["run", "kind", "seconds", "CPU s", "kWh", "g CO2e", "embodied g CO2e", "method"],
      ledger.map { entry in
        [
          entry.name, entry.kind, entry.seconds.map { String(format: "%.1f", $0) } ?? "—",
          entry.cpuSeconds.map { String(format: "%.1f", $0) } ?? "—",
          entry.kWh.map { String(format: "%.6f", $0 * options.pue) } ?? "not metered",
          entry.kWh.map { String(format: "%.3f", carbon.emissions(kWh: $0, pue: options.pue) * 1000) } ?? "—",
          entry.embodiedKg.map { String(format: "%.3f", $0 * 1000) } ?? "—", methods.mark(entry.method),
        ]
      })
    body += methods.notes.map { "<p class=\"meta\">\(HTMLText.escape($0))</p>" }.joined()
    body +=
      "<p>Total \(String(format: "%.6f", total)) kWh, \(String(format: "%.3f", total * carbon.gramsPerKWh)) g CO2e at \(Int(carbon.gramsPerKWh.rounded())) g/kWh (\(HTMLText.escape(carbon.source))), PUE \(options.pue).</p>"

    return """
      <?xml version="1.0" encoding="UTF-8"?>
      <!DOCTYPE html>
      <html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/><title>Hatchery report</title>
      <style>body{font-family:sans-serif;margin:2em;max-width:60em;color:#222}table{border-collapse:collapse;margin:.5em 0 1em}td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;font-size:.9em}th{background:#f3f3f3}.meta{color:#666}.sample{font-family:monospace;background:#f7f7f7;padding:.4em}figure{margin:0}</style>
      </head><body>
      """ + body + "</body></html>\n"
  }

  /// Licence expressions shown per source; the rest are summed in one row (`hatchery audit`
  /// lists them all). A machine's copyright files alone give hundreds of distinct expressions.
  static let licenceRowsPerSource = 12

  /// The licence table's rows: each source's most common expressions, then one row for the rest.
  static func licenceRows(
    _ rows: [(
      source: String, expression: String?, category: String?, documents: Int, bytes: Int, keptDocuments: Int,
      keptBytes: Int
    )]
  ) -> [[String]] {
    var result: [[String]] = []
    var sources: [String] = []
    for row in rows where !sources.contains(row.source) { sources.append(row.source) }
    for source in sources {
      let ofSource = rows.filter { $0.source == source }.sorted { $0.documents > $1.documents }
      for row in ofSource.prefix(licenceRowsPerSource) {
        result.append([
          source, row.expression ?? "—", row.category ?? "not tagged", "\(row.documents)", "\(row.keptDocuments)",
          ByteCount.format(row.keptBytes),
        ])
      }
      let rest = ofSource.dropFirst(licenceRowsPerSource)
      if !rest.isEmpty {
        result.append([
          source, "\(rest.count) other expressions (hatchery audit lists them)", "—",
          "\(rest.reduce(0) { $0 + $1.documents })",
          "\(rest.reduce(0) { $0 + $1.keptDocuments })", ByteCount.format(rest.reduce(0) { $0 + $1.keptBytes }),
        ])
      }
    }
    return result
  }

  /// A run's curves from its metrics.jsonl: train and validation loss per step, and bits per
  /// byte of the validation split (`val_bpb`) and of each held-out text set (`eval_bpb`).
  public struct Curves {
    public var loss: [(x: Double, y: Double)] = []
    public var validation: [(x: Double, y: Double)] = []
    public var bitsPerByte: [(name: String, points: [(x: Double, y: Double)])] = []
  }

  public static func metrics(_ path: String) -> Curves {
    var curves = Curves()
    guard let data = FileManager.default.contents(atPath: path) else { return curves }
    func number(_ value: JSONValue?) -> Double? {
      guard case .number(let text)? = value, let number = Double(text), number.isFinite else { return nil }
      return number
    }
    func add(_ name: String, _ step: Int, _ value: Double) {
      if let index = curves.bitsPerByte.firstIndex(where: { $0.name == name }) {
        curves.bitsPerByte[index].points.append((Double(step), value))
      } else {
        curves.bitsPerByte.append((name, [(Double(step), value)]))
      }
    }
    for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
      guard let object = try? JSONParser.parse(String(line)).objectValue, let step = object["step"]?.intValue else {
        continue
      }
      if let value = number(object["loss"]) { curves.loss.append((Double(step), value)) }
      if let value = number(object["val_loss"]) { curves.validation.append((Double(step), value)) }
      if let value = number(object["val_bpb"]) { add("validation split", step, value) }
      for (name, value) in object["eval_bpb"]?.objectValue?.members ?? [] {
        if let value = number(value) { add(name, step, value) }
      }
    }
    return curves
  }
}
