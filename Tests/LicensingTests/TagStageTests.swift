import Foundation
import GRDB
import HatcheryCore
import HatcheryTestSupport
import Ingest
import Logging
import Reporting
import XCTest

@testable import Licensing

final class TagStageTests: XCTestCase {
  var folder: String!

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "hatchery-tag-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: folder)
  }

  /// A workspace with one source per entry: (name, declared licence, file name → text).
  private func workspace(_ sources: [(String, String?, [String: String])]) throws -> Workspace {
    let workspace = try Workspace.create(at: folder + "/ws")
    for (name, license, files) in sources {
      let input = folder + "/" + name
      try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
      for (file, text) in files { try text.write(toFile: input + "/" + file, atomically: false, encoding: .utf8) }
      var options = IngestOptions(source: name, paths: [input])
      options.declaredLicense = license
      _ = try IngestStage.run(
        workspace: workspace, options: options, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
        showProgress: false)
    }
    return workspace
  }

  private func tag(_ workspace: Workspace, policy: String? = nil) throws -> TagSummary {
    var options = TagOptions()
    options.threads = 2
    if let policy {
      let path = folder + "/policy-\(UUID().uuidString).yaml"
      try policy.write(toFile: path, atomically: false, encoding: .utf8)
      options.policyPath = path
    }
    return try TagStage.run(workspace: workspace, options: options)
  }

  private func license(_ workspace: Workspace, _ source: String, _ file: String) throws -> (
    DocumentLicenseRecord, [DecisionRecord]
  ) {
    let store = try workspace.openStore()
    let document = try XCTUnwrap(
      try store.documents(sourceID: try store.source(named: source)!.id).first { $0.path.hasSuffix(file) })
    return (
      try XCTUnwrap(try store.documentLicense(documentID: document.id)),
      try store.decisions(stage: "tag", documentID: document.id)
    )
  }

  private var corpus: [(String, String?, [String: String])] {
    [
      (
        "code", "MIT",
        [
          "tagged.c": "// SPDX-License-Identifier: Apache-2.0\nint main(void) { return 0; }\n",
          "silent.c": "int helper(void) { return 1; }\n",
          "gpl.c":
            "/* This program is free software; you can redistribute it under the terms of the GNU General Public License as published by the Free Software Foundation; either version 2 of the License, or (at your option) any later version. */\n",
          "mixed.txt":
            "Parts are under the GNU General Public License version 2. Other parts: Licensed under the Apache License, Version 2.0.\n",
        ]
      ),
      (
        "web", nil,
        [
          "nc.html.txt":
            "This page is licensed under a Creative Commons Attribution-NonCommercial 4.0 International License.\n",
          "sa.txt": "Text available under the Creative Commons Attribution-ShareAlike 3.0 License.\n",
          "nothing.txt": "A recipe for bread, with no word about its terms.\n",
        ]
      ),
    ]
  }

  func testEffectiveLicencesConflictsAndFindingsAreRecorded() throws {
    let workspace = try workspace(corpus)
    let summary = try tag(workspace)
    XCTAssertEqual(summary.documents, 7)
    XCTAssertEqual(summary.byBasis, ["detected": 5, "declared": 1, "unknown": 1])
    XCTAssertEqual(summary.dropped, 0, "no policy, no decisions")

    let (tagged, _) = try license(workspace, "code", "tagged.c")
    XCTAssertEqual(tagged.expression, "Apache-2.0")
    XCTAssertEqual(tagged.basis, "detected")
    XCTAssertEqual(tagged.conflict, "the text says Apache-2.0 but the source declares MIT")
    XCTAssertEqual(try license(workspace, "code", "silent.c").0.expression, "MIT")
    XCTAssertEqual(try license(workspace, "code", "silent.c").0.basis, "declared")
    let (gpl, _) = try license(workspace, "code", "gpl.c")
    XCTAssertEqual(gpl.expression, "GPL-2.0-or-later")
    XCTAssertEqual(gpl.category, "strong-copyleft")
    XCTAssertEqual(try license(workspace, "code", "mixed.txt").0.conflict?.contains("cannot be combined"), true)
    XCTAssertEqual(try license(workspace, "web", "nc.html.txt").0.category, "non-commercial")
    XCTAssertEqual(try license(workspace, "web", "sa.txt").0.expression, "CC-BY-SA-3.0")
    let (nothing, _) = try license(workspace, "web", "nothing.txt")
    XCTAssertNil(nothing.expression)
    XCTAssertEqual(nothing.basis, "unknown")

    let store = try workspace.openStore()
    let findings = try store.licenseFindings(documentID: tagged.documentID)
    XCTAssertEqual(findings.map(\.spdx), ["Apache-2.0"])
    XCTAssertEqual(findings.first?.method, "tag")
    XCTAssertTrue(findings.first?.evidence.hasPrefix("SPDX-License-Identifier: Apache-2.0") == true)
    XCTAssertTrue(try tag(workspace).nothingToDo)
  }

  func testPolicyOutcomes() throws {
    let workspace = try workspace(corpus)
    let summary = try tag(
      workspace,
      policy: """
        allow: [public-domain, permissive, CC-BY-SA-3.0]
        deny: [non-commercial]
        unknown: drop
        conflict: review
        """)
    XCTAssertEqual(try license(workspace, "code", "gpl.c").1.map(\.action), [.drop])
    XCTAssertTrue(try license(workspace, "code", "gpl.c").1[0].reason.contains("GPL-2.0-or-later"))
    XCTAssertEqual(try license(workspace, "web", "nc.html.txt").1.map(\.action), [.drop])
    XCTAssertEqual(try license(workspace, "web", "nothing.txt").1.map(\.reason), ["unknown licence"])
    XCTAssertEqual(try license(workspace, "web", "sa.txt").1, [], "an allowed id is kept without remark")
    XCTAssertEqual(try license(workspace, "code", "silent.c").1, [])
    let tagged = try license(workspace, "code", "tagged.c").1
    XCTAssertEqual(tagged.map(\.action), [.keep])
    XCTAssertTrue(tagged[0].reason.hasPrefix("review: licence conflict"))
    XCTAssertEqual(summary.dropped, 4, "gpl.c, mixed.txt (GPL-2.0-only), nc.html.txt, nothing.txt")
    XCTAssertEqual(summary.review, 1)

    // Running again with another policy replaces the decisions.
    _ = try tag(workspace, policy: "unknown: keep\n")
    XCTAssertEqual(try workspace.openStore().decisions(stage: "tag"), [])
  }

  func testPoliciesAreCheckedWithLineAndColumn() {
    XCTAssertThrowsError(try LicensePolicy.parse("allow: [permissive]\nforbid: [MIT]\n", file: "p.yaml")) { error in
      XCTAssertEqual(
        error as? LicensingError,
        .badPolicy(place: "p.yaml:2:1", reason: "unknown key 'forbid' (expected allow, deny, unknown, conflict)"))
    }
    XCTAssertThrowsError(try LicensePolicy.parse("allow: [not-a-thing]\n"))
    XCTAssertThrowsError(try LicensePolicy.parse("unknown: maybe\n"))
    let policy = try? LicensePolicy.parse("allow: [permissive, GPL-2.0]\ndeny: [MIT]\n")
    XCTAssertEqual(policy?.allow, ["permissive", "GPL-2.0-only"])
    XCTAssertEqual(policy.flatMap { try? $0.refusal(of: SPDXExpression.parse("MIT OR ISC")) }, nil)
    XCTAssertEqual(policy.flatMap { try? $0.refusal(of: SPDXExpression.parse("MIT AND ISC")) }, "MIT")
    XCTAssertEqual(policy.flatMap { try? $0.refusal(of: SPDXExpression.parse("GPL-3.0-only")) }, "GPL-3.0-only")
  }

  /// A tagged document with neither evidence nor a declared licence has no document_licenses
  /// row; it reads as unknown, and a document not yet tagged reads as untagged.
  func testAnUnknownLicenceCostsNoRowAndReadsAsUnknown() throws {
    let workspace = try workspace(corpus)
    let store = try workspace.openStore()
    let nothing = try XCTUnwrap(
      try store.documents(sourceID: try store.source(named: "web")!.id).first { $0.path.hasSuffix("nothing.txt") })
    XCTAssertNil(try store.documentLicense(documentID: nothing.id), "not tagged yet")
    XCTAssertEqual(try store.auditCounts().untagged, 7)
    let summary = try tag(workspace)
    XCTAssertEqual(summary.byBasis["unknown"], 1)
    let rows = try store.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM document_licenses") }
    XCTAssertEqual(rows, 6, "every tagged document but the unknown one")
    XCTAssertEqual(
      try store.documentLicense(documentID: nothing.id),
      DocumentLicenseRecord(
        documentID: nothing.id, expression: nil, basis: "unknown", category: "unknown", conflict: nil))
    let counts = try store.auditCounts()
    XCTAssertEqual(counts.untagged, 0)
    XCTAssertEqual(
      counts.bySourceAndLicense.filter { $0.source == "web" && $0.expression == nil }.map(\.category), ["unknown"])
    XCTAssertTrue(
      try DocumentTrace.lines(workspace: workspace, documentID: nothing.id).contains(
        "licence   unknown (unknown, unknown)"))
    // Its part ingested again (changed): untagged until tag runs again.
    try "A recipe for rye bread, with no word about its terms.\n".write(
      toFile: folder + "/web/nothing.txt", atomically: false, encoding: .utf8)
    _ = try IngestStage.run(
      workspace: workspace, options: IngestOptions(source: "web", paths: [folder + "/web"]),
      logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, showProgress: false)
    XCTAssertGreaterThan(try store.auditCounts().untagged, 0)
  }

  /// A licence named in passing does not outweigh the document's scope or its declared licence;
  /// a grant does; with neither, the name is all there is.
  func testOnlyDecisiveFindingsOutweighScopeAndDeclaredLicence() throws {
    let detector = LicenseDetector(referenceFolders: [])
    let changelog = detector.detect("1.2 (2024): the vendored parser is now under the MIT License.\n")
    XCTAssertEqual(changelog.map(\.spdx), ["MIT"])
    let scope = LicenseScope.Cover(
      expression: try SPDXExpression.parse("GPL-2.0-or-later"), file: "COPYING", detail: "licence text")
    let declared = try SPDXExpression.parse("CC-BY-SA-4.0")
    let byScope = TagStage.effectiveLicense(findings: changelog, declared: nil, scope: scope, documentID: "a")
    XCTAssertEqual([byScope.expression, byScope.basis], ["GPL-2.0-or-later", "scope"])
    XCTAssertNil(byScope.conflict)
    let byDeclared = TagStage.effectiveLicense(findings: changelog, declared: declared, documentID: "b")
    XCTAssertEqual([byDeclared.expression, byDeclared.basis], ["CC-BY-SA-4.0", "declared"])
    let alone = TagStage.effectiveLicense(findings: changelog, declared: nil, documentID: "c")
    XCTAssertEqual([alone.expression, alone.basis], ["MIT", "detected"])
    let grant = detector.detect(
      "Permission is hereby granted, free of charge, to any person obtaining a copy of this software")
    let granted = TagStage.effectiveLicense(findings: grant, declared: nil, scope: scope, documentID: "d")
    XCTAssertEqual([granted.expression, granted.basis], ["MIT", "detected"])
    XCTAssertNotNil(granted.conflict, "the text and its covering file share no licence")
    // A licence field of the document's metadata is its own statement, whatever rule read it.
    let field = detector.detect(metadata: JSONObject([("license", .string("Apache License 2.0"))]))
    XCTAssertLessThan(field.first?.confidence ?? 1, LicenseDetector.decisiveConfidence)
    let byField = TagStage.effectiveLicense(findings: field, declared: declared, documentID: "e")
    XCTAssertEqual([byField.expression, byField.basis], ["Apache-2.0", "detected"])
  }

  func testAuditAndTraceReportWhatTheStoreKnows() throws {
    let workspace = try workspace(corpus)
    _ = try tag(workspace, policy: "deny: [non-commercial]\n")
    let report = try AuditReport(workspace: workspace)
    XCTAssertEqual(report.counts.withoutProvenance, 0)
    XCTAssertEqual(report.counts.untagged, 0)
    XCTAssertEqual(report.counts.conflicts, 3, "tagged.c and gpl.c against the declared MIT, mixed.txt")
    XCTAssertEqual(report.counts.drops.map(\.documents), [1])
    XCTAssertEqual(
      report.licenseSummary.reduce(0) { $0 + $1.documents }, 6, "the dropped document is not in the summary")
    let markdown = report.render(.md)
    XCTAssertTrue(markdown.contains("| web | CC-BY-NC-4.0 | non-commercial | 1 |"), markdown)
    let json = try JSONParser.parse(report.render(.json))
    XCTAssertEqual(json.objectValue?["documents_without_provenance"], .int(0))
    XCTAssertTrue(report.render(.html).contains("<table>"))

    let store = try workspace.openStore()
    let id = try XCTUnwrap(try store.decisions(stage: "tag").first?.documentID)
    let trace = try DocumentTrace.lines(workspace: workspace, documentID: id).joined(separator: "\n")
    XCTAssertTrue(trace.contains("source    web"), trace)
    XCTAssertTrue(trace.contains("licence   CC-BY-NC-4.0 (detected, non-commercial)"), trace)
    XCTAssertTrue(trace.contains("finding CC-BY-NC-4.0 by notice"), trace)
    XCTAssertTrue(trace.contains("decision  tag: drop"), trace)
    XCTAssertThrowsError(try DocumentTrace.lines(workspace: workspace, documentID: "nope"))
  }

  // MARK: Across machines

  /// The corpus ingested with one file per part into `name`.
  private func splitWorkspace(_ name: String) throws -> Workspace {
    let workspace = try Workspace.create(at: folder + "/" + name)
    for (source, license, files) in corpus {
      let input = folder + "/in-" + source
      try FileManager.default.createDirectory(atPath: input, withIntermediateDirectories: true)
      for (file, text) in files { try text.write(toFile: input + "/" + file, atomically: false, encoding: .utf8) }
      var options = IngestOptions(source: source, paths: [input])
      options.declaredLicense = license
      options.partBytes = 1
      _ = try IngestStage.run(
        workspace: workspace, options: options, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
        showProgress: false)
    }
    return workspace
  }

  /// Every licence row, finding and tag decision, as text, without run ids.
  private func licenceRows(_ workspace: Workspace) throws -> [String] {
    try workspace.openStoreForReading().read { db in
      try String.fetchAll(
        db,
        sql: """
          SELECT document_id || '|' || coalesce(expression, '') || '|' || basis || '|' || category || '|' || coalesce(conflict, '') FROM document_licenses
          UNION ALL SELECT document_id || '|' || spdx || '|' || method || '|' || confidence || '|' || evidence_start FROM license_findings
          UNION ALL SELECT document_id || '|' || action || '|' || reason FROM decisions WHERE stage = 'tag'
          ORDER BY 1
          """)
    }
  }

  func testTasksAndAMergeGiveWhatOneProcessGives() throws {
    let policyPath = folder + "/policy.yaml"
    try "allow: [permissive]\ndeny: [non-commercial]\nunknown: drop\nconflict: review\n".write(
      toFile: policyPath, atomically: false, encoding: .utf8)
    let single = try splitWorkspace("single")
    var options = TagOptions()
    options.policyPath = policyPath
    let whole = try TagStage.run(workspace: single, options: options)
    let expected = try licenceRows(single)
    XCTAssertGreaterThan(try single.openStore().allParts().count, 5)
    for tasks in [1, 3, 7] {
      let split = try splitWorkspace("split-\(tasks)")
      options.tasks = tasks
      options.step = .task
      // With 3 tasks the store is mounted read-only while they run, where this machine allows.
      let undo = tasks == 3 ? TestSupport.mountReadOnly(split.storePath) : nil
      for task in 0..<tasks {
        options.task = task
        _ = try TagStage.run(workspace: split, options: options)
      }
      undo?()
      XCTAssertTrue(try licenceRows(split).isEmpty, "tasks do not write the store")
      options.step = .merge
      if tasks == 3 {
        // A missing task file: the merge refuses and names the task.
        let missing = split.absolute(try XCTUnwrap(taskFile(split, stage: "tag", part: 4)))
        let saved = try Data(contentsOf: URL(fileURLWithPath: missing))
        unlink(missing)
        XCTAssertThrowsError(try TagStage.run(workspace: split, options: options)) { error in
          XCTAssertEqual((error as? StageError)?.waitingTasks, [1])
        }
        XCTAssertTrue(try licenceRows(split).isEmpty, "a refused merge writes nothing")
        try saved.write(to: URL(fileURLWithPath: missing))
      }
      let merged = try TagStage.run(workspace: split, options: options)
      XCTAssertEqual(merged.documents, whole.documents)
      XCTAssertEqual(merged.dropped, whole.dropped)
      XCTAssertEqual(try licenceRows(split), expected, "\(tasks) tasks")
      XCTAssertTrue(try TagStage.run(workspace: split, options: options).nothingToDo, "merging twice does nothing")
    }
  }
}

/// A stage's task file of `part`, whatever its configuration folder (relative to the workspace).
private func taskFile(_ workspace: Workspace, stage: String, part: Int) -> String? {
  let root = "tasks/\(stage)"
  let name = "part-" + String(format: "%05d", part) + ".json"
  return ((try? FileManager.default.contentsOfDirectory(atPath: workspace.absolute(root))) ?? [])
    .map { "\(root)/\($0)/\(name)" }.first { FileManager.default.fileExists(atPath: workspace.absolute($0)) }
}
