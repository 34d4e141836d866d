/// Licence notices and grants as word sequences (written for Hatchery from the licences' own
/// wording). A rule matches when its words appear in order, consecutively, in a text's words.
struct NoticeRule: Sendable {
  let words: [UInt64]
  let spdx: String
  let confidence: Double

  init(_ phrase: String, _ spdx: String, confidence: Double = 0.9) {
    words = phrase.split(separator: " ").map { WordTokens.hash(String($0)) }
    self.spdx = spdx
    self.confidence = confidence
  }

  static let all: [NoticeRule] = [
    NoticeRule("permission is hereby granted free of charge to any person obtaining a copy", "MIT"),
    NoticeRule(
      "permission to use copy modify and or distribute this software for any purpose with or without fee is hereby granted",
      "ISC"),
    NoticeRule(
      "permission to use copy modify and distribute this software for any purpose with or without fee", "ISC",
      confidence: 0.7),
    NoticeRule("licensed under the apache license version 2 0", "Apache-2.0"),
    // The University of Illinois/NCSA licence by its title. Its text is the MIT grant ("to deal
    // with the Software") and three BSD-like conditions; that grant is still read as MIT, as
    // Debian labels it (AMD's ROCm copyright files, titled or not).
    NoticeRule("university of illinois ncsa open source license", "NCSA"),
    // The LLVM Project's exceptions to the Apache licence: by name, by their first paragraph's
    // opening, and by their second paragraph, whole: it names the GPLv2 twice and grants it not.
    NoticeRule("apache license v2 0 with llvm exceptions", llvmException),
    NoticeRule("apache license version 2 0 with llvm exceptions", llvmException),
    NoticeRule("apache 2 0 license with llvm exceptions", llvmException),
    NoticeRule(
      "as an exception if as a result of your compiling your source code portions of this software are embedded into an object form",
      llvmException),
    NoticeRule(
      "in addition if you combine or link compiled forms of this software with software that is licensed under the "
        + "gplv2 combined software and if a court of competent jurisdiction determines that the patent provision "
        + "section 3 the indemnity provision section 9 or other section of the license conflicts with the conditions "
        + "of the gplv2 you may retroactively and prospectively choose to deem waived or otherwise exclude such "
        + "section s of the license but only in their entirety and only with respect to the combined software",
      llvmException),
    NoticeRule("apache license version 2 0 january 2004", "Apache-2.0"),
    NoticeRule("apache license 2 0", "Apache-2.0", confidence: 0.8),
    // "the Apache Public License 2.0": a name often given to it.
    NoticeRule("apache public license 2 0", "Apache-2.0", confidence: 0.8),
    NoticeRule("apache public license version 2 0", "Apache-2.0", confidence: 0.8),
    NoticeRule("apache 2 0 license", "Apache-2.0", confidence: 0.8),
    // The notice's pointer to the text, also where its first line ("Licensed under the Apache
    // License, Version 2.0") was cut.
    NoticeRule("obtain a copy of the license at http www apache org licenses license 2 0", "Apache-2.0"),
    NoticeRule("obtain a copy of the license at https www apache org licenses license 2 0", "Apache-2.0"),
    // The licence's name linked to its page: "[Apache License](http://www.apache.org/licenses/LICENSE-2.0)".
    NoticeRule("license http www apache org licenses license 2 0", "Apache-2.0", confidence: 0.8),
    NoticeRule("license https www apache org licenses license 2 0", "Apache-2.0", confidence: 0.8),
    NoticeRule("mozilla public license version 2 0", "MPL-2.0"),
    NoticeRule("mozilla public license v 2 0", "MPL-2.0"),
    NoticeRule("mozilla public license version 1 1", "MPL-1.1"),
    NoticeRule("eclipse public license version 1 0", "EPL-1.0"),
    NoticeRule("eclipse public license v1 0", "EPL-1.0"),
    NoticeRule("eclipse public license v 1 0", "EPL-1.0"),
    NoticeRule("eclipse public license version 2 0", "EPL-2.0"),
    NoticeRule("eclipse public license v 2 0", "EPL-2.0"),
    NoticeRule("eclipse public license v2 0", "EPL-2.0"),
    // The Eclipse Distribution License 1.0 is the 3-clause BSD licence under another name (SPDX
    // lists it under BSD-3-Clause).
    NoticeRule("eclipse distribution license v1 0", "BSD-3-Clause"),
    NoticeRule("eclipse distribution license v 1 0", "BSD-3-Clause"),
    NoticeRule("eclipse distribution license version 1 0", "BSD-3-Clause"),
    NoticeRule("eclipse distribution license 1 0", "BSD-3-Clause"),
    // The Academic Free License's own notice ("Licensed under the Academic Free License version
    // 2.1"), which its text quotes too.
    NoticeRule("academic free license version 1 1", "AFL-1.1"),
    NoticeRule("academic free license version 1 2", "AFL-1.2"),
    NoticeRule("academic free license version 2 0", "AFL-2.0"),
    NoticeRule("academic free license version 2 1", "AFL-2.1"),
    NoticeRule("academic free license version 3 0", "AFL-3.0"),
    NoticeRule("artistic license 2 0", "Artistic-2.0"),
    NoticeRule("artistic license version 2", "Artistic-2.0"),
    NoticeRule("artistic license v2", "Artistic-2.0"),
    // Perl's own terms (the Artistic Licence or the GPL, version 1 or later, as its README says),
    // as CPAN modules grant them: "the same terms as Perl itself", "as Perl 5", "the same license
    // as Perl", "the same terms and conditions as Perl".
    NoticeRule("same terms as perl", perlTerms, confidence: 0.8),
    NoticeRule("same terms as perl5", perlTerms, confidence: 0.8),
    NoticeRule("same terms and conditions as perl", perlTerms, confidence: 0.8),
    NoticeRule("same license as perl", perlTerms, confidence: 0.8),
    NoticeRule("same licenses as perl", perlTerms, confidence: 0.8),
    NoticeRule("terms of perl itself", perlTerms, confidence: 0.8),
    // The CPAN form (Dist::Zilla's and Software::License's "Perl_5" notice: "… as the Perl 5
    // programming language system itself").
    NoticeRule("same terms as the perl 5 programming language", perlTerms, confidence: 0.8),
    // Rust's own terms, as its COPYRIGHT file gives them ("the MIT license and the Apache License
    // (Version 2.0)", at the user's choice), in the crates that grant them so.
    NoticeRule("same terms as rust itself", "MIT OR Apache-2.0", confidence: 0.8),
    NoticeRule("the artistic license 2 0", "Artistic-2.0"),
    NoticeRule("the artistic license version 2", "Artistic-2.0"),
    NoticeRule("the artistic license v2", "Artistic-2.0"),
    NoticeRule("perl artistic license 2 0", "Artistic-2.0"),
    NoticeRule("perl artistic license version 2", "Artistic-2.0"),
    NoticeRule("perl artistic license v2", "Artistic-2.0"),
    NoticeRule("perl artistic license", "Artistic-1.0-Perl", confidence: 0.6),
    NoticeRule(
      "this license establishes the terms under which a given free software package may be copied", "Artistic-2.0"),
    NoticeRule("the artistic license", "Artistic-1.0-Perl", confidence: 0.6),
    NoticeRule(
      "altered source versions must be plainly marked as such and must not be misrepresented as being the original software",
      "Zlib"),
    // The zlib licence's first clause, which a copy that rewords the rest ("the original source
    // code") keeps; its grant sentence alone is shared by other texts (Info-ZIP's, libpng's).
    NoticeRule(
      "the origin of this software must not be misrepresented you must not claim that you wrote the original software",
      "Zlib"),
    NoticeRule(
      "the origin of this source code must not be misrepresented you must not claim that you wrote the original source code",
      "Zlib"),
    // The Boehm-Demers-Weiser collector's licence (SPDX Boehm-GC), in its sources and their copies.
    NoticeRule(
      "permission is hereby granted to use or copy this program for any purpose provided the above notices are retained on all copies",
      "Boehm-GC"),
    // Tcl/Tk's licence (SPDX TCL), in Tcl's sources and the code derived from them.
    NoticeRule(
      "permission to use copy modify distribute and license this software and its documentation for any purpose provided that existing copyright notices are retained in all copies",
      "TCL"),
    // HDF5's licence by its title (its text is the BSD grant and clauses, its own disclaimer and
    // LBNL's clause on enhancements; see `writtenOnTheBSDGrant`).
    NoticeRule(
      "copyright notice and license terms for hdf5 hierarchical data format 5 software library and utilities", "HDF5"),
    // Lawrence Berkeley National Laboratory's clause on enhancements, under the 3-clause BSD
    // licence's disclaimer (SPDX BSD-3-Clause-LBNL).
    NoticeRule(
      "you are under no obligation whatsoever to provide any bug fixes patches or upgrades to the features functionality or performance of the source code",
      "BSD-3-Clause-LBNL"),
    // The BSD+Patent licence's patent grant, under the 2-clause BSD grant's clauses (SPDX
    // BSD-2-Clause-Patent).
    NoticeRule(
      "each copyright holder and contributor hereby grants to those receiving rights under this license a perpetual worldwide",
      "BSD-2-Clause-Patent"),
    // The MirOS Licence's grant (SPDX MirOS), from its template.
    NoticeRule(
      "provided that these terms and disclaimer and all copyright notices are retained or reproduced in an accompanying document permission is granted to deal in this work without restriction",
      "MirOS"),
    NoticeRule("python software foundation license version 2", "PSF-2.0"),
    NoticeRule("psf license agreement", "PSF-2.0", confidence: 0.7),
    // The PSF licence's first clause, often copied without its title.
    NoticeRule("this license agreement is between the python software foundation psf and the individual", "PSF-2.0"),
    // curl's notice, in its sources and in code that follows it.
    NoticeRule("you may opt to use copy modify merge publish distribute and or sell copies of the software", "curl"),
    NoticeRule("this is free and unencumbered software released into the public domain", "Unlicense"),
    NoticeRule("cc0 1 0 universal", "CC0-1.0"),
    NoticeRule("creativecommons org publicdomain zero 1 0", "CC0-1.0"),
    // CC0's deed, as notices quote it ("… has dedicated the work to the Commons [to the public
    // domain] by waiving all of his or her rights to the work worldwide under copyright law").
    NoticeRule("by waiving all of his or her rights to the work worldwide under copyright law", "CC0-1.0"),
    NoticeRule("boost software license version 1 0", "BSL-1.0"),
    // The Boost licence's grant, often copied without its title.
    NoticeRule(
      "permission is hereby granted free of charge to any person or organization obtaining a copy of the software and accompanying documentation covered by this license",
      "BSL-1.0"),
    NoticeRule("common development and distribution license cddl version 1 0", "CDDL-1.0"),
    NoticeRule("common development and distribution license version 1 0", "CDDL-1.0"),
    NoticeRule("common development and distribution license cddl version 1 1", "CDDL-1.1"),
    NoticeRule("common development and distribution license version 1 1", "CDDL-1.1"),
    // CeCILL's titles (the English texts; the French ones say "contrat de licence de logiciel libre").
    NoticeRule("cecill free software license agreement version 2 0", "CECILL-2.0"),
    NoticeRule("cecill free software license agreement version 2 1", "CECILL-2.1"),
    NoticeRule("cecill b free software license agreement", "CECILL-B"),
    NoticeRule("cecill c free software license agreement", "CECILL-C"),
    NoticeRule("contrat de licence de logiciel libre cecill version 2 0", "CECILL-2.0"),
    NoticeRule("contrat de licence de logiciel libre cecill version 2 1", "CECILL-2.1"),
    NoticeRule("contrat de licence de logiciel libre cecill b", "CECILL-B"),
    NoticeRule("contrat de licence de logiciel libre cecill c", "CECILL-C"),
    NoticeRule("zope public license zpl version 2 1", "ZPL-2.1"),
    NoticeRule("zope public license version 2 1", "ZPL-2.1"),
    NoticeRule("universal permissive license upl 1 0", "UPL-1.0"),
    NoticeRule("universal permissive license upl version 1 0", "UPL-1.0"),
    NoticeRule("universal permissive license version 1 0", "UPL-1.0"),
    NoticeRule("do what the fuck you want to public license", "WTFPL", confidence: 0.8),
    NoticeRule("released into the public domain", publicDomain, confidence: 0.7),
    NoticeRule("placed in the public domain", publicDomain, confidence: 0.7),
    NoticeRule("put in the public domain", publicDomain, confidence: 0.7),
    NoticeRule("dedicated to the public domain", publicDomain, confidence: 0.7),
    NoticeRule("is in the public domain", publicDomain, confidence: 0.6),
    NoticeRule("are in the public domain", publicDomain, confidence: 0.6),
    NoticeRule("into the public domain", publicDomain, confidence: 0.7),
    NoticeRule("to the public domain", publicDomain, confidence: 0.6),
    NoticeRule("is public domain", publicDomain, confidence: 0.6),
    NoticeRule("disclaims copyright to this source code", publicDomain, confidence: 0.7),
    NoticeRule("public domain", publicDomain, confidence: 0.4),
  ]

