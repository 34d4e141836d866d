import Foundation
import HatcheryCore

/// Creative Commons licences, full licence texts matched against the references, and the
/// reduction of overlapping findings.
extension LicenseDetector {
  // MARK: Creative Commons

  /// The words of Creative Commons names and URLs, hashed once.
  private enum CC {
    static let creative = WordTokens.hash("creative"), commons = WordTokens.hash("commons")
    static let attribution = WordTokens.hash("attribution"), noncommercial = WordTokens.hash("noncommercial")
    static let non = WordTokens.hash("non"), commercial = WordTokens.hash("commercial")
    static let sharealike = WordTokens.hash("sharealike"), share = WordTokens.hash("share")
    static let alike = WordTokens.hash("alike"), noderivatives = WordTokens.hash("noderivatives")
    static let noderivs = WordTokens.hash("noderivs"), no = WordTokens.hash("no")
    static let derivatives = WordTokens.hash("derivatives"), derivs = WordTokens.hash("derivs")
    static let creativecommons = WordTokens.hash("creativecommons"), org = WordTokens.hash("org")
    static let licenses = WordTokens.hash("licenses"), by = WordTokens.hash("by"), nc = WordTokens.hash("nc")
    static let sa = WordTokens.hash("sa"), nd = WordTokens.hash("nd"), cc = WordTokens.hash("cc")
    static let international = WordTokens.hash("international"), license = WordTokens.hash("license")
    static let version = WordTokens.hash("version"), v = WordTokens.hash("v")
    static let legal = WordTokens.hash("legal"), code = WordTokens.hash("code")
    static let skipped: Set<UInt64> = [commercial, share, no, license, international, version, v]
  }

  /// "Creative Commons Attribution-NonCommercial-ShareAlike 4.0", "creativecommons.org/licenses/by-sa/3.0",
  /// "CC BY-ND 4.0": the elements named, then the version.
  func creativeCommons(_ tokens: WordTokens) -> [LicenseFinding] {
    var findings = FindingList()
    var position = 0
    while position < tokens.count && !findings.isFull {
      var cursor: Int
      let first = tokens.hashes[position]
      if first == CC.creative && matches([CC.creative, CC.commons, CC.attribution], tokens, at: position) {
        cursor = position + 3
      } else if first == CC.creative
        && matches([CC.creative, CC.commons, CC.legal, CC.code, CC.attribution], tokens, at: position)
      {
        // The 2.x and 3.0 legal codes' heading: "Creative Commons Legal Code / Attribution 3.0 Unported".
        cursor = position + 5
      } else if first == CC.creativecommons
        && matches([CC.creativecommons, CC.org, CC.licenses, CC.by], tokens, at: position)
      {
        cursor = position + 4
      } else if first == CC.cc && matches([CC.cc, CC.by], tokens, at: position) {
        cursor = position + 2
      } else {
        position += 1
        continue
      }
      var nonCommercial = false
      var shareAlike = false
      var noDerivatives = false
      var version: String?
      let limit = min(cursor + 10, tokens.count)
      while cursor < limit {
        let hash = tokens.hashes[cursor]
        if hash == CC.noncommercial || hash == CC.nc
          || (hash == CC.non && cursor + 1 < limit && tokens.hashes[cursor + 1] == CC.commercial)
        {
          nonCommercial = true
        } else if hash == CC.sharealike || hash == CC.sa || hash == CC.alike {
          shareAlike = true
        } else if hash == CC.noderivatives || hash == CC.noderivs || hash == CC.nd || hash == CC.derivatives
          || hash == CC.derivs
        {
          noDerivatives = true
        } else if let major = Self.numbers[hash] {
          if cursor + 1 < tokens.count, let minor = Self.numbers[tokens.hashes[cursor + 1]] {
            version = "\(major).\(minor)"
            cursor += 1
          }
          cursor += 1
          break
        } else if !CC.skipped.contains(hash) {
          break
        }
        cursor += 1
      }
      var spdx = "CC-BY"
      if nonCommercial { spdx += "-NC" }
      if shareAlike { spdx += "-SA" } else if noDerivatives { spdx += "-ND" }
      if let version, let entry = list.entry("\(spdx)-\(version)") {
        findings.append(
          LicenseFinding(
            spdx: entry.id, method: .notice, confidence: 0.9, start: tokens.starts[position],
            end: tokens.ends[max(cursor - 1, position)]))
      }
      position = max(cursor, position + 1)
    }
    return findings.items
  }

