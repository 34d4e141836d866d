import Foundation
import GRDB
import HatcheryCore
import HatcheryTestSupport
import Ingest
import Logging
import XCTest

@testable import Licensing

/// Licence scope: licence files and package metadata cover the documents of their tree.
final class LicenseScopeTests: XCTestCase {
  var folder: String!

  override func setUpWithError() throws {
    folder = NSTemporaryDirectory() + "hatchery-scope-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
  }

  override func tearDownWithError() throws {
    try? FileManager.default.removeItem(atPath: folder)
  }

  static let mit = """
    Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated \
    documentation files (the "Software"), to deal in the Software without restriction, including without limitation the \
    rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit \
    persons to whom the Software is furnished to do so, subject to the following conditions:

    The above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.

    THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE \
    WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR \
    COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR \
    OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.

    """

  static let gpl3Notice = """
    This program is free software: you can redistribute it and/or modify it under the terms of the GNU General Public \
    License as published by the Free Software Foundation, either version 3 of the License, or (at your option) any later version.

    """

  static let dep5 = """
    Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
    Upstream-Name: sample

    Files: *
    Copyright: 2020 Someone
    License: GPL-2+

    Files: doc/*
     manual/*.txt
    Copyright: 2021 Someone Else
    License: CC-BY-4.0

    Files: doc/legacy-?.txt
    Copyright: 2019 Old
    License: BSD-3-clause or Expat

    License: GPL-2+
     This program is free software; see /usr/share/common-licenses/GPL-2.

    """

  // MARK: DEP-5 and Debian names

  func testDEP5StanzaOrderAndGlobs() throws {
    let file = try XCTUnwrap(DEP5File.parse(Self.dep5))
    XCTAssertEqual(file.stanzas.count, 3, "the standalone License paragraph is not a Files stanza")
    XCTAssertEqual(file.stanzas[1].patterns, ["doc/*", "manual/*.txt"], "patterns continue on the next line")
    XCTAssertEqual(file.stanzas[1].line, 8)
    XCTAssertEqual(file.stanza(for: "README")?.license, "GPL-2+")
    XCTAssertEqual(file.stanza(for: "src/deep/main.c")?.license, "GPL-2+", "* matches slashes")
    XCTAssertEqual(
      file.stanza(for: "doc/guide/intro.txt")?.license, "CC-BY-4.0", "a later stanza overrides an earlier one")
    XCTAssertEqual(file.stanza(for: "manual/a/b.txt")?.license, "CC-BY-4.0")
    XCTAssertEqual(file.stanza(for: "manual/a/b.html")?.license, "GPL-2+")
    XCTAssertEqual(
      file.stanza(for: "doc/legacy-1.txt")?.license, "BSD-3-clause or Expat", "? is one character; the last match wins")
    XCTAssertEqual(file.stanza(for: "doc/legacy-12.txt")?.license, "CC-BY-4.0")
    XCTAssertTrue(DEP5File.matches(pattern: "debian/*", path: "debian/patches/fix.diff"))
    XCTAssertFalse(DEP5File.matches(pattern: "debian/*", path: "debianx/rules"))
    XCTAssertFalse(DEP5File.matches(pattern: "Makefile.in", path: "src/Makefile.in"), "patterns start at the root")
    XCTAssertTrue(DEP5File.matches(pattern: "*/Makefile.in", path: "src/Makefile.in"))
    XCTAssertTrue(DEP5File.matches(pattern: "*.in", path: "a/.hidden.in"), "* matches leading dots")
    XCTAssertTrue(DEP5File.matches(pattern: "docs/", path: "docs/a/b.txt"), "a directory pattern covers its tree")
    XCTAssertTrue(DEP5File.matches(pattern: "a\\*b", path: "a*b"))
    XCTAssertFalse(DEP5File.matches(pattern: "a\\*b", path: "axb"), "\\ takes the magic away")
    XCTAssertNil(
      DEP5File.parse("This package is under the GPL.\n\nFiles: *\nLicense: GPL-2+\n"), "no Format: not machine-readable"
    )
    XCTAssertEqual(
      DEP5File.parse(Self.dep5.replacingOccurrences(of: "\n", with: "\r\n")), file,
      "CRLF line ends (one Character in Swift, not \"\\n\") split lines too")
  }

