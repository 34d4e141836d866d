import Foundation
import HatcheryCore
import XCTest

@testable import Licensing

final class LicenseDetectorTests: XCTestCase {
  let detector = LicenseDetector(referenceFolders: [])

  private func ids(_ text: String, _ detector: LicenseDetector? = nil) -> [String] {
    (detector ?? self.detector).detect(text).map(\.spdx)
  }

  func testTagsAreParsedAndLocated() {
    let text =
      "/* SPDX-License-Identifier: GPL-2.0+ */\n// spdx-license-identifier: (MIT OR Apache-2.0)\n# SPDX-License-Identifier: not-a-licence\n"
    let findings = detector.detect(text).filter { $0.method == .tag }
    XCTAssertEqual(findings.map(\.spdx), ["GPL-2.0-or-later", "MIT OR Apache-2.0"])
    XCTAssertEqual(findings.map(\.confidence), [1, 1])
    XCTAssertEqual(findings[0].start, 3)
    XCTAssertEqual(LicenseDetector.expression(of: detector.detect(text)), "GPL-2.0-or-later AND (MIT OR Apache-2.0)")
    // A misspelled marker seen in released code; a marker cut short is none.
    XCTAssertEqual(ids("# SPDX-License-Identifer: Apache-2.0\n"), ["Apache-2.0"])
    XCTAssertEqual(detector.detect("# SPDX-License-Ident: Apache-2.0\n").filter { $0.method == .tag }.count, 0)
    XCTAssertEqual(detector.detect("SPDX-License-Identifi").filter { $0.method == .tag }.count, 0)
  }

  func testGNUVersionsAndOrLaterAreToldApart() {
    let cases: [(String, String)] = [
      (
        "under the terms of the GNU General Public License version 2 as published by the Free Software Foundation.",
        "GPL-2.0-only"
      ),
      (
        "either version 2 of the GNU General Public License, or (at your option) any later version.", "GPL-2.0-or-later"
      ),
      ("under the terms of version 2 of the GNU General Public License as published by the FSF", "GPL-2.0-only"),
      // British spelling: "Licence" is the same word.
      (
        "under the terms of the GNU General Public Licence as published by the Free Software Foundation; either version"
          + " 2 of the Licence, or (at your option) any later version.", "GPL-2.0-or-later"
      ),
      ("On Debian systems, the complete text of the GNU General Public License version 2 can be found", "GPL-2.0-only"),
      ("see /usr/share/common-licenses/Apache-2.0 for the text", "Apache-2.0"),
      (
        "under the terms of the GNU General Public License as published by the Free Software Foundation; either version 2 of the License, or (at your option) any later version.",
        "GPL-2.0-or-later"
      ),
      ("GNU General Public License v3.0 or later", "GPL-3.0-or-later"),
      ("the GNU Lesser General Public License version 2.1", "LGPL-2.1-only"),
      (
        "GNU Lesser General Public License as published by the Free Software Foundation, version 3 or any later version",
        "LGPL-3.0-or-later"
      ),
      ("GNU Library General Public License version 2", "LGPL-2.0-only"),
      ("GNU Affero General Public License, version 3", "AGPL-3.0-only"),
      ("GNU Free Documentation License, Version 1.3 or any later version published by the FSF", "GFDL-1.3-or-later"),
      (
        "On Debian systems, the complete text of version 1 of the GNU General Public License can be found",
        "GPL-1.0-only"
      ),
    ]
    for (text, expected) in cases {
      XCTAssertEqual(ids(text), [expected], text)
    }
    // "Or later" past the notice's end (a blank line, a comment's close) is code's, not the grant's.
    let code = "// Licensed under the terms of the GNU General Public License, version 2.\n\n"
    XCTAssertEqual(
      ids(code + "#include \"x.h\"\n\n\t// 128 or later belong to non us-ascii character set.\n"), ["GPL-2.0-only"])
    XCTAssertEqual(ids("/* Licensed under the GNU GPL version 2 */\nint v; /* 2.6 or later */"), ["GPL-2.0-only"])
    XCTAssertEqual(
      ids("/* under the GNU GPL version 2\n * or (at your option) any later version */"), ["GPL-2.0-or-later"])
    // A pointer to the text of version 2 gives way to a grant of version 2 or later.
    let both =
      "under the GNU General Public License, either version 2 of the License, or (at your option) any later"
      + " version. The complete text of the GNU General Public License version 2 is in /usr/share/common-licenses/GPL-2."
    XCTAssertEqual(ids(both), ["GPL-2.0-or-later"])
    let versionFirst =
      "under the terms of the GNU General Public License as published by the Free Software Foundation;"
      + " either version 1, or (at your option) any later version. On Debian systems, the complete text of version 1"
      + " of the GNU General Public License can be found in /usr/share/common-licenses/GPL-1."
    XCTAssertEqual(ids(versionFirst), ["GPL-1.0-or-later"])
  }

  /// A GFDL grant "with no Invariant Sections, no Front-Cover Texts, and no Back-Cover Texts" is
  /// SPDX's no-invariants variant (Debian's GFDL-NIV); one that lists cover texts, or says nothing
  /// of them, is the plain id. The pointer to the GFDL's text gives way to the variant's grant.
  func testGFDLWithoutInvariantSections() {
    let grant =
      "Permission is granted to copy, distribute and/or modify this document under the terms of the GNU Free"
      + " Documentation License, Version 1.3 or any later version published by the Free Software Foundation;"
      + " with no Invariant Sections, no Front-Cover Texts, and no Back-Cover Texts."
    XCTAssertEqual(ids(grant), ["GFDL-1.3-no-invariants-or-later"])
    XCTAssertEqual(
      ids(
        grant + " On Debian systems, the complete text of the GNU Free Documentation License version 1.3 can be found"),
      ["GFDL-1.3-no-invariants-or-later"])
    XCTAssertEqual(
      ids(
        "under the terms of the GNU Free Documentation License, Version 1.2 published by the Free Software"
          + " Foundation; with no Invariant Sections, no Front-Cover Texts, and no Back-Cover Texts."),
      ["GFDL-1.2-no-invariants-only"])
    XCTAssertEqual(
      ids(
        "under the terms of the GNU Free Documentation License, Version 1.3 or any later version; with no"
          + " Invariant Sections, with the Front-Cover Texts being \"A GNU Manual\", and with no Back-Cover Texts."),
      ["GFDL-1.3-or-later"])
  }

  /// Abbreviations with their version, a "+" for "or later", and grants of a GNU licence that name
  /// no version (any version: the first or later) unless a version is named elsewhere.
  func testGNUAbbreviationsAndUnversionedGrants() {
    let cases: [(String, [String])] = [
      ("This driver is licensed under the GPLv2.", ["GPL-2.0-only"]),
      ("Released under GPL v3 or later.", ["GPL-3.0-or-later"]),
      ("The library is available under LGPLv2.1+ as well.", ["LGPL-2.1-or-later"]),
      ("It is dual-licensed under \"the GNU LGPLv3+ or the GNU GPLv2+\".", ["GPL-2.0-or-later", "LGPL-3.0-or-later"]),
      ("This file is licenced under the GPL.", ["GPL-1.0-or-later"]),
      (
        "Redistribution of this file is permitted under the terms of the GNU Public License (GPL)", ["GPL-1.0-or-later"]
      ),
      ("may be used under the terms of the GNU Public License version 2 (the \"GPL\")", ["GPL-2.0-only"]),
      (
        "under the terms of the GNU General Public License version 2. See the GNU General Public License for more"
          + " details.", ["GPL-2.0-only"]
      ),
      ("This licence is not GPL2 compatible.", []),
      (
        "# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)",
        ["GPL-3.0-or-later"]
      ),
      ("the GNU General Public License version 2 + a linking exception", ["GPL-2.0-only"]),
      // A section of the licence cited (the GPL's form for an exception), not a second grant.
      (
        "under the terms of the GNU General Public License as published by the Free Software Foundation, either"
          + " version 3 of the License, or (at your option) any later version.\n\nAdditional permission under GNU GPL"
          + " version 3 section 7", ["GPL-3.0-or-later"]
      ),
      (
        "the GNU General Public License; either version 3, or (at your option) any later version.\n\nUnder Section 7 of"
          + " GPL version 3, you are granted additional permissions", ["GPL-3.0-or-later"]
      ),
      ("Additional permission under GPLv3 section 7:", []),
      ("Additional permission under GNU GPL version 3 section 7", []),
      ("see http://www.gnu.org/licenses/gpl-3.0.html", []),
      ("/* SPDX-License-Identifier: GPL-2.0+ */", ["GPL-2.0-or-later"]),
    ]
    for (text, expected) in cases {
      XCTAssertEqual(Set(ids(text)), Set(expected), text)
    }
  }