  /// Perl's own terms, as its README gives them.
  static let perlTerms = "Artistic-1.0-Perl OR GPL-1.0-or-later"
  /// SPDX has no id for a public-domain dedication.
  static let publicDomain = "LicenseRef-public-domain"

  /// The Affero GPL's title as its text opens.
  static let agplTitle = phrase("gnu affero general public license version 3 19 november 2007")
  /// The end of a GNU licence's terms, before its "How to Apply These Terms" appendix; when it is
  /// missing, the AGPL's terms end within its length in bytes.
  static let termsEnd = phrase("end of terms and conditions")
  static let agplLength = 32_000

  /// The BSD grant ("Redistribution and use in source and binary forms[ of X], with or without
  /// modification, are permitted"); its clauses decide which BSD licence it is.
  static let bsdGrantStart = phrase("redistribution and use")
  static let bsdGrantForms = phrase("in source and binary forms")
  static let bsdPermitted = WordTokens.hash("permitted")
  /// The bare name in the grant's own sentence ("permitted under the terms of the BSD license").
  static let bsdNamed = phrase("bsd license")
  static let bsdEndorsement = [
    "neither the name", "names of its contributors may not be used", "name of the copyright holder nor",
    "may not be used to endorse or promote", "used to endorse or promote products",
  ]
  .map(NoticeRule.phrase)
  static let bsdAdvertising = NoticeRule.phrase("all advertising materials mentioning features")
  /// The first clause every BSD variant has, right under the grant.
  static let bsdSourceClause = ["redistributions of source code", "redistribution of source code"].map(
    NoticeRule.phrase)
  /// The clause on binary forms ("Redistributions in binary form must reproduce …"), which
  /// BSD-1-Clause and BSD-Source-Code leave out.
  static let bsdBinaryClause = ["in binary form", "in binary forms"].map(phrase)
  /// The BSD disclaimer's opening ("THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS …").
  static let bsdDisclaimer = phrase("this software is provided")
  /// The source clause and its number, then the start of the clause after it: within these
  /// words of the source clause's first ("Redistributions of source code must retain the above
  /// copyright notice, this list of conditions and the following disclaimer." is 18).
  static let bsdClauseWords = 28
  /// The end of the MIT grant, then its condition ("subject to the following conditions: The
  /// above copyright notice … shall be included"); MIT No Attribution (MIT-0) drops the condition
  /// and goes on to the disclaimer.
  static let mitGrantEnd = phrase("furnished to do so")
  /// The ISC grant's end, its condition, and its disclaimer (which the BSD Zero Clause licence
  /// keeps, without the condition).
  static let herebyGranted = phrase("is hereby granted")
  static let iscCondition = phrase(
    "provided that the above copyright notice and this permission notice appear in all copies")
  static let iscDisclaimer = phrase("the software is provided as is and the author disclaims all warranties")
  /// The MIT licence's disclaimer, which the OpenIB.org BSD licence has under its two clauses.
  static let mitDisclaimer = NoticeRule.phrase("the software is provided as is without warranty of any kind")
  /// The licences the BSD grant's clauses tell apart.
  static let bsdVariants: Set<String> = [
    "BSD-1-Clause", "BSD-2-Clause", "BSD-3-Clause", "BSD-4-Clause", "BSD-Source-Code", "Linux-OpenIB",
  ]
  /// Licences that are the BSD grant and its clauses with a clause of their own after them, and
  /// how far (bytes) before that clause the grant is theirs.
  static let clauseAfterTheBSDGrant: Set<String> = ["BSD-3-Clause-LBNL", "BSD-2-Clause-Patent"]
  static let clauseReach = 3_000
  /// Licences whose text is the BSD grant with clauses of their own, and how far (bytes) after
  /// their title the grant is theirs.
  static let writtenOnTheBSDGrant: Set<String> = ["ZPL-2.1", "ZPL-2.0", "OpenSSL", "HDF5"]
  /// What a BSD grant can be read as.
  static let bsdGrantReadings = bsdVariants.union(clauseAfterTheBSDGrant).union(writtenOnTheBSDGrant)
  static let titleReach = 2_000

  /// What the LLVM exception's rules read: the exception is only ever one to the Apache licence.
  static let llvmException = "Apache-2.0 WITH LLVM-exception"

  static func phrase(_ text: String) -> [UInt64] { text.split(separator: " ").map { WordTokens.hash(String($0)) } }
}