  func testDebianShortNamesAsSPDX() {
    XCTAssertEqual(DebianLicenseNames.spdx("GPL-2+")?.description, "GPL-2.0-or-later")
    XCTAssertEqual(DebianLicenseNames.spdx("GPL-2+ or Artistic")?.description, "GPL-2.0-or-later OR Artistic-1.0-Perl")
    XCTAssertEqual(DebianLicenseNames.spdx("BSD-3-clause and Expat")?.description, "BSD-3-Clause AND MIT")
    XCTAssertEqual(DebianLicenseNames.spdx("GPL-2+ with OpenSSL exception")?.description, "GPL-2.0-or-later")
    XCTAssertEqual(
      DebianLicenseNames.spdx("Apache-2.0 with LLVM exception")?.description, "Apache-2.0 WITH LLVM-exception")
    XCTAssertEqual(
      DebianLicenseNames.spdx("APACHE-2-LLVM-EXCEPTIONS and NCSA")?.description,
      "Apache-2.0 WITH LLVM-exception AND NCSA")
    XCTAssertEqual(DebianLicenseNames.spdx("GFDL-NIV-1.3+")?.description, "GFDL-1.3-no-invariants-or-later")
    XCTAssertEqual(DebianLicenseNames.spdx("public-domain")?.description, "LicenseRef-public-domain")
    XCTAssertEqual(DebianLicenseNames.spdx("Foo-1")?.description, "LicenseRef-Debian-Foo-1")
    XCTAssertEqual(
      DebianLicenseNames.spdx("BSD-3-Viagénie")?.description, "LicenseRef-Debian-BSD-3-Viag-nie",
      "an SPDX idstring is ASCII")
    XCTAssertEqual(
      DebianLicenseNames.spdx(String(repeating: "x", count: 300))?.description,
      "LicenseRef-Debian-" + String(repeating: "x", count: 64))
    XCTAssertEqual(DebianLicenseNames.spdx("Apache-2.0")?.description, "Apache-2.0")
    XCTAssertNil(DebianLicenseNames.spdx(""))
    XCTAssertNil(
      DebianLicenseNames.spdx(Array(repeating: "Foo-bar-baz", count: 300).joined(separator: ", ")),
      "an expression past SPDXExpression.maximumLength is no licence")
    XCTAssertNotNil(DebianLicenseNames.spdx(Array(repeating: "Foo-bar-baz", count: 100).joined(separator: ", ")))
  }

  func testLicenceFileNamesAndPackageMetadata() {
    for name in ["LICENSE", "a/LICENCE.txt", "COPYING", "COPYING.LESSER", "LICENSE-MIT", "pkg/copyright", "License.md"]
    {
      XCTAssertTrue(LicenseScope.isLicenseFile(name), name)
    }
    for name in ["licensed.txt", "README", "src/license_check.c", "COPYRIGHTS", "license.py"] {
      XCTAssertFalse(LicenseScope.isLicenseFile(name), name)
    }
    let detector = LicenseDetector(referenceFolders: [])
    XCTAssertEqual(
      PackageMetadata.license(
        fileName: "PKG-INFO", text: "Metadata-Version: 2.4\nName: x\nLicense-Expression: MIT OR Apache-2.0\n\nbody\n",
        detector: detector)?.0.description,
      "MIT OR Apache-2.0")
    XCTAssertEqual(
      PackageMetadata.license(
        fileName: "METADATA", text: "Name: x\nLicense: UNKNOWN\nClassifier: License :: OSI Approved :: MIT License\n",
        detector: detector)?.0.description,
      "MIT")
    XCTAssertEqual(
      PackageMetadata.license(
        fileName: "package.json", text: "{\"name\": \"x\", \"license\": \"ISC\"}", detector: detector)?.0.description,
      "ISC")
    XCTAssertEqual(
      PackageMetadata.license(
        fileName: "Cargo.toml", text: "[package]\nname = \"x\"\nlicense = \"MIT OR Apache-2.0\"\n", detector: detector)?
        .0.description,
      "MIT OR Apache-2.0")
    XCTAssertEqual(
      PackageMetadata.license(
        fileName: "pyproject.toml", text: "[project]\nname = \"x\"\nlicense = {text = \"BSD-3-Clause\"}\n",
        detector: detector)?.0.description,
      "BSD-3-Clause")
    XCTAssertNil(
      PackageMetadata.license(fileName: "Cargo.toml", text: "[dependencies]\nlicense = \"MIT\"\n", detector: detector),
      "only [package]")
  }