  func testNoticesOfPermissiveAndOtherLicences() {
    let cases: [(String, String)] = [
      ("Permission is hereby granted, free of charge, to any person obtaining a copy of this software", "MIT"),
      (
        "Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted",
        "ISC"
      ),
      (
        "Redistribution and use in source and binary forms, with or without modification, are permitted provided that the following conditions are met: 1. Redistributions of source code",
        "BSD-2-Clause"
      ),
      (
        "Redistribution and use in source and binary forms, with or without modification, are permitted provided that: ... 3. Neither the name of the project nor the names of its contributors may be used",
        "BSD-3-Clause"
      ),
      (
        "Redistribution and use in source and binary forms, with or without modification, are permitted provided that: ... Neither name of copyright holders nor the names of its contributors may be used to endorse or promote products derived from this software",
        "BSD-3-Clause"
      ),
      ("Licensed under the Apache License, Version 2.0 (the \"License\");", "Apache-2.0"),
      ("This Source Code Form is subject to the terms of the Mozilla Public License, v. 2.0.", "MPL-2.0"),
      ("made available under the terms of the Eclipse Public License v. 2.0", "EPL-2.0"),
      ("made available under the terms\nof the Eclipse Public License v2.0 which is available at", "EPL-2.0"),
      ("and the Eclipse Distribution License v1.0 which accompany this distribution", "BSD-3-Clause"),
      (
        "2. Altered source versions must be plainly marked as such, and must not be misrepresented as being the original software.",
        "Zlib"
      ),
      (
        "Permission is granted to anyone to use this software for any purpose,\n   including commercial applications, and"
          + " to alter it and redistribute it\n   freely, subject to the following restrictions:\n\n   1. The origin of"
          + " this source code must not be misrepresented; you must not\n      claim that you wrote the original source"
          + " code.", "Zlib"
      ),
      (
        "Redistribution and use of this software in source and binary forms,\nwith or without modification, are"
          + " permitted provided that the following conditions are met: ... Neither the name of the team, nor the names"
          + " of its contributors may be used to endorse or promote products", "BSD-3-Clause"
      ),
      ("This is free and unencumbered software released into the public domain.", "Unlicense"),
      (
        " * You may opt to use, copy, modify, merge, publish, distribute and/or sell\n * copies of the Software, and permit",
        "curl"
      ),
      ("To the extent possible under law, the author has waived all rights: CC0 1.0 Universal", "CC0-1.0"),
      ("This work is licensed under a Creative Commons Attribution 4.0 International License.", "CC-BY-4.0"),
      ("see https://creativecommons.org/licenses/by-sa/3.0/ for the terms", "CC-BY-SA-3.0"),
      ("Creative Commons Attribution-NonCommercial-NoDerivatives 4.0 International", "CC-BY-NC-ND-4.0"),
      ("licensed CC BY-NC-SA 4.0", "CC-BY-NC-SA-4.0"),
      (
        "Creative Commons Legal Code\n\nAttribution-ShareAlike 3.0 Unported\n\nCREATIVE COMMONS CORPORATION",
        "CC-BY-SA-3.0"
      ),
      (
        "The author hereby places this file in the public domain; it is placed in the public domain.",
        "LicenseRef-public-domain"
      ),
      (
        "This program is free software; you can redistribute it under the same terms as Perl itself.",
        "Artistic-1.0-Perl OR GPL-1.0-or-later"
      ),
      ("Licensed under the Python Software Foundation License Version 2", "PSF-2.0"),
      (
        " * Permission is hereby granted to use or copy this program\n * for any purpose,  provided the above notices are"
          + " retained on all copies.", "Boehm-GC"
      ),
      (
        "Permission is hereby granted, free of charge, to any person or organization obtaining a copy of the "
          + "software and accompanying documentation covered by this license (the \"Software\") to use",
        "BSL-1.0"
      ),
      (
        "1. This LICENSE AGREEMENT is between the Python Software Foundation (\u{201C}PSF\u{201D}), and the "
          + "Individual or Organization (\u{201C}Licensee\u{201D}) accessing and otherwise using Python",
        "PSF-2.0"
      ),
      ("The Artistic License 2.0\n\nCopyright (c) 2000-2006, The Perl Foundation.", "Artistic-2.0"),
      (
        "This license establishes the terms under which a given free software Package may be copied, modified",
        "Artistic-2.0"
      ),
      (" * Licensed under the Academic Free License version 2.1", "AFL-2.1"),
      (
        " * Provided that these terms and disclaimer and all copyright notices\n * are retained or reproduced in an"
          + " accompanying document, permission\n * is granted to deal in this work without restriction", "MirOS"
      ),
      ("This package is distributed under the Zope Public License (ZPL) Version 2.1.", "ZPL-2.1"),
      ("Licensed to you under the Universal Permissive License (UPL) 1.0 as shown at the address below.", "UPL-1.0"),
    ]
    for (text, expected) in cases {
      XCTAssertEqual(ids(text), [expected], text)
    }
    XCTAssertEqual(ids("A plain sentence about gardening, with no licence in it."), [])
  }

  func testFullTextsMatchTheReferencesByBigramSimilarity() throws {
    let folder = NSTemporaryDirectory() + "hatchery-licences-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    // A made-up licence text, filed under an SPDX id as license-list-data names its files.
    var state: UInt64 = 9
    let words = (0..<600).map { _ -> String in
      state = state &* 6_364_136_223_846_793_005 &+ 1
      return "term\((state >> 40) % 400)"
    }
    let reference = words.joined(separator: " ")
    try reference.write(toFile: folder + "/0BSD.txt", atomically: false, encoding: .utf8)
    let detector = LicenseDetector(referenceFolders: [folder])
    XCTAssertEqual(detector.referenceIDs, ["0BSD"])
    var edited = words
    for index in stride(from: 0, to: 600, by: 50) { edited[index] = "changed" }
    let own = detector.detect(edited.joined(separator: "\n"))
    XCTAssertEqual(own.map(\.spdx), ["0BSD"])
    XCTAssertEqual(own.first?.method, .text)
    XCTAssertGreaterThan(own.first?.confidence ?? 0, 0.8)
    XCTAssertLessThan(own.first?.confidence ?? 1, 1)
    let embedded =
      "Copyright notes and other words first.\n" + String(repeating: "filler text here ", count: 800) + reference
    XCTAssertEqual(detector.detect(embedded).map(\.spdx), ["0BSD"], "a licence text inside a longer file")
    // Copies often drop a text's heading or disclaimer (CC0's "Creative Commons Corporation is not
    // a law firm"): a text inside a longer file still counts when it holds 90% of the reference.
    let filler = "Copyright notes and other words first.\n" + String(repeating: "filler text here ", count: 800)
    XCTAssertEqual(detector.detect(filler + words[48...].joined(separator: " ")).map(\.spdx), ["0BSD"])
    XCTAssertEqual(detector.detect(filler + words[90...].joined(separator: " ")).map(\.spdx), [])
    XCTAssertEqual(detector.detect(words.prefix(200).joined(separator: " ")).map(\.spdx), [], "a third is not the text")
  }

  func testALinkToAnotherReferenceIsReadUnderItsTargetsName() throws {
    let folder = NSTemporaryDirectory() + "hatchery-licences-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let text = (0..<300).map { "word\($0 % 97) term\($0 % 89)" }.joined(separator: " ")
    try text.write(toFile: folder + "/GPL-3", atomically: false, encoding: .utf8)
    // Debian's "GPL" links to GPL-3; the SPDX list reads the name "GPL" as GPL-1.0-or-later.
    try FileManager.default.createSymbolicLink(atPath: folder + "/GPL", withDestinationPath: "GPL-3")
    let detector = LicenseDetector(referenceFolders: [folder])
    XCTAssertEqual(detector.referenceIDs, ["GPL-3.0-only"])
    XCTAssertEqual(detector.detect(text).map(\.spdx), ["GPL-3.0-only"])
  }

  func testTheAfferoGPLsOwnMentionsOfGPL3AreItsText() {
    let agpl = """
                          GNU AFFERO GENERAL PUBLIC LICENSE
                             Version 3, 19 November 2007
        13. Remote Network Interaction; Use with the GNU General Public License.
        ... you have permission to link or combine any covered work with a work licensed
      under version 3 of the GNU General Public License into a single combined work ...
                           END OF TERMS AND CONDITIONS
      """
    XCTAssertEqual(ids(agpl), ["AGPL-3.0-only"])
    // A grant after the terms is the document's own.
    XCTAssertEqual(
      ids(agpl + "\nParts are licensed under version 3 of the GNU General Public License.").sorted(),
      ["AGPL-3.0-only", "GPL-3.0-only"])
  }