  /// The body of a Creative Commons 3.0 legal code (Unported, in American spelling) copied
  /// without its title: its opening sentence, its "Adaptation" (3.0's term; 1.0 to 2.5 say
  /// "Derivative Work"), and the elements its own clauses carry.
  private enum LegalCode {
    static let opening = NoticeRule.phrase(
      "provided under the terms of this creative commons public license ccpl or license")
    static let adaptation = NoticeRule.phrase("adaptation means a work based upon the work")
    static let nonCommercial = NoticeRule.phrase(
      "primarily intended for or directed toward commercial advantage or private monetary compensation")
    static let shareAlike = NoticeRule.phrase("with the same license elements as this license")
    static let noDerivatives = NoticeRule.phrase("otherwise you have no rights to make adaptations")
    /// A 3.0 legal code is some 3,000 words; its definitions follow the opening within 200.
    static let length = 4_000
    static let definitionsReach = 300
  }

  func creativeCommonsLegalCodes(_ tokens: WordTokens) -> [LicenseFinding] {
    var findings = FindingList()
    var position = 0
    while !findings.isFull, let opening = find(LegalCode.opening, tokens, from: position, limit: tokens.count) {
      position = opening + LegalCode.opening.count
      guard find(LegalCode.adaptation, tokens, from: position, limit: position + LegalCode.definitionsReach) != nil
      else { continue }
      // The elements are read up to the next legal code's opening.
      let end = min(
        find(LegalCode.opening, tokens, from: position, limit: position + LegalCode.length) ?? tokens.count,
        position + LegalCode.length)
      var spdx = "CC-BY"
      if find(LegalCode.nonCommercial, tokens, from: position, limit: end) != nil { spdx += "-NC" }
      if find(LegalCode.shareAlike, tokens, from: position, limit: end) != nil {
        spdx += "-SA"
      } else if find(LegalCode.noDerivatives, tokens, from: position, limit: end) != nil {
        spdx += "-ND"
      }
      findings.append(
        LicenseFinding(
          spdx: spdx + "-3.0", method: .notice, confidence: 0.9, start: tokens.starts[opening],
          end: tokens.ends[position - 1]))
    }
    return findings.items
  }

  // MARK: Full licence texts

  func texts(_ tokens: WordTokens) -> [LicenseFinding] {
    guard !references.isEmpty, tokens.count >= 2 else { return [] }
    var seen = [Bool](repeating: false, count: slotCount)
    var shared = [Int](repeating: 0, count: references.count)
    let hashes = tokens.hashes
    seen.withUnsafeMutableBufferPointer { seen in
      shared.withUnsafeMutableBufferPointer { shared in
        holders.withUnsafeBufferPointer { holders in
          for position in 1..<hashes.count {
            guard let run = referenceIndex[ReferenceText.bigram(hashes[position - 1], hashes[position])] else {
              continue
            }
            for holder in holders[Int(run.start)..<Int(run.start + run.count)] where !seen[Int(holder.slot)] {
              seen[Int(holder.slot)] = true
              shared[Int(holder.reference)] += 1
            }
          }
        }
      }
    }
    // Either ratio reaching the threshold needs shared ≥ threshold / 2 of the reference's bigrams
    // (Dice: 2·shared ≥ t·(reference + text) ≥ t·reference); most texts share far fewer with
    // every reference, and their distinct bigrams (a set of all of them) are not counted.
    guard
      references.indices.contains(where: {
        Double(shared[$0]) >= Self.textThreshold / 2 * Double(references[$0].bigrams.count)
      })
    else { return [] }
    // Dice needs the text's distinct bigrams; a text more than four times the largest reference
    // cannot reach the threshold, so its bigram count stands in for them.
    let textBigrams =
      hashes.count - 1 <= 4 * largestReference ? ReferenceText.distinctBigramCount(hashes) : hashes.count - 1
    var findings: [(finding: LicenseFinding, reference: Int)] = []
    for (number, reference) in references.enumerated() {
      let shared = shared[number]
      let dice = 2 * Double(shared) / Double(reference.bigrams.count + textBigrams)
      // A licence text inside a longer document (a copyright file, a README) is matched by how
      // much of the reference it contains; a text on its own by Dice over both.
      let contained = Double(shared) / Double(reference.bigrams.count)
      let ratio = max(dice, contained >= 0.90 ? contained : 0)
      if ratio >= Self.textThreshold {
        findings.append(
          (
            LicenseFinding(
              spdx: reference.spdx, method: .text, confidence: (ratio * 1000).rounded() / 1000, start: 0,
              end: tokens.ends.last ?? 0), number
          ))
      }
    }
    // Versions of one licence that share most of their text match together: the best is the
    // text's. Versions that differ (GPL-2 and GPL-3) both match only where both are there.
    return findings.sorted { $0.finding.confidence > $1.finding.confidence }.reduce(into: [(LicenseFinding, Int)]()) {
      kept, match in
      let family = Self.family(of: match.finding.spdx)
      if !kept.contains(where: {
        Self.family(of: $0.0.spdx) == family && overlapping[$0.1][match.reference]
      }) {
        kept.append(match)
      }
    }.map(\.0)
  }