  // MARK: The stage

  /// Ingests each source from its own folder `root/<input>` (file path → text), tags, returns the workspace.
  private func workspace(
    _ sources: [(name: String, root: String, files: [String: String])], partBytes: Int? = nil, name: String = "ws"
  ) throws -> Workspace {
    let workspace = try Workspace.create(at: folder + "/" + name)
    for source in sources {
      let input = folder + "/" + source.root
      for (path, text) in source.files {
        let file = input + "/" + path
        try FileManager.default.createDirectory(
          atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: file, atomically: false, encoding: .utf8)
      }
      var options = IngestOptions(source: source.name, paths: [input])
      if let partBytes { options.partBytes = partBytes }
      _ = try IngestStage.run(
        workspace: workspace, options: options, logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
        showProgress: false)
    }
    return workspace
  }

  private func tag(_ workspace: Workspace, scope: Bool = true, policy: String? = nil) throws {
    var options = TagOptions()
    options.threads = 2
    options.scope = scope
    if let policy {
      let path = folder + "/policy-\(UUID().uuidString).yaml"
      try policy.write(toFile: path, atomically: false, encoding: .utf8)
      options.policyPath = path
    }
    _ = try TagStage.run(workspace: workspace, options: options)
  }

  /// The licence row and the scope finding of the document read from `path` (relative to the input root) of `source`.
  private func licence(_ workspace: Workspace, _ source: String, _ path: String) throws -> (
    DocumentLicenseRecord?, LicenseFindingRecord?
  ) {
    let store = try workspace.openStoreForReading()
    let document = try XCTUnwrap(
      try store.documents(sourceID: try XCTUnwrap(store.source(named: source)).id).first { $0.path == path }, path)
    return (
      try store.documentLicense(documentID: document.id),
      try store.licenseFindings(documentID: document.id).first { $0.method == "scope" }
    )
  }

  private var tree: [(name: String, root: String, files: [String: String])] {
    [
      (
        "first", "one",
        [
          "pkg/LICENSE": Self.mit, "pkg/README": "A readme with nothing about terms.\n",
          "pkg/sub/COPYING": Self.gpl3Notice, "pkg/sub/x.txt": "Some notes.\n",
          "pkg/sub/deeper/z.txt": "Deeper notes.\n",
          "pkg/sub/header.c": "// SPDX-License-Identifier: Apache-2.0\nint f(void) { return 2; }\n",
        ]
      ),
      // The same relative paths in another source: its files are covered by nothing of the first.
      ("second", "two", ["pkg/README": "Another readme, no terms here either.\n", "pkg/sub/x.txt": "Other notes.\n"]),
    ]
  }

  func testTheNearestLicenceFileWinsAndScopeDoesNotCrossSources() throws {
    // Both inputs are folders named `in`, so the two sources' documents have the same relative paths.
    let sources = tree.map { ($0.name, $0.root + "/in", $0.files) }
    let workspace = try self.workspace(sources)
    try tag(workspace)
    let (readme, readmeFinding) = try licence(workspace, "first", "in/pkg/README")
    XCTAssertEqual(readme?.expression, "MIT")
    XCTAssertEqual(readme?.basis, "scope")
    XCTAssertEqual(readmeFinding?.evidence, "scope: in/pkg/LICENSE, licence text: MIT")
    XCTAssertEqual(
      try licence(workspace, "first", "in/pkg/sub/x.txt").0?.expression, "GPL-3.0-or-later", "the nearest file wins")
    XCTAssertEqual(try licence(workspace, "first", "in/pkg/sub/deeper/z.txt").0?.expression, "GPL-3.0-or-later")
    for path in ["in/pkg/README", "in/pkg/sub/x.txt"] {
      let (row, finding) = try licence(workspace, "second", path)
      XCTAssertEqual(row?.basis, "unknown", "\(path) of the second source")
      XCTAssertNil(finding)
    }
    // A file's own header that disagrees with its covering file: its own licence, and a conflict.
    let header = try XCTUnwrap(try licence(workspace, "first", "in/pkg/sub/header.c").0)
    XCTAssertEqual(header.expression, "Apache-2.0")
    XCTAssertEqual(header.basis, "detected")
    XCTAssertEqual(
      header.conflict, "the text says Apache-2.0 but in/pkg/sub/COPYING (licence text) gives GPL-3.0-or-later")
    // Without scope, the same documents are unknown again.
    try tag(workspace, scope: false)
    XCTAssertEqual(try licence(workspace, "first", "in/pkg/README").0?.basis, "unknown")
    // With a depth of 0, only a licence file in the document's own directory counts.
    var options = TagOptions()
    options.scopeDepth = 0
    _ = try TagStage.run(workspace: workspace, options: options)
    XCTAssertEqual(try licence(workspace, "first", "in/pkg/sub/deeper/z.txt").0?.basis, "unknown")
    XCTAssertEqual(try licence(workspace, "first", "in/pkg/sub/x.txt").0?.expression, "GPL-3.0-or-later")
  }