  /// A licence text that names another licence (as GPL-3's section 13 names the Affero GPL)
  /// gives that licence only when the document names it again outside the text.
  func testALicenceTextsOwnMentionOfAnotherLicenceIsNotANotice() throws {
    let folder = NSTemporaryDirectory() + "hatchery-licences-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    var state: UInt64 = 5
    let words = (0..<400).map { _ -> String in
      state = state &* 6_364_136_223_846_793_005 &+ 1
      return "clause\((state >> 40) % 300)"
    }
    let mention = "A work may be combined with one licensed under the GNU Affero General Public License, version 3."
    let reference = words[..<200].joined(separator: " ") + "\n" + mention + "\n" + words[200...].joined(separator: " ")
    try reference.write(toFile: folder + "/0BSD.txt", atomically: false, encoding: .utf8)
    let detector = LicenseDetector(referenceFolders: [folder])
    XCTAssertEqual(
      LicenseDetector(referenceFolders: []).detect(mention).map(\.spdx), ["AGPL-3.0-only"],
      "alone, the sentence is a notice")
    XCTAssertEqual(detector.detect(reference).map(\.spdx), ["0BSD"], "inside the text it is the text's")
    let granted =
      reference + "\n\nThe bundled server is licensed under the GNU Affero General Public License, version 3.\n"
    XCTAssertEqual(
      Set(detector.detect(granted).map(\.spdx)), ["0BSD", "AGPL-3.0-only"],
      "said again outside the text, it is a notice")
  }