  static func family(of id: String) -> String {
    String(id.prefix { !$0.isNumber }).trimmingCharacters(in: CharacterSet(charactersIn: "-"))
  }

  // MARK: Reduction

  /// One finding per (SPDX id, method), the most confident, at most `maximumFindings`; a licence text
  /// matched as `-only`, or a pointer to one, gives way to a notice that says `-or-later` for the
  /// same version (the text of a GNU licence does not say which) or that names the GFDL's variant
  /// without invariant sections (neither does the GFDL's text) — a pointer only to a firmer one: two
  /// statements as weak as each other, a kernel module's "GPL" and its GPL-only exports, both stand.
  static func deduplicated(_ findings: [LicenseFinding]) -> [LicenseFinding] {
    // The most confident finding of each (id, method), the earliest among equals.
    var best: [String: LicenseFinding] = [:]
    for finding in findings {
      let key = "\(finding.spdx)|\(finding.method.rawValue)"
      if let current = best[key], (current.confidence, -current.start) >= (finding.confidence, -finding.start) {
        continue
      }
      best[key] = finding
    }
    var result = best.values.sorted {
      ($0.start, $0.method.rawValue, $0.spdx) < ($1.start, $1.method.rawValue, $1.spdx)
    }
    let variant = "-no-invariants"
    func version(_ id: String) -> String {
      id.replacingOccurrences(of: variant, with: "").replacingOccurrences(of: "-or-later", with: "")
        .replacingOccurrences(of: "-only", with: "")
    }
    var moreSpecific: [String: Double] = [:]
    for finding in result where finding.spdx.hasSuffix("-or-later") || finding.spdx.contains(variant) {
      moreSpecific[version(finding.spdx)] = max(moreSpecific[version(finding.spdx)] ?? 0, finding.confidence)
    }
    result.removeAll {
      guard $0.spdx.hasSuffix("-only"), !$0.spdx.contains(variant), let specific = moreSpecific[version($0.spdx)]
      else { return false }
      return $0.method == .text || ($0.confidence <= pointerConfidence && $0.confidence < specific)
    }
    let specificPublicDomain = result.contains { $0.spdx == "Unlicense" || $0.spdx == "CC0-1.0" }
    if specificPublicDomain { result.removeAll { $0.spdx == NoticeRule.publicDomain } }
    return Array(result.prefix(maximumFindings))
  }

  /// The licence expression the findings support: tags win when present (the author's own
  /// statement); otherwise every licence found, joined by AND in order of appearance (a text
  /// that carries several licences is under all of them). nil when nothing was found.
  public static func expression(of findings: [LicenseFinding]) -> String? {
    let tags = findings.filter { $0.method == .tag }
    let chosen = tags.isEmpty ? findings : tags
    var parts: [String] = []
    for finding in chosen.sorted(by: { $0.start < $1.start }) where !parts.contains(finding.spdx) {
      parts.append(finding.spdx)
    }
    guard !parts.isEmpty else { return nil }
    if parts.count == 1 { return parts[0] }
    return parts.map { $0.contains(" ") ? "(\($0))" : $0 }.joined(separator: " AND ")
  }
}