  /// A short name with no SPDX equivalent is read from its licence text: the paragraph's own, or
  /// the name's standalone License paragraph (also when that names a "with … exception" in full).
  func testShortNamesOutsideSPDXAreReadFromTheirText() throws {
    let copyright = """
      Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/

      Files: *
      Copyright: 2001 Someone
      License: PD
       This file has been put in the public domain.

      Files: x11/*
      Copyright: 1990 Consortium
      License: MIT/X11

      Files: pcre/*
      Copyright: 1997 University
      License: Cambridge-BSD with BINARY PACKAGES exception

      Files: mixed/*
      Copyright: 2005 Other
      License: GPL-2+ or Homebrew

      Files: odd/*
      Copyright: 2010 Odd
      License: Purdue-like
       Credit to the authors must appear in documentation and sources.

      Files: bare/*
      Copyright: 2011 Bare
      License: Nameless

      Files: nc/*
      Copyright: 2012 Shop
      License: NonCommercial
       You may use this program for non-commercial purposes only. Parts of it were
       once released under the MIT License.

      License: MIT/X11
      \(Self.mit.split(separator: "\n", omittingEmptySubsequences: false).map { $0.isEmpty ? " ." : " " + $0 }
        .joined(separator: "\n"))

      License: Cambridge-BSD with BINARY PACKAGES exception
       Redistribution and use in source and binary forms, with or without modification, are permitted provided that
       the following conditions are met: ... Neither the name of the University nor the names of its contributors may
       be used to endorse or promote products derived from this software without specific prior written permission.

      License: Homebrew
       Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby
       granted, provided that the above copyright notice and this permission notice appear in all copies.

      """
    let file = try XCTUnwrap(DEP5File.parse(copyright))
    XCTAssertEqual(file.stanzas[0].text, "This file has been put in the public domain.")
    XCTAssertEqual(file.licenseTexts["homebrew"]?.line, 48)
    XCTAssertNil(file.licenseTexts["gpl-2+"], "only standalone paragraphs are license texts")
    var scope = LicenseScope()
    scope.add(source: 1, path: "p/copyright", text: copyright, detector: LicenseDetector(referenceFolders: []))
    scope.finish()
    func cover(_ path: String) -> (String?, String?) {
      let cover = scope.cover(source: 1, path: path)
      return (cover?.expression.description, cover?.detail)
    }
    XCTAssertEqual(
      cover("p/README").0, "LicenseRef-public-domain", "its own text: a public-domain dedication")
    XCTAssertEqual(cover("p/README").1, "Files: * (line 3); PD read from its text in this paragraph")
    XCTAssertEqual(cover("p/x11/a.c").0, "MIT")
    XCTAssertEqual(cover("p/x11/a.c").1, "Files: x11/* (line 8); MIT/X11 read from its License paragraph (line 35)")
    XCTAssertEqual(cover("p/pcre/a.c").0, "BSD-3-Clause", "a paragraph naming the exception in full")
    XCTAssertEqual(cover("p/mixed/a.c").0, "GPL-2.0-or-later OR ISC", "a known name beside a read one")
    XCTAssertEqual(cover("p/odd/a.c").0, "LicenseRef-Debian-Purdue-like", "a text that reads as nothing")
    XCTAssertEqual(cover("p/bare/a.c").0, "LicenseRef-Debian-Nameless", "no text at all")
    XCTAssertEqual(cover("p/bare/a.c").1, "Files: bare/* (line 25)")
    XCTAssertEqual(
      cover("p/nc/a.c").0, "LicenseRef-Debian-NonCommercial", "a licence named in passing is no reading")
  }

