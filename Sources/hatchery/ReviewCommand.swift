import ArgumentParser
import Foundation
import HatcheryCore

/// `hatchery review`: the documents a licence policy held back (`unknown: review`,
/// `conflict: review`), listed, approved or rejected by a person; `shard` leaves held-back
/// documents out until approved (or with `--include-review`).
struct ReviewCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "review",
    abstract: "The licence review queue: list the documents held back from the shards, approve or reject them.",
    subcommands: [List.self, Approve.self, Reject.self])

  /// Which held-back documents: by id, or every one a filter matches.
  struct Selection: ParsableArguments {
    @Option(help: "Only documents of this source.") var source: String?
    @Option(help: "Only documents whose review reason contains this text (e.g. \"unknown licence\").") var reason:
      String?
    @Option(help: "Only documents with this licence expression, or \"unknown\".") var license: String?

    func items(_ store: ProvenanceStore) throws -> [ReviewItem] {
      try store.reviewQueue(source: source, reason: reason, license: license)
    }
  }

  struct List: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "The documents held back for review: id, source, path, licence, reason.")

    @OptionGroup var stage: StageOptions
    @OptionGroup var selection: Selection
    @Option(help: "At most this many lines (0: all).") var limit = 50

    func run() throws {
      let items = try selection.items(try Workspace.open(at: stage.workspace).openStoreForReading())
      for item in limit > 0 ? Array(items.prefix(limit)) : items {
        print("\(item.documentID)\t\(item.source)\t\(item.path)\t\(item.license ?? "unknown")\t\(item.reason)")
      }
      let bytes = items.reduce(0) { $0 + $1.bytes }
      print(
        "\(items.count) document(s) held back for review, \(ByteCount.format(bytes)) of text"
          + (limit > 0 && items.count > limit ? " (first \(limit) listed)" : ""))
    }
  }

  /// Approve and reject share this: the ids given, or with --matching every held-back document
  /// the filters select; the verdict is one `review` stage run with its reviewer and note.
  struct Verdict: ParsableArguments {
    @OptionGroup var stage: StageOptions
    @OptionGroup var selection: Selection
    @Argument(help: "Document ids.") var ids: [String] = []
    @Flag(help: "Every held-back document the filters (--source, --reason, --license) select, instead of ids.")
    var matching = false
    @Option(help: "Who decides (default: the user name).") var reviewer: String?
    @Option(help: "Why.") var note = ""

    func validate() throws {
      try asUsageError {
        guard ids.isEmpty == matching else {
          throw HatcheryError("give document ids, or --matching with filters, not both")
        }
      }
    }

    func record(approve: Bool) throws {
      let store = try Workspace.open(at: stage.workspace).openStore()
      let documents = matching ? try selection.items(store).map(\.documentID) : ids
      guard !documents.isEmpty else { throw HatcheryError("no held-back document matches; nothing was recorded") }
      let who = reviewer ?? ProcessInfo.processInfo.environment["USER"] ?? NSUserName()
      let lifecycle = StageLifecycle(
        stage: "review",
        config: StageConfig(
          JSONObject([
            ("verdict", .string(approve ? "approve" : "reject")), ("reviewer", .string(who)), ("note", .string(note)),
            ("documents", .int(documents.count)), ("at", .string(Timestamp.now())),
          ])))
      try lifecycle.record(in: store) { runID -> (result: Void, counts: JSONObject) in
        try store.recordReview(documents, approve: approve, reviewer: who, note: note, stageRunID: runID)
        return ((), JSONObject([("documents", .int(documents.count))]))
      }
      print("review: \(documents.count) document(s) \(approve ? "approved (kept)" : "rejected (dropped)") by \(who)")
    }
  }

  struct Approve: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Approve held-back documents: they go into the shards from the next `shard` run.")
    @OptionGroup var verdict: Verdict
    func run() throws { try verdict.record(approve: true) }
  }

  struct Reject: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Reject held-back documents: they are dropped, with the note as the reason.")
    @OptionGroup var verdict: Verdict
    func validate() throws {
      try asUsageError {
        guard !verdict.note.isEmpty else { throw HatcheryError("reject needs --note TEXT: the reason is recorded") }
      }
    }
    func run() throws { try verdict.record(approve: false) }
  }
}