  /// The BSD variants differ by a clause, too little for bigram similarity: a 2-clause text is
  /// close enough to the 3-clause reference to match it, and its clauses say it is the 2-clause.
  func testABSDTextIsTheVariantItsClausesSay() throws {
    let folder = NSTemporaryDirectory() + "hatchery-licences-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    let grant = """
      Redistribution and use in source and binary forms, with or without modification, are permitted provided \
      that the following conditions are met:
      1. Redistributions of source code must retain the above copyright notice, this list of conditions and \
      the following disclaimer.
      2. Redistributions in binary form must reproduce the above copyright notice, this list of conditions and \
      the following disclaimer in the documentation and/or other materials provided with the distribution.

      """
    let endorsement = """
      3. Neither the name of the copyright holder nor the names of its contributors may be used to endorse or \
      promote products derived from this software without specific prior written permission.

      """
    let disclaimer = """
      THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR IMPLIED \
      WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A \
      PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY \
      DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES ARISING IN ANY WAY OUT OF THE USE \
      OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
      """
    try (grant + endorsement + disclaimer).write(
      toFile: folder + "/BSD-3-Clause.txt", atomically: false, encoding: .utf8)
    let detector = LicenseDetector(referenceFolders: [folder])
    let threeClause = detector.detect("Copyright (c) 2024 Example Authors\n\n" + grant + endorsement + disclaimer)
    XCTAssertEqual(Set(threeClause.map(\.spdx)), ["BSD-3-Clause"])
    XCTAssertTrue(threeClause.contains { $0.method == .text })
    let twoClause = detector.detect("Copyright (c) 2024 Example Authors\n\n" + grant + disclaimer)
    XCTAssertEqual(twoClause.map(\.spdx), ["BSD-2-Clause"])
    // The two clauses under the MIT licence's disclaimer are the OpenIB.org BSD licence, and the
    // reference text's 3-clause reading gives way to it.
    let mitDisclaimer = """
      THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED \
      TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
      """
    let openIB = detector.detect("Copyright (c) 2024 Example Authors\n\n" + grant + mitDisclaimer)
    XCTAssertEqual(openIB.map(\.spdx), ["Linux-OpenIB"])
    // Lawrence Berkeley National Laboratory's clause on enhancements after the disclaimer: its
    // variant of the 3-clause licence, the grant and the reference's reading included.
    let enhancements = """

      You are under no obligation whatsoever to provide any bug fixes, patches, or upgrades to the features, \
      functionality or performance of the source code ("Enhancements") to anyone; however, if you choose to make \
      your Enhancements available …
      """
    let lbnl = detector.detect(
      "Copyright (c) 2024 Example Authors\n\n" + grant + endorsement + disclaimer + enhancements)
    XCTAssertEqual(lbnl.map(\.spdx), ["BSD-3-Clause-LBNL"])
    // A BSD text of its own far before the clause stays one.
    let apart = detector.detect(
      grant + endorsement + disclaimer + String(repeating: "\nOther files are under other terms.", count: 100)
        + "\n\n" + grant + endorsement + disclaimer + enhancements)
    XCTAssertEqual(Set(apart.map(\.spdx)), ["BSD-3-Clause", "BSD-3-Clause-LBNL"])
    // The BSD+Patent licence: the two clauses, then its patent grant.
    let patentGrant = """

      Subject to the terms and conditions of this license, each copyright holder and contributor hereby \
      grants to those receiving rights under this license a perpetual, worldwide, non-exclusive, no-charge, \
      royalty-free, irrevocable (except for failure to satisfy the conditions of this license) patent license …

      """
    let bsdPatent = detector.detect("Copyright (c) 2024 Example Authors\n\n" + grant + patentGrant + disclaimer)
    XCTAssertEqual(bsdPatent.map(\.spdx), ["BSD-2-Clause-Patent"])
    // HDF5's licence is the grant, the clauses and that clause under its own title.
    let hdf5 = detector.detect(
      "Copyright Notice and License Terms for\nHDF5 (Hierarchical Data Format 5) Software Library and Utilities\n\n"
        + grant + endorsement + disclaimer + enhancements)
    XCTAssertEqual(hdf5.map(\.spdx), ["HDF5"])
    // Without the clause on binary forms: the source clause alone is BSD-1-Clause, with the
    // endorsement clause right after it BSD-Source-Code; other clauses between them (bzip2's on
    // the origin and altered versions) leave the 3-clause reading.
    let sourceOnly = """
      Redistribution and use in source and binary forms, with or without modification, are permitted provided \
      that the following conditions are met:
      1. Redistributions of source code must retain the above copyright notice, this list of conditions and \
      the following disclaimer.

      """
    XCTAssertEqual(ids(sourceOnly + disclaimer, detector), ["BSD-1-Clause"])
    let sourceCode = sourceOnly + endorsement.replacingOccurrences(of: "3.", with: "2.") + disclaimer
    XCTAssertEqual(ids(sourceCode, detector), ["BSD-Source-Code"])
    let bzip2 = """
      2. The origin of this software must not be misrepresented; you must not claim that you wrote the original \
      software. If you use this software in a product, an acknowledgment in the product documentation would be \
      appreciated but is not required.
      3. Altered source versions must be plainly marked as such, and must not be misrepresented as being the \
      original software.

      """
    // (Its clause on the origin is zlib's, read as that licence's notice.)
    XCTAssertEqual(Set(ids(sourceOnly + bzip2 + endorsement + disclaimer, detector)), ["BSD-3-Clause", "Zlib"])
  }

  /// Versions of one licence whose texts differ (GPL-2 and GPL-3) are both found in a file that
  /// holds both; versions that share most of their text (LGPL-2.0 and 2.1) give the closer one.
  func testDifferentVersionsOfOneLicenceInOneFileAreBothFound() throws {
    let folder = NSTemporaryDirectory() + "hatchery-licences-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: folder) }
    func text(seed: UInt64, count: Int = 500) -> [String] {
      var state = seed
      return (0..<count).map { _ in
        state = state &* 6_364_136_223_846_793_005 &+ 1
        return "w\((state >> 40) % 500)"
      }
    }
    let gpl2 = text(seed: 3)
    let gpl3 = text(seed: 4)
    var lgpl21 = gpl2
    for index in stride(from: 0, to: lgpl21.count, by: 40) { lgpl21[index] = "changed" }
    try gpl2.joined(separator: " ").write(toFile: folder + "/GPL-2", atomically: false, encoding: .utf8)
    try gpl3.joined(separator: " ").write(toFile: folder + "/GPL-3", atomically: false, encoding: .utf8)
    try gpl2.joined(separator: " ").write(toFile: folder + "/LGPL-2", atomically: false, encoding: .utf8)
    try lgpl21.joined(separator: " ").write(toFile: folder + "/LGPL-2.1", atomically: false, encoding: .utf8)
    let detector = LicenseDetector(referenceFolders: [folder])
    let both = (gpl2 + ["\n\n"] + gpl3).joined(separator: " ")
    XCTAssertEqual(
      Set(detector.detect(both).filter { $0.spdx.hasPrefix("GPL") }.map(\.spdx)), ["GPL-2.0-only", "GPL-3.0-only"])
    XCTAssertEqual(
      detector.detect(lgpl21.joined(separator: " ")).filter { $0.spdx.hasPrefix("LGPL") }.map(\.spdx),
      ["LGPL-2.1-only"])
  }

  /// A notice's version is looked for up to the end of its comment or paragraph, not in the code
  /// after it; name variants seen in the wild ("General Lesser", "Apache Public License 2.0").
  func testANoticeEndsWithItsCommentAndNameVariantsAreRead() {
    let unversioned = """
      /*
       * Redistribution of this file is permitted under
       * the terms of the GNU Public License (GPL)
       */
      #define DRIVER_VERSION 3.6
      """
    XCTAssertEqual(ids(unversioned), ["GPL-1.0-or-later"])
    XCTAssertEqual(
      ids("Licensed under the GNU Public License (GPL)\n\nRelease notes for version 3 of the tool"),
      ["GPL-1.0-or-later"])
    XCTAssertEqual(ids("under the GNU General Public License\n * version 2, as published by the FSF"), ["GPL-2.0-only"])
    XCTAssertEqual(
      ids(
        "modify it under the terms of the GNU General Lesser Public License as published by the Free Software Foundation; "
          + "either version 2.1 of the License, or (at your option) any later version."), ["LGPL-2.1-or-later"])
    XCTAssertEqual(
      ids("You may use this under the terms of the Apache Public License 2.0, at your option."), ["Apache-2.0"])
  }

  func testLicencesGrantedByNameAreRead() {
    let cases: [(String, [String])] = [
      ("Released under the MIT License.", ["MIT"]),
      ("Licensed under Apache-2.0; see LICENSE.", ["Apache-2.0"]),
      ("Distributed under the 2-clause BSD licence.", ["BSD-2-Clause"]),
      ("Copyright 2020 A. Author. Simplified BSD License applies.", ["BSD-2-Clause"]),
      ("This library is under the New BSD license.", ["BSD-3-Clause"]),
      ("License: ISC", ["ISC"]),
      (" * Licensed MIT \u{00A9} Zeno Rocha", ["MIT"]),
      // A name joined to another licence's by "or" or "/" takes the "license" after that one; a
      // path's next segment is no licence.
      (" * Available via the MIT or new BSD license.", ["MIT OR BSD-3-Clause"]),
      ("* @preserve HTML5 Shiv 3.7.3 | MIT/GPL2 Licensed", ["GPL-2.0-only", "MIT"]),
      ("Backblaze has also utilized other open source code (psf/requests) licensed under", []),
      ("under the zlib license", ["Zlib"]),
      ("Fonts under the SIL Open Font License, Version 1.1", ["OFL-1.1"]),
      ("the terms of the Mozilla Public License 2.0", ["MPL-2.0"]),
      ("This file is provided under a dual BSD/GPLv2 license.", ["BSD-3-Clause", "GPL-2.0-only"]),
      ("It is distributed under a BSD-style license found in the LICENSE file.", ["BSD-3-Clause"]),
      ("distributed under the terms of the FreeType project license, LICENSE.TXT.", ["FTL"]),
      ("Licensed under the MIT License, except where otherwise noted.", ["MIT"]),
      ("This file is dual licensed under either the MIT or GPL 2. See MIT.txt", ["GPL-2.0-only", "MIT"]),
      (
        "This file is dual licensed under the terms of the Apache License, Version 2.0, and the BSD License.",
        ["Apache-2.0", "BSD-3-Clause"]
      ),
    ]
    for (text, expected) in cases { XCTAssertEqual(ids(text).sorted(), expected, text) }
  }

  func testANamedLicenceThatIsNotAGrantIsNotRead() {
    // A statement about licences, a value in code, a tag (read by the tag rules), a bare word.
    XCTAssertEqual(ids("This code is compatible with the MIT license."), [])
    XCTAssertEqual(ids("The Apache License, Version 2.0 is not GPL2 compatible."), [])
    XCTAssertEqual(ids("prog.license = (long) \"Dual BSD/GPL\";"), [])
    XCTAssertEqual(ids("// SPDX-License-Identifier: MIT"), ["MIT"])
    XCTAssertEqual(detector.detect("// SPDX-License-Identifier: MIT").map(\.method), [.tag])
    XCTAssertEqual(ids("Ported from the BSD kernel by MIT students."), [])
    // The clauses of a BSD text say its variant; the bare name then adds nothing.
    let twoClauses = """
      BSD license. Redistribution and use in source and binary forms, with or without modification, are permitted \
      provided that the following conditions are met: 1. Redistributions of source code must retain the above \
      copyright notice.
      """
    XCTAssertEqual(ids(twoClauses), ["BSD-2-Clause"])
  }

  func testAKernelModuleMacroIsReadOnlyWhenTheTextGrantsNothing() {
    XCTAssertEqual(ids("#include <linux/module.h>\nMODULE_LICENSE(\"GPL\");\n"), ["GPL-2.0-or-later"])
    XCTAssertEqual(ids("MODULE_LICENSE(\"GPL v2\");"), ["GPL-2.0-only"])
    XCTAssertEqual(ids("MODULE_LICENSE(\"GPL and additional rights\");"), ["GPL-2.0-only"])
    XCTAssertEqual(ids("MODULE_LICENSE(\"Dual MIT/GPL\");"), ["MIT OR GPL-2.0-only"])
    XCTAssertEqual(detector.detect("MODULE_LICENSE(\"Dual BSD/GPL\");").map(\.confidence), [0.5])
    XCTAssertEqual(ids("MODULE_LICENSE(\"Proprietary\");"), [])
    XCTAssertEqual(ids("MODULE_LICENSE (\"GPL\");\nMODULE_LICENSE(DRIVER_LICENSE);"), ["GPL-2.0-or-later"])
    // The file's own statement wins: the macro neither replaces nor amends it.
    XCTAssertEqual(
      ids("/* SPDX-License-Identifier: ISC */\nMODULE_LICENSE(\"Dual BSD/GPL\");"), ["ISC"])
    XCTAssertEqual(
      ids(
        "Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is "
          + "hereby granted.\nMODULE_LICENSE(\"Dual BSD/GPL\");"), ["ISC"])
  }

  /// The LLVM exception amends the Apache licence named shortly before it, not a stanza of its
  /// own before an empty line; its paragraph on the GPLv2 grants no GPL.
  func testTheLLVMExceptionAmendsTheApacheLicenceItFollows() {
    XCTAssertEqual(
      ids("// Part of the LLVM Project, under the Apache License v2.0 with LLVM Exceptions.\n"),
      ["Apache-2.0 WITH LLVM-exception"])
    let exception = """
       On Debian systems the full text of the Apache Software License 2.0 can be found in \
      `/usr/share/common-licenses/Apache-2.0'.
       .
       ---- LLVM Exceptions to the Apache 2.0 License ----
       .
       As an exception, if, as a result of your compiling your source code, portions of this Software are \
      embedded into an Object form of such source code, you may redistribute such embedded portions in such \
      Object form without complying with the conditions of Sections 4(a), 4(b) and 4(d) of the License.
       .
       In addition, if you combine or link compiled forms of this Software with software that is licensed under \
      the GPLv2 ("Combined Software") and if a court of competent jurisdiction determines that the patent \
      provision (Section 3), the indemnity provision (Section 9) or other Section of the License conflicts with \
      the conditions of the GPLv2, you may retroactively and prospectively choose to deem waived or otherwise \
      exclude such Section(s) of the License, but only in their entirety and only with respect to the Combined \
      Software.

      """
    XCTAssertEqual(ids("Files: *\nCopyright: 2003 LLVM Team\n" + exception), ["Apache-2.0 WITH LLVM-exception"])
    let plainStanza = """
      Files: lib/colorman.c
      Copyright: 2011 Example Authors
       Licensed under the Apache License, Version 2.0 (the "License").

      Files: lib/*
      Copyright: 2012 Example Authors

      """
    XCTAssertEqual(
      Set(ids(plainStanza + exception)), ["Apache-2.0", "Apache-2.0 WITH LLVM-exception"],
      "a stanza before an empty line keeps its plain Apache licence")
    // The GPLv2 named outside the exception is a grant as before.
    XCTAssertEqual(
      Set(ids("Files: *\nCopyright: 2003 LLVM Team\n" + exception + "\nThe tools are released under the GPLv2.\n")),
      ["Apache-2.0 WITH LLVM-exception", "GPL-2.0-only"])
    // The NCSA licence by its title (its MIT-style grant is still read as MIT).
    XCTAssertEqual(
      Set(
        ids(
          "University of Illinois/NCSA\nOpen Source License\n\nPermission is hereby granted, free of charge, to any "
            + "person obtaining a copy of this software and associated documentation files (the \"Software\"), to deal "
            + "with the Software without restriction")), ["NCSA", "MIT"])
  }

  func testGNUGrantsInTheFormsKernelHeadersUse() {
    XCTAssertEqual(
      ids("under the terms of version 2.1 of the GNU Lesser General Public License as published by the FSF."),
      ["LGPL-2.1-only"])
    XCTAssertEqual(ids("This file is licenced under GPL"), ["GPL-1.0-or-later"])
    // The number after the comment is not the macro's version.
    XCTAssertEqual(ids("MODULE_LICENSE(\"GPL\");\n\n/*\n *  1 Basic\n *  2 i2c\n */"), ["GPL-2.0-or-later"])
    XCTAssertEqual(ids("You may choose the GPL, or the OpenIB.org BSD license below"), ["Linux-OpenIB"])
    XCTAssertEqual(ids(" * License: Dual MIT/GPL\n"), ["MIT OR GPL-2.0-only"])
    // A disclaimer left where the grant was cut names the licence; an LGPL notice's slip
    // ("See the GNU General Public License") does not add the GPL.
    let disclaimer = """
      This program is distributed in the hope that it will be useful, but WITHOUT ANY WARRANTY; without even the \
      implied warranty of MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE. See the GNU General Public License \
      for more details.
      """
    XCTAssertEqual(ids(disclaimer), ["GPL-1.0-or-later"])
    XCTAssertEqual(
      ids("under the terms of the GNU Lesser General Public License version 2.1.\n" + disclaimer), ["LGPL-2.1-only"])
    // Identifiers are not names: `is_gpl ? 1` is no GPL-1.0 grant, `lgpl_3_0` no LGPL-3.0.
    XCTAssertEqual(ids("prog->gpl_compatible = is_gpl ? 1 : 0;\nEXPORT_SYMBOL_GPL(f);"), ["GPL-2.0-only"])
    XCTAssertEqual(ids("my %licenses = (lgpl_3_0 => 'LGPL 3', gplv2_only => 1);").sorted(), ["LGPL-3.0-only"])
    // A version named in a pointer to the licence's file is the version of the grant.
    XCTAssertEqual(
      ids("released under LGPL\nOn Debian systems, refer to /usr/share/common-licenses/LGPL-2.1"), ["LGPL-2.1-only"])
  }

  func testTheBSDGrantInsideALicenceWrittenOnItIsThatLicence() {
    let zope = """
      Zope Public License (ZPL) Version 2.1

      A copyright notice accompanies this license document that identifies the copyright holders.

      Redistribution and use in source and binary forms, with or without modification, are permitted provided \
      that the following conditions are met:
      3. Names of the copyright holders must not be used to endorse or promote products derived from this \
      software without prior written permission from the copyright holders.
      """
    XCTAssertEqual(ids(zope), ["ZPL-2.1"])
    // Far below the title, a BSD text is a licence of its own.
    let far =
      zope + String(repeating: "\nThe rest of the text.", count: 100) + "\n" + zope.split(separator: "\n")[2]
      + "\n1. Redistributions of source code must retain the above copyright notice."
    XCTAssertEqual(ids(far).sorted(), ["BSD-2-Clause", "ZPL-2.1"])
  }

  func testTheBSDGrantWithNoneOfItsClausesIsNoBSDLicence() {
    // Solar Designer's "heavily cut-down BSD license", OpenLDAP's pointer: neither the grant nor
    // the bare name is a BSD variant.
    let cutDown = """
      Redistribution and use in source and binary forms, with or without modification, are permitted.
      There's ABSOLUTELY NO WARRANTY, express or implied.
      (This is a heavily cut-down "BSD license".)
      """
    XCTAssertEqual(ids(cutDown), [])
    XCTAssertEqual(
      ids(
        "Redistribution and use in source and binary forms, with or without modification, are permitted only as"
          + " authorized by the OpenLDAP Public License."), [])
  }

  func testABSDGrantThatNamesItsLicenceIsTheBareName() {
    let boxed = """
       | Redistribution and use in source and binary forms, with or without |
       | modification, are permitted under the terms of the BSD license.    |
       | You should have received a copy of the license in a bundled file   |
      """
    XCTAssertEqual(ids(boxed), ["BSD-3-Clause"])
    // A name in a URL's path is a file name; a name after "/" in prose is not.
    XCTAssertEqual(ids("BSD 2-Clause License (http://www.opensource.org/licenses/bsd-license.php)"), ["BSD-2-Clause"])
    XCTAssertEqual(ids("Released under a BSD/MIT license.").sorted(), ["BSD-3-Clause", "MIT"])
  }

  func testNoticesInOtherFormsThanTheirOwn() {
    // The Apache notice cut above its pointer; the CPAN form of Perl's terms; the CDDL by its
    // title in a list of choices; an unversioned grant "covered by" a GNU licence.
    let apache = """
       * You may not use this file except in compliance with
       * the License.  You may obtain a copy of the License at
       *
       *     http://www.apache.org/licenses/LICENSE-2.0
      """
    XCTAssertEqual(ids(apache), ["Apache-2.0"])
    XCTAssertEqual(
      ids(
        "This is free software; you can redistribute it and/or modify it under\nthe same terms as the Perl 5"
          + " programming language system itself."), ["Artistic-1.0-Perl OR GPL-1.0-or-later"])
    let choice = """
      LibRaw is free software; you can redistribute it and/or modify
      it under the terms of the one of two licenses as you choose:
      1. GNU LESSER GENERAL PUBLIC LICENSE version 2.1
      2. COMMON DEVELOPMENT AND DISTRIBUTION LICENSE (CDDL) Version 1.0
      """
    XCTAssertEqual(ids(choice).sorted(), ["CDDL-1.0", "LGPL-2.1-only"])
    // With no version, the Lesser GPL is any version so named: 2.1 or later; the Library GPL 2.0 or later.
    XCTAssertEqual(
      ids(" * this file is covered by the GNU Lesser General Public License,\n * which should be included as COPYING."),
      ["LGPL-2.1-or-later"])
    XCTAssertEqual(
      ids(
        " * this file is covered by the GNU Library General Public License,\n * which should be included as COPYING."),
      ["LGPL-2.0-or-later"])
    // Tcl/Tk's licence by its grant.
    XCTAssertEqual(
      ids(
        "The authors hereby grant permission to use, copy, modify, distribute,\n and license this software and its"
          + " documentation for any purpose, provided\n that existing copyright notices are retained in all copies"
          + " and that this\n notice is included verbatim in any distributions."), ["TCL"])
    // A grant whose licence's name is a Markdown link: the URL is not read for its version.
    XCTAssertEqual(
      ids(
        "it under the terms of the [GNU General Public License](http://www.gnu.org/licenses/gpl-3.0.en.html) as"
          + " published by\nthe Free Software Foundation, either version 3 of the License, or\n(at your option) any"
          + " later version."), ["GPL-3.0-or-later"])
    // Another work's licence set against this one's is no grant (the GPL-2 preamble).
    XCTAssertEqual(
      ids(
        "(Some other Free Software Foundation software is covered by the GNU Library General Public License instead.)"),
      [])
  }

  /// The licence statements of CPAN modules' documentation (the Perl set's dev half): Perl's own
  /// terms in their many wordings, a choice of two licences each granted, the Artistic Licence 2.0
  /// by its version's other spellings, and CC0's deed.
  func testTheLicenceStatementsOfPerlModules() {
    let perlTerms = ["Artistic-1.0-Perl OR GPL-1.0-or-later"]
    for statement in [
      "you can redistribute it and/or modify it under the same terms as Perl 5 itself.",
      "This module is released under the same license as Perl itself.",
      "This module is available under the same licences as perl.",
      "may be distributed under the same terms and conditions as Perl.",
      "This library is free software and may be distributed under the same terms as perl5 itself.",
      "# it only under the terms of Perl itself.",
      "modify it under\nthe same terms as the Perl 5 programming language itself.",
    ] {
      XCTAssertEqual(ids(statement), perlTerms, statement)
    }
    let either = """
      This program is free software; you can redistribute it and/or modify it
      under the terms of either: the GNU General Public License as published
      by the Free Software Foundation; or the Artistic License.
      """
    XCTAssertEqual(ids(either).sorted(), ["Artistic-1.0-Perl", "GPL-1.0-or-later"])
    let artisticFirst = """
      ##  You may distribute under the terms of either the Artistic License
      ##  or the GNU General Public License, as specified in the README file.
      """
    XCTAssertEqual(ids(artisticFirst).sorted(), ["Artistic-1.0-Perl", "GPL-1.0-or-later"])
    XCTAssertEqual(
      ids(
        "#  This package may be distributed under the terms of either the\n#  GNU General Public License\n#    or the\n"
          + "#  Perl Artistic License"
      ).sorted(), ["Artistic-1.0-Perl", "GPL-1.0-or-later"])
    // "… or the LGPL" with no choice offered is a licence named in passing.
    XCTAssertEqual(
      ids(
        "Would it be possible to relicense the Code under a free software license? Some examples are\n"
          + "the Attribution-Share Alike 3.0 license or the LGPL."), [])
    for statement in [
      "it under the terms of the Artistic License version 2.0.", "it under the terms of the Artistic License v2.0.",
      "modify it under the Artistic Licence v2.", "released under the Perl Artistic License 2.0.",
      "modified under the terms of the Perl Artistic License, version 2.",
    ] {
      XCTAssertEqual(ids(statement), ["Artistic-2.0"], statement)
    }
    XCTAssertEqual(
      ids(
        "The author has dedicated the work to the Commons by waiving all of his\nor her rights to the work worldwide"
          + " under copyright law and all related or\nneighboring legal rights he or she had in the work."), ["CC0-1.0"]
    )
  }

  /// A documentation comment's `@license` tag (phpDocumentor, JSDoc) names the file's licence, with
  /// or without a URL before the name (the PHP packages' pool); a GNU licence with no version is
  /// read only right after the tag, since a URL there may hold the version the name leaves out.
  func testADocCommentsLicenseTagNamesTheLicence() {
    let cases: [(String, [String])] = [
      (" * @license https://opensource.org/licenses/MIT MIT", ["MIT"]),
      (" * @license http://www.wtfpl.net/txt/copying/ WTFPL", ["WTFPL"]),
      (" * @license https://opensource.org/licenses/BSD-3-Clause BSD-3-Clause", ["BSD-3-Clause"]),
      (" * @license LGPL", ["LGPL-2.0-or-later"]),
      (" * @license http://www.horde.org/licenses/lgpl21 LGPL", []),
      // A URL alone names its licence when it is the licence's page on the OSI's list (named by
      // SPDX id), not another page; a name after a URL with no tag before it is not read.
      (" * @license http://www.opensource.org/licenses/MIT", ["MIT"]),
      (" * @license http://www.opensource.org/licenses/bsd-license.php", []),
      (" * @license http://www.horde.org/licenses/bsd", []),
      ("See https://opensource.org/licenses/MIT for the list.", []),
      (" * See http://www.wtfpl.net/txt/copying/ WTFPL", []),
    ]
    for (text, expected) in cases {
      XCTAssertEqual(ids(text), expected, text)
    }
  }

  /// A notice inside a string literal, its line breaks escaped (a bundler's `eval("…")`), reads as
  /// the notice itself: "\n" separates words, its "n" is no word's start.
  func testANoticeInsideAStringLiteralIsRead() {
    let bundled =
      #"eval("/*\n * This library is free software; you can redistribute it and/or\n * modify it under the terms "#
      + #"of the GNU Lesser General Public\n * License as published by the Free Software Foundation; either\n * "#
      + #"version 2.1 of the License, or (at your option) any later version.\n */");"#
    XCTAssertEqual(ids(bundled), ["LGPL-2.1-or-later"])
  }

  /// How READMEs state their licence (the READMEs set's dev half and its PyPI tuning pools): a
  /// licence section's first line, a name joined by "or", "and" or "/" to a granted one (by "or"
  /// or "/", a choice between the two), a shields.io badge labelled "license", the licence's page
  /// linked from its name, a Markdown link between a name and "license", the names and grant
  /// leads READMEs use.
  func testAREADMEsLicenceSectionBadgesAndJoinedNamesAreRead() {
    let cases: [(String, Set<String>)] = [
      ("## License\n\nMIT © [Sindre Sorhus](https://sindresorhus.com)\n", ["MIT"]),
      ("CLI for this module\n\n\n## License\n\nMIT\n", ["MIT"]),
      ("… on Unicode compatibility, etc.\n\n## License\n\nMIT\n", ["MIT"]),
      ("## License\n\nPostgreSQL License. See [LICENSE](LICENSE) for details.\n", ["PostgreSQL"]),
      ("All of its source code is licensed under the `Affero GPL 3.0`_.", ["AGPL-3.0-only"]),
      ("The Python code is licensed with Apache 2.0.", ["Apache-2.0"]),
      ("2/1/2021:  Version 1.4.0 released.  License changed to MIT (GPL'ed code replaced).", ["MIT"]),
      ("    * changed the licence to MIT", ["MIT"]),
      ("License\n~~~~~~~\n\nYour choice of MIT or Apache 2.0.\n", ["MIT OR Apache-2.0"]),
      (
        "License\n=======\n\nCopyright (c) 2012-2014 Tobias Koppers\n\n"
          + "MIT (http://www.opensource.org/licenses/mit-license.php)\n", ["MIT"]
      ),
      ("### License ###\n\n`MIT OR Apache-2.0`\n", ["MIT OR Apache-2.0"]),
      ("**Licence**\n\n- Apache-2.0\n", ["Apache-2.0"]),
      ("Dual-licensed under MIT or the [UNLICENSE](https://unlicense.org/).", ["MIT OR Unlicense"]),
      ("Debcargo is licensed under `MIT/Apache-2.0`.", ["MIT OR Apache-2.0"]),
      ("Dual licensed under MIT / Apache 2.0.", ["MIT OR Apache-2.0"]),
      ("Licensed under the MIT or Apache 2.0 license.", ["MIT OR Apache-2.0"]),
      ("Distributed under the terms of the [MIT](http://opensource.org/licenses/MIT)\nlicense.", ["MIT"]),
      ("Released under the `MIT open-source licence <LICENSE>`__.", ["MIT"]),
      ("Licensed under the terms of the Apache Software License, version 2.  See LICENSE.", ["Apache-2.0"]),
      ("License: MPLv2, or (at your option) LGPLv3.", ["MPL-2.0", "LGPL-3.0-only"]),
      ("The library is dual licensed under MIT and Apache license.", ["MIT", "Apache-2.0"]),
      ("Multi-licensed under the two-clause BSD License", ["BSD-2-Clause"]),
      ("Licensed under the Apache License 1.1.", ["Apache-1.1"]),
      ("`font-kit` is licensed under the same terms as Rust itself.", ["MIT OR Apache-2.0"]),
      (
        "[![License](https://img.shields.io/badge/license-MIT%2FApache--2.0-green.svg)](LICENSE)",
        ["MIT OR Apache-2.0"]
      ),
      ("![](https://img.shields.io/badge/license-Apache2.0/MIT-blue.svg)", ["Apache-2.0 OR MIT"]),
      ("[![x](https://img.shields.io/badge/License-Apache_2.0-blue?style=flat)](x)", ["Apache-2.0"]),
      ("- [Apache License](http://www.apache.org/licenses/LICENSE-2.0), Version 2.0", ["Apache-2.0"]),
      // A link labelled "license" to a licence's own page; a name after a licence section's
      // copyright line's "All rights reserved.", under an rST heading of "#"s.
      ("[![PyPI - License](https://img.shields.io/pypi/l/pkg)](https://opensource.org/licenses/MIT)", ["MIT"]),
      (
        ".. |licence| image:: https://badges.example/pypi/l/pkg.svg\n    :target: https://www.gnu.org/licenses/gpl-3.0.html\n",
        ["GPL-3.0-only"]
      ),
      (
        "<a href=\"https://www.apache.org/licenses/LICENSE-2.0\">\n  <img alt=\"License\" src=\"x.svg\"></a>",
        ["Apache-2.0"]
      ),
      (
        "[![l](https://img.shields.io/github/license/o/p)](https://spdx.org/licenses/BSD-3-Clause.html)",
        ["BSD-3-Clause"]
      ),
      // A GNU licence's page does not say "or later": it gives way to a grant that does.
      (
        "[![License](https://img.shields.io/pypi/l/pkg)](https://www.gnu.org/licenses/gpl-3.0.html)\n\n"
          + "Licensed under the GNU General Public License, version 3 or any later version.\n",
        ["GPL-3.0-or-later"]
      ),
      ("License\n#######\n\nCopyright (c) 2021, Some One, All rights reserved. Apache-2.0\n", ["Apache-2.0"]),
      ("License\n-------\n\nCopyright (c) 2019, Firm, Inc. All Rights reserved. Apache v2\n", ["Apache-2.0"]),
      // A badge the service fills in from the registry names nothing in the text, nor does a badge
      // of another label; a name below another heading, or not on a licence section's first
      // lines, is no statement; nor is a name joined to one that was not granted.
      ("[![License](https://img.shields.io/crates/l/gl.svg)](LICENSE)", []),
      ("![](https://img.shields.io/badge/style-MIT-blue.svg)", []),
      ("## Install\n\nMIT\n", []),
      ("## License\n\nThis section explains the terms.\nMIT differs from them.\n", []),
      ("Unlike MIT or the Unlicense, it is not permissive.", []),
      ("Licences we like: [the MIT one](https://opensource.org/licenses/MIT).", []),
      ("## Credits\n\nCopyright (c) 2019, Firm. All rights reserved. MIT\n", []),
    ]
    for (text, expected) in cases {
      XCTAssertEqual(Set(ids(text)), expected, text)
    }
  }

  /// A Creative Commons 3.0 legal code copied without its title: the elements its own clauses
  /// carry. Not 1.0 to 2.5, whose texts have no "Adaptation".
  func testACreativeCommonsLegalCodeWithoutItsTitleIsReadByItsClauses() {
    let opening = """
      THE WORK (AS DEFINED BELOW) IS PROVIDED UNDER THE TERMS OF THIS CREATIVE
      COMMONS PUBLIC LICENSE ("CCPL" OR "LICENSE"). THE WORK IS PROTECTED BY COPYRIGHT.
      1. Definitions
        a. "Adaptation" means a work based upon the Work, or upon the Work and other works …

      """
    let shareAlike =
      "You may Distribute an Adaptation only under the terms of a later version of this License"
      + " with the same License Elements as this License.\n"
    let nonCommercial =
      "You may not exercise any of the rights granted to You in any manner that is primarily"
      + " intended for or directed toward commercial advantage or private monetary compensation.\n"
    let noDerivatives =
      "The above rights include the right to make such modifications as are technically necessary"
      + " to exercise the rights in other media and formats, but otherwise you have no rights to make Adaptations.\n"
    XCTAssertEqual(ids(opening + "3. License Grant."), ["CC-BY-3.0"])
    XCTAssertEqual(ids(opening + shareAlike), ["CC-BY-SA-3.0"])
    XCTAssertEqual(ids(opening + nonCommercial + shareAlike), ["CC-BY-NC-SA-3.0"])
    XCTAssertEqual(ids(opening + noDerivatives), ["CC-BY-ND-3.0"])
    XCTAssertEqual(ids(opening + nonCommercial + noDerivatives), ["CC-BY-NC-ND-3.0"])
    let older = opening.replacingOccurrences(of: "\"Adaptation\"", with: "\"Derivative Work\"")
    XCTAssertEqual(ids(older + shareAlike), [])
  }

  func testMITWithoutItsConditionIsMITNoAttribution() {
    let grant = """
      Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated
      documentation files (the "Software"), to deal in the Software without restriction, including without limitation the
      rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to
      permit persons to whom the Software is furnished to do so
      """
    let disclaimer = "\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED."
    XCTAssertEqual(ids(grant + "." + disclaimer), ["MIT-0"])
    let condition =
      ", subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be"
      + " included in all copies or substantial portions of the Software."
    XCTAssertEqual(ids(grant + condition + disclaimer), ["MIT"])
  }

  /// A listed id written out as a licence's name is that licence, not the shorter name it starts
  /// with; SPDX's full name of MIT-0 is one too.
  func testAWrittenIDIsTheLicenceItNames() {
    XCTAssertEqual(
      ids("/* Based on code supplied under BSD-Source-Code License and this copyright. */"), ["BSD-Source-Code"])
    XCTAssertEqual(ids("# This file is released under the MIT-0 license.\n"), ["MIT-0"])
    XCTAssertEqual(ids("Licensed under the BSD-2-Clause-Patent license."), ["BSD-2-Clause-Patent"])
    XCTAssertEqual(ids("License: Unicode-DFS-2016\n"), ["Unicode-DFS-2016"])
    XCTAssertEqual(ids("# It may be freely copied and edited (following the MIT No Attribution license).\n"), ["MIT-0"])
    // An exception written after the id belongs to the expression; so written, it is an SPDX
    // expression, granted with no lead.
    XCTAssertEqual(ids("License: Apache-2.0 WITH LLVM-exception\n"), ["Apache-2.0 WITH LLVM-exception"])
    XCTAssertEqual(
      ids("This repository follows the LLVM project's terms, see Apache-2.0 WITH LLVM-exception."),
      ["Apache-2.0 WITH LLVM-exception"])
    XCTAssertEqual(ids("License: Apache-2.0 with no-such-exception\n"), ["Apache-2.0"])
    // Not granted: an id in a URL, one said to be compatible, one that is not listed.
    XCTAssertEqual(ids("See https://spdx.org/licenses/BSD-Source-Code.html for the license."), [])
    XCTAssertEqual(ids("This code is not compatible with the MIT-0 license."), [])
    XCTAssertEqual(ids("Licensed under the BSD-Nine-Clause license."), ["BSD-3-Clause"])
  }

  /// A licence given as its page on SPDX's list, as DOAP's licence element or a licence field
  /// does; not a link in a table of licences.
  func testALicenceGivenAsItsSPDXPageIsRead() {
    let doap = """
      <Project xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://usefulinc.com/ns/doap#">
        <license rdf:resource="https://spdx.org/licenses/LGPL-2.0+.html"/>
        <license rdf:resource="https://spdx.org/licenses/MIT.html"/>
      </Project>
      """
    XCTAssertEqual(ids(doap), ["LGPL-2.0-or-later", "MIT"])
    XCTAssertEqual(ids("License: https://spdx.org/licenses/Apache-2.0.html\n"), ["Apache-2.0"])
    XCTAssertEqual(ids("License: https://spdx.org/licenses/Zlib.html."), ["Zlib"])
    XCTAssertEqual(ids("X11 License\tX11\tx11.txt\thttps://spdx.org/licenses/X11.html\n"), [])
    XCTAssertEqual(ids("License: https://spdx.org/licenses/No-Such-Licence.html\n"), [])
  }

  /// The ISC grant straight into its disclaimer is the BSD Zero Clause licence; with its
  /// condition, then the MIT licence's disclaimer, curl's licence.
  func testTheISCGrantIsToldFromZeroClauseBSDAndCurl() {
    let grant =
      "Permission to use, copy, modify, and/or distribute this software for any\npurpose with or without fee"
      + " is hereby granted"
    let condition = ", provided that the above copyright\nnotice and this permission notice appear in all copies.\n\n"
    let iscDisclaimer = "THE SOFTWARE IS PROVIDED \"AS IS\" AND THE AUTHOR DISCLAIMS ALL WARRANTIES WITH REGARD"
    let mitDisclaimer = "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED"
    XCTAssertEqual(ids(grant + condition + iscDisclaimer), ["ISC"])
    XCTAssertEqual(ids(grant + ".\n\n" + iscDisclaimer), ["0BSD"])
    XCTAssertEqual(
      ids(grant.replacingOccurrences(of: "and/or", with: "and") + condition + mitDisclaimer), ["curl"])
    XCTAssertEqual(ids("// File distributed under the Zero Clause BSD (0BSD) license."), ["0BSD"])
    XCTAssertEqual(ids("BSD Zero Clause License\n\nCopyright (c) 2024 Example"), ["0BSD"])
  }

  /// The distinct-bigram count that Dice's coefficient takes equals a set's, repeats, the
  /// bigram 0 and table growth included.
  func testDistinctBigramCountEqualsASetsCount() {
    var generator = SystemRandomNumberGenerator()
    for length in [0, 1, 2, 3, 17, 1_000, 5_000] {
      let words = (0..<length).map { _ in UInt64.random(in: 0..<40, using: &generator) &* 0x100_0000_01B3 }
      XCTAssertEqual(ReferenceText.distinctBigramCount(words), length < 2 ? 0 : ReferenceText.bigrams(words).count)
    }
    // bigram(0, 0) is 0, the empty slot's key: counted once.
    XCTAssertEqual(ReferenceText.distinctBigramCount([0, 0, 0, 5, 0, 0]), 3)
  }

  func testCeCILLByItsTitleNotTheLicencesItDefines() {
    let cecill = """
      CeCILL FREE SOFTWARE LICENSE AGREEMENT

      Version 2.1 dated 2013-06-21

      GNU GPL: means the GNU General Public License version 2 or any
      subsequent version, as published by the Free Software Foundation Inc.
      """
    XCTAssertEqual(ids(cecill), ["CECILL-2.1"])
    // The Eclipse licence's definition of its secondary licences, and the form that grants one.
    let eclipse = """
      Eclipse Public License - v 2.0

      "Secondary License" means either the GNU General Public License,
      Version 2.0, or any later versions of that license, including any
      exceptions or additional permissions as identified by the initial
      Contributor.
      """
    XCTAssertEqual(ids(eclipse), ["EPL-2.0"])
    let secondary = """
      This Source Code may also be made available under the following Secondary Licenses when the conditions for \
      such availability set forth in the Eclipse Public License, v. 2.0 are satisfied: GNU General Public License, \
      version 2 with the GNU Classpath Exception.
      """
    XCTAssertEqual(Set(ids(secondary)), ["EPL-2.0", "GPL-2.0-only"])
  }

  func testAManifestsLicenceFieldIsOneExpression() {
    XCTAssertEqual(ids("[package]\nname = \"x\"\nlicense = \"MIT OR Apache-2.0\"\n"), ["MIT OR Apache-2.0"])
    XCTAssertEqual(ids("{\n  \"license\": \"(Apache-2.0 OR MIT)\",\n}"), ["Apache-2.0 OR MIT"])
    XCTAssertEqual(ids("  s.license = 'GPL-2.0-or-later'\n"), ["GPL-2.0-or-later"])
    // A variable named so; a value that is no expression and an unterminated one are left to the
    // name rules (the name after "license", and the one offered beside it).
    XCTAssertEqual(ids("proprietary_license = 'LicenseRef-Proprietary'"), [])
    XCTAssertEqual(ids("license = \"Apache-2.0 OR\""), ["Apache-2.0"])
    XCTAssertEqual(ids("license = \"MIT OR Apache-2.0"), ["MIT OR Apache-2.0"])
  }

  func testEveryNamedLicenceAndModuleIdentIsAnSPDXExpression() {
    for spdx in LicenseDetector.licenceNameList.map(\.spdx) + LicenseDetector.moduleIdents.values {
      XCTAssertNoThrow(try SPDXExpression.parse(spdx), spdx)
    }
  }

  func testAGPLOnlyExportMarksKernelCodeWhenNothingElseIs() {
    XCTAssertEqual(ids("int f(void) { return 0; }\nEXPORT_SYMBOL_GPL(f);\n"), ["GPL-2.0-only"])
    XCTAssertEqual(detector.detect("EXPORT_SYMBOL_GPL(f);").map(\.confidence), [0.3])
    XCTAssertEqual(ids("EXPORT_SYMBOL_GPL(f);\nMODULE_LICENSE(\"Dual MIT/GPL\");"), ["MIT OR GPL-2.0-only"])
    XCTAssertEqual(ids("/* Released under the MIT License. */\nEXPORT_SYMBOL_GPL(f);"), ["MIT"])
    XCTAssertEqual(ids("EXPORT_TRACEPOINT_SYMBOL_GPL(t);\nEXPORT_SYMBOL_NS_GPL(g, NS);"), ["GPL-2.0-only"])
    // The module's "GPL" is version 2, only or or-later unsaid: kernel code's GPL-2.0-only stands
    // beside module.h's reading, at the macro's confidence.
    let both = detector.detect("EXPORT_SYMBOL_GPL(f);\nMODULE_LICENSE(\"GPL\");")
    XCTAssertEqual(both.map(\.spdx).sorted(), ["GPL-2.0-only", "GPL-2.0-or-later"])
    XCTAssertEqual(both.map(\.confidence), [0.5, 0.5])
    XCTAssertEqual(ids("EXPORT_SYMBOL_GPL(f);\nMODULE_LICENSE(\"GPL v2\");"), ["GPL-2.0-only"])
    // A pointer-level GPL-2.0-only gives way to a firmer or-later of the same version, and a
    // text match to any; beside an or-later as weak as itself it stays.
    func kept(_ only: (LicenseFinding.Method, Double), orLater: Double) -> [String] {
      LicenseDetector.deduplicated([
        LicenseFinding(spdx: "GPL-2.0-only", method: only.0, confidence: only.1, start: 0, end: 1),
        LicenseFinding(spdx: "GPL-2.0-or-later", method: .notice, confidence: orLater, start: 2, end: 3),
      ]).map(\.spdx)
    }
    XCTAssertEqual(kept((.notice, 0.5), orLater: 0.9), ["GPL-2.0-or-later"])
    XCTAssertEqual(kept((.text, 0.95), orLater: 0.5), ["GPL-2.0-or-later"])
    XCTAssertEqual(kept((.notice, 0.5), orLater: 0.5), ["GPL-2.0-only", "GPL-2.0-or-later"])
    XCTAssertEqual(kept((.notice, 0.9), orLater: 0.9), ["GPL-2.0-only", "GPL-2.0-or-later"])
    // A mention is not the file's licence; the macro still says it.
    XCTAssertEqual(
      ids("/* Based on public domain code by A. Author. */\nMODULE_LICENSE(\"GPL\");").sorted(),
      ["GPL-2.0-or-later", "LicenseRef-public-domain"])
    // An unversioned grant is: the macro adds nothing.
    XCTAssertEqual(
      ids(" * Released under the terms of GPL (General Public Licence)\nMODULE_LICENSE(\"GPL\");"), ["GPL-1.0-or-later"]
    )
  }

  func testABPFProgramsLicenceStringIsTheKernelsGPL() {
    XCTAssertEqual(ids("#include <bpf/bpf_helpers.h>\nchar _license[] SEC(\"license\") = \"GPL\";\n"), ["GPL-2.0-only"])
    XCTAssertEqual(
      ids("char LICENSE[] SEC(\"license\") = \"Dual BSD/GPL\";"),
      ["BSD-3-Clause OR GPL-2.0-only"])
    XCTAssertEqual(ids("const char *section = SEC(\"license\");\nchar name[] = \"GPL\";"), [])
    XCTAssertEqual(ids("/* Released under the MIT License. */\nchar _license[] SEC(\"license\") = \"GPL\";"), ["MIT"])
    for text in [
      "SEC(\"license\")", "SEC(\"license\") = \"", "SEC(\"license\") = \"" + String(repeating: "G", count: 100),
    ] {
      XCTAssertEqual(detector.detect(text).count, 0, text)
    }
  }

  func testTheKernelsPointerToItsCOPYINGFileIsVersion2Only() {
    let notice = """
      /*
       * This file is subject to the terms and conditions of the GNU General Public
       * License.  See the file "COPYING" in the main directory of this archive
       * for more details.
       */
      """
    XCTAssertEqual(ids(notice), ["GPL-2.0-only"])
    // Another project's COPYING file says nothing about the version here.
    XCTAssertEqual(
      ids("Distributed under the terms of the GNU General Public License. See the file COPYING for details."),
      ["GPL-1.0-or-later"])
  }

  func testOneNoticeRepeatedDoesNotHideTheLicencesAfterIt() {
    // A Debian copyright file of a large package: one stanza per module, then other licences.
    let stanzas = String(
      repeating: "Files: lib/*\nLicense: This library is free software; you can redistribute it under the same "
        + "terms as Perl itself.\n\n", count: 100)
    let zlib =
      "2. Altered source versions must be plainly marked as such, and must not be misrepresented as "
      + "being the original software."
    XCTAssertEqual(ids(stanzas + zlib).sorted(), ["Artistic-1.0-Perl OR GPL-1.0-or-later", "Zlib"])
  }

  func testATextMatchedAsOnlyGivesWayToAnOrLaterNotice() {
    let findings = [
      LicenseFinding(spdx: "GPL-2.0-only", method: .text, confidence: 0.97, start: 0, end: 100),
      LicenseFinding(spdx: "GPL-2.0-or-later", method: .notice, confidence: 0.9, start: 5, end: 50),
    ]
    XCTAssertEqual(LicenseDetector.deduplicated(findings).map(\.spdx), ["GPL-2.0-or-later"])
  }

  func testHostileTextsStayBoundedAndNeverCrash() {
    let mentions = String(
      repeating: "Licensed under the Apache License, Version 2.0. MIT License. SPDX-License-Identifier: MIT\n",
      count: 10_000)
    // Their time is checked by Benchmarks/license.sh (hostile text).
    let findings = detector.detect(mentions)
    XCTAssertLessThanOrEqual(findings.count, LicenseDetector.maximumFindings)
    var binary = [UInt8](repeating: 0, count: 1 << 20)
    for index in binary.indices { binary[index] = UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 13) }
    XCTAssertNoThrow(binary.withUnsafeBytes { _ = detector.detect($0) })
    XCTAssertEqual(detector.detect("SPDX-License-Identifier: " + String(repeating: "(", count: 100_000)).count, 0)
    // Macros cut off, unterminated, or by the thousand.
    for text in [
      "MODULE_LICENSE(\"", "MODULE_LICENSE(\"GPL", "MODULE_LICENSE(\"" + String(repeating: "G", count: 1000),
    ] {
      XCTAssertEqual(detector.detect(text).count, 0, text)
    }
    let macros = String(repeating: "MODULE_LICENSE(\"GPL\");\n", count: 10_000)
    XCTAssertEqual(ids(macros), ["GPL-2.0-or-later"])
  }
}

final class MetadataHintTests: XCTestCase {
  func testLicenceFieldsOfMetadataAreRead() {
    let detector = LicenseDetector(referenceFolders: [])
    let metadata = JSONObject([
      ("path", .string("a.jsonl")),
      (
        "original",
        .object(
          JSONObject([
            ("license", .string("cc-by-sa-4.0")),
            (
              "metadata",
              .object(
                JSONObject([("license_hints", .array([.string("https://creativecommons.org/licenses/by/4.0/")]))]))
            ),
          ]))
      ),
    ])
    let findings = detector.detect(metadata: metadata)
    XCTAssertEqual(Set(findings.map(\.spdx)), ["CC-BY-SA-4.0", "CC-BY-4.0"])
    XCTAssertTrue(findings.allSatisfy { $0.method == .metadata })
    XCTAssertEqual(detector.detect(metadata: JSONObject([("title", .string("MIT"))])), [], "only licence fields count")
  }
}