  func testDEP5AndPackageMetadataCoverTheirTrees() throws {
    let workspace = try self.workspace([
      (
        "debian", "d",
        [
          "sample/copyright": Self.dep5, "sample/README": "Read me.\n", "sample/doc/guide/intro.txt": "Intro.\n",
          "sample/doc/legacy-1.txt": "Legacy.\n",
        ]
      ),
      (
        "python", "p",
        [
          "pkg/PKG-INFO": "Metadata-Version: 2.4\nName: pkg\nLicense-Expression: MIT\n\nA package.\n",
          "pkg/pkg/mod.py": "x = 1\n",
        ]
      ),
      (
        "rust", "r",
        [
          "crate/Cargo.toml": "[package]\nname = \"c\"\nlicense = \"MIT OR Apache-2.0\"\n",
          "crate/src/lib.rs": "fn f() {}\n",
        ]
      ),
      (
        "node", "n",
        ["mod/package.json": "{\"name\": \"m\",\n \"license\": \"ISC\"\n}\n", "mod/index.js": "module.exports = 1;\n"]
      ),
    ])
    try tag(workspace)
    let (readme, readmeFinding) = try licence(workspace, "debian", "d/sample/README")
    XCTAssertEqual(readme?.expression, "GPL-2.0-or-later")
    XCTAssertEqual(readmeFinding?.evidence, "scope: d/sample/copyright, Files: * (line 4): GPL-2.0-or-later")
    // The trace shows the chain: the document, its covering file and paragraph, the licence.
    let store = try workspace.openStoreForReading()
    let readmeID = try XCTUnwrap(
      try store.documents(sourceID: try XCTUnwrap(store.source(named: "debian")).id).first {
        $0.path == "d/sample/README"
      }
    ).id
    XCTAssertTrue(
      try DocumentTrace.lines(workspace: workspace, documentID: readmeID).contains(
        "  covered d/sample/copyright, Files: * (line 4): GPL-2.0-or-later (licence scope)"))
    XCTAssertEqual(try licence(workspace, "debian", "d/sample/doc/guide/intro.txt").0?.expression, "CC-BY-4.0")
    XCTAssertEqual(try licence(workspace, "debian", "d/sample/doc/legacy-1.txt").0?.expression, "BSD-3-Clause OR MIT")
    XCTAssertEqual(try licence(workspace, "python", "p/pkg/pkg/mod.py").0?.expression, "MIT")
    XCTAssertEqual(
      try licence(workspace, "python", "p/pkg/pkg/mod.py").1?.evidence,
      "scope: p/pkg/PKG-INFO, License-Expression (line 3): MIT")
    XCTAssertEqual(try licence(workspace, "rust", "r/crate/src/lib.rs").0?.expression, "MIT OR Apache-2.0")
    // package.json is read as JSON records by ingest, so the scope reads it from the input tree.
    XCTAssertEqual(try licence(workspace, "node", "n/mod/index.js").0?.expression, "ISC")
  }

  func testTasksAndAMergeGiveWhatOneProcessGives() throws {
    // One file per part: licence files and the files they cover land in different parts and tasks.
    let single = try workspace(tree, partBytes: 1, name: "single")
    try tag(single)
    func rows(_ workspace: Workspace) throws -> [String] {
      try workspace.openStoreForReading().read { db in
        try String.fetchAll(
          db,
          sql: """
            SELECT document_id || '|' || coalesce(expression, '') || '|' || basis || '|' || coalesce(conflict, '') FROM document_licenses
            UNION ALL SELECT document_id || '|' || spdx || '|' || method || '|' || coalesce(evidence, '') FROM license_findings ORDER BY 1
            """)
      }
    }
    let expected = try rows(single)
    XCTAssertTrue(expected.contains { $0.contains("|scope|") }, "\(expected)")
    XCTAssertGreaterThan(try single.openStoreForReading().allParts().count, 5)
    for tasks in [1, 3, 7] {
      let split = try workspace(tree, partBytes: 1, name: "split-\(tasks)")
      var options = TagOptions()
      options.tasks = tasks
      options.step = .task
      for task in 0..<tasks {
        options.task = task
        _ = try TagStage.run(workspace: split, options: options)
      }
      options.step = .merge
      _ = try TagStage.run(workspace: split, options: options)
      XCTAssertEqual(try rows(split), expected, "\(tasks) tasks")
    }
  }
}
