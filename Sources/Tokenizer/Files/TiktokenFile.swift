import Foundation
import HatcheryCore

/// tiktoken's ranks file (`.tiktoken`): one line per ordinary token, `base64(bytes) rank`, ranks
/// from 0 without gaps. Read with tiktoken's merge rule (any split into two tokens merges at the
/// joined token's rank), so Hatchery encodes as tiktoken does with the same file. The file holds
/// neither the split pattern nor the special tokens: the reader is given them.
public enum TiktokenFile {
  public static func encode(_ tokenizer: Tokenizer) -> [UInt8] {
    let specialIDs = Set(tokenizer.specialTokens.map(\.id))
    var text = ""
    for (id, bytes) in tokenizer.tokens.enumerated() where !specialIDs.contains(UInt32(id)) {
      text += Data(bytes).base64EncodedString() + " \(id)\n"
    }
    return Array(text.utf8)
  }

  public static func decode(_ bytes: [UInt8], path: String, pattern: SplitPattern, specialTokens: [String]) throws
    -> Tokenizer
  {
    var tokens: [[UInt8]?] = []
    var lineNumber = 0
    for line in bytes.split(separator: 0x0A, omittingEmptySubsequences: false) {
      lineNumber += 1
      if line.isEmpty { continue }
      let fields = line.split(separator: 0x20)
      guard fields.count == 2, let decoded = Data(base64Encoded: Data(fields[0])),
        let rank = Int(String(decoding: fields[1], as: UTF8.self)), rank >= 0, rank < Int(Int32.max)
      else { throw TokenizerError.badFile(path: path, line: lineNumber, reason: "expected `base64 rank`") }
      if rank >= tokens.count { tokens.append(contentsOf: repeatElement(nil, count: rank + 1 - tokens.count)) }
      guard tokens[rank] == nil else {
        throw TokenizerError.badFile(path: path, line: lineNumber, reason: "rank \(rank) is given twice")
      }
      tokens[rank] = Array(decoded)
    }
    if let missing = tokens.firstIndex(where: { $0 == nil }) {
      throw TokenizerError.badFile(path: path, line: nil, reason: "rank \(missing) is missing")
    }
    var all = tokens.map { $0! }
    let specials = specialTokens.map { text -> (text: String, id: UInt32) in
      all.append(Array(text.utf8))
      return (text, UInt32(all.count - 1))
    }
    do {
      return try Tokenizer(pattern: pattern, tokens: all, merges: [], specialTokens: specials, mergeRule: .anySplit)
    } catch let error as any HatcheryFailure {
      throw TokenizerError.badFile(path: path, line: nil, reason: error.message)
    }
  }
}
