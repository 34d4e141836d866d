import ArgumentParser
import Foundation
import HatcheryCore
import Licensing
import Reporting
import Shards
import StageArguments

struct TagCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "tag",
    abstract: "Find each document's licence evidence, decide its effective licence and apply a licence policy.",
    discussion: """
      Findings (SPDX tags, licence notices, full licence texts, and the covering licence file or package metadata of \
      the document's directory tree: method `scope`) go to the store's license_findings table, one effective licence \
      per document to document_licenses (what the text says, else what its nearest covering file says, else what its \
      source declared, else unknown), with conflicts flagged. With --policy FILE (YAML: allow, deny, unknown, conflict; see pipelines/), \
      refused documents get a `tag` decision.
      """)

  @OptionGroup var stage: StageOptions

  @OptionGroup(title: "Options a pipeline file may set")
  var arguments: TagArguments

  @OptionGroup var runner: StageRunArguments<TagStep>

  func run() throws {
    stage.bootstrapLogging()
    let workspace = try Workspace.open(at: stage.workspace)
    var options = TagOptions()
    arguments.apply(to: &options)
    options.force = runner.force
    options.step = runner.step
    options.task = runner.task
    options.tasks = runner.tasks
    print(try TagStage.run(workspace: workspace, options: options).text)
  }
}

struct AuditCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit",
    abstract: "Report documents and bytes by source and licence, what was dropped and why, conflicts and provenance.")

  @OptionGroup var stage: StageOptions

  @Option(help: "md, json or html.")
  var format: AuditReport.Format = .md

  func run() throws {
    let workspace = try Workspace.open(at: stage.workspace)
    print(try AuditReport(workspace: workspace).render(format), terminator: "")
  }
}

struct TraceCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "trace",
    abstract:
      "Print where a document (or a token of a shard) came from, its checksums, its licence evidence and every decision about it."
  )

  @OptionGroup var stage: StageOptions

  @Argument(help: "A document id, or SHARD:TOKEN (e.g. train/shard-00000:1234) for the document a token came from.")
  var target: String

  func run() throws {
    let workspace = try Workspace.open(at: stage.workspace)
    if let location = try ShardTrace.locate(target, store: try workspace.openStoreForReading()) {
      print(PrintableText.escaped(location.line))
      guard let document = location.document else { return }
      for line in try DocumentTrace.lines(workspace: workspace, documentID: document.id) {
        print(PrintableText.escaped(line))
      }
      return
    }
    // Locators and reasons come from input files: printed with their control bytes escaped.
    for line in try DocumentTrace.lines(workspace: workspace, documentID: target) { print(PrintableText.escaped(line)) }
  }
}

extension AuditReport.Format: ExpressibleByArgument {}
