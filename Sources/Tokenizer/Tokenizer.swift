import Dispatch
import HatcheryCore

/// A byte-level BPE tokenizer: the split pattern, the bytes of every token, the merges and the
/// special tokens. Immutable once built, so one instance is shared by encoding threads.
public final class Tokenizer: @unchecked Sendable {
  /// How pairs merge. Hugging Face's BPE merges only the listed pairs; tiktoken merges any two
  /// adjacent tokens whose concatenation is a token, at that token's rank. The two agree on
  /// almost every text; each file format is read with its own rule, so Hatchery gives the same
  /// ids as the library that reads the same file.
  public enum MergeRule: String, Sendable {
    case listedMerges
    case anySplit
  }

  public struct Merge: Equatable, Sendable {
    public let left: UInt32
    public let right: UInt32
    public let token: UInt32
  }

  public let pattern: SplitPattern
  public let mergeRule: MergeRule
  /// The bytes of each token id (a special token: its UTF-8 text).
  public let tokens: [[UInt8]]
  /// In rank order.
  public let merges: [Merge]
  public let specialTokens: [(text: String, id: UInt32)]

  let preTokenizer: PreTokenizer
  let pairs: PairRankTable
  /// The token id of each byte.
  let byteTokens: UnsafeMutablePointer<UInt32>
  /// Pieces that are one token as a whole: looked up before merging, which skips the merge loop
  /// for most pieces of running text. Under `listedMerges` only the tokens that the merges
  /// rebuild from their own bytes are listed, so the shortcut never changes a result.
  private let wholePieces: ByteStringTable
  private let specialMatcher: SpecialTokenMatcher

  public var vocabularySize: Int { tokens.count }
  public var endOfText: UInt32? { specialTokens.first { $0.text == "<|endoftext|>" }?.id }

  /// Builds a tokenizer; throws if the tables are inconsistent (a merge naming an unknown
  /// token, a byte without a token, duplicate ids). With `wholeTokensFirst` a piece that is a
  /// token is always that token (Hugging Face's `ignore_merges`).
  public init(
    pattern: SplitPattern, tokens: [[UInt8]], merges: [Merge], specialTokens: [(text: String, id: UInt32)],
    mergeRule: MergeRule, wholeTokensFirst: Bool = false
  ) throws {
    self.pattern = pattern
    self.tokens = tokens
    self.merges = merges
    self.specialTokens = specialTokens
    self.mergeRule = mergeRule
    preTokenizer = PreTokenizer(pattern: pattern)
    let specialIDs = Set(specialTokens.map(\.id))
    let byteTable = UnsafeMutablePointer<UInt32>.allocate(capacity: 256)
    byteTable.initialize(repeating: UInt32.max, count: 256)
    // A throw below leaves no instance to deinitialize: the table is freed here then.
    var built = false
    defer { if !built { byteTable.deallocate() } }
    let lookup = ByteStringTable(capacity: tokens.count * 2)
    for (id, bytes) in tokens.enumerated() where !specialIDs.contains(UInt32(id)) {
      if bytes.count == 1 {
        guard byteTable[Int(bytes[0])] == UInt32.max else {
          throw TokenizerError.notByteLevel("byte \(bytes[0]) has two tokens")
        }
        byteTable[Int(bytes[0])] = UInt32(id)
      }
      guard !bytes.isEmpty else { throw TokenizerError.notByteLevel("token \(id) is empty") }
      bytes.withUnsafeBufferPointer { lookup.set($0.baseAddress!, $0.count, value: UInt64(id)) }
    }
    if let missing = (0..<256).first(where: { byteTable[$0] == UInt32.max }) {
      throw TokenizerError.notByteLevel("not a byte-level tokenizer: byte \(missing) has no token")
    }
    var entries: [(key: UInt64, rank: UInt32, token: UInt32)] = []
    switch mergeRule {
    case .listedMerges:
      for (rank, merge) in merges.enumerated() {
        guard [merge.left, merge.right, merge.token].allSatisfy({ Int($0) < tokens.count }),
          tokens[Int(merge.left)] + tokens[Int(merge.right)] == tokens[Int(merge.token)]
        else {
          throw TokenizerError.notByteLevel(
            "merge \(rank) (\(merge.left) \(merge.right) → \(merge.token)) does not join its tokens")
        }
        entries.append((UInt64(merge.left) << 32 | UInt64(merge.right), UInt32(rank), merge.token))
      }
    case .anySplit:
      // Every split of every token into two tokens, at the token's rank (its id).
      for (id, bytes) in tokens.enumerated() where bytes.count >= 2 && !specialIDs.contains(UInt32(id)) {
        bytes.withUnsafeBufferPointer { bytes in
          for cut in 1..<bytes.count {
            guard let left = lookup.value(bytes.baseAddress!, cut),
              let right = lookup.value(bytes.baseAddress! + cut, bytes.count - cut)
            else { continue }
            entries.append((left << 32 | right, UInt32(id), UInt32(id)))
          }
        }
      }
    }
    let pairTable = PairRankTable(entries)
    specialMatcher = SpecialTokenMatcher(specialTokens)
    let wholePieces = ByteStringTable(capacity: tokens.count * 2)
    var merger = PieceMerger()
    var scratch: [UInt32] = []
    for (id, bytes) in tokens.enumerated() where bytes.count >= 2 && !specialIDs.contains(UInt32(id)) {
      bytes.withUnsafeBufferPointer { bytes in
        var listed = mergeRule == .anySplit || wholeTokensFirst
        if !listed {
          scratch.removeAll(keepingCapacity: true)
          merger.merge(bytes, byteTokens: byteTable, pairs: pairTable, into: &scratch)
          listed = scratch == [UInt32(id)]
        }
        if listed { wholePieces.set(bytes.baseAddress!, bytes.count, value: UInt64(id)) }
      }
    }
    self.byteTokens = byteTable
    self.pairs = pairTable
    self.wholePieces = wholePieces
    built = true
  }

  deinit {
    byteTokens.deallocate()
    pairs.deallocate()
  }

  // MARK: Encoding

  /// Encodes `text` (any bytes), recognising special tokens written in it, as Hugging Face's
  /// `Tokenizer.encode` does.
  public func encode(_ text: UnsafeRawBufferPointer, into output: inout [UInt32]) {
    var merger = PieceMerger()
    encode(text, merger: &merger, into: &output)
  }

  public func encode(_ text: String) -> [UInt32] {
    var output: [UInt32] = []
    var text = text
    text.withUTF8 { encode(UnsafeRawBufferPointer($0), into: &output) }
    return output
  }

  /// Encodes `text` as plain text: a special token's text is split like any other. What the
  /// shard stage uses, so a document cannot inject an end-of-text token.
  public func encodeOrdinary(_ text: UnsafeRawBufferPointer, into output: inout [UInt32]) {
    var merger = PieceMerger()
    encodeOrdinary(text, merger: &merger, into: &output)
  }

  private func encode(_ text: UnsafeRawBufferPointer, merger: inout PieceMerger, into output: inout [UInt32]) {
    var start = 0
    while let (position, length, id) = specialMatcher.first(in: text, from: start) {
      encodeOrdinary(UnsafeRawBufferPointer(rebasing: text[start..<position]), merger: &merger, into: &output)
      output.append(id)
      start = position + length
    }
    encodeOrdinary(UnsafeRawBufferPointer(rebasing: text[start...]), merger: &merger, into: &output)
  }

  private func encodeOrdinary(_ text: UnsafeRawBufferPointer, merger: inout PieceMerger, into output: inout [UInt32]) {
    guard let base = text.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return }
    preTokenizer.forEachPiece(text) { start, end in
      let length = end - start
      if length == 1 {
        output.append(byteTokens[Int(base[start])])
      } else if let id = wholePieces.value(base + start, length) {
        output.append(UInt32(truncatingIfNeeded: id))
      } else {
        merger.merge(
          UnsafeBufferPointer(start: base + start, count: length), byteTokens: byteTokens, pairs: pairs, into: &output)
      }
    }
  }

  /// Encodes each document of `text` (byte ranges) on `threads` threads, each taking a
  /// contiguous run of documents of about equal size. Returns the ids of all documents in
  /// order and where each document's ids end.
  public func encodeBatch(
    _ text: UnsafeRawBufferPointer, documents: [Range<Int>], threads: Int, recognizeSpecialTokens: Bool
  ) -> (ids: [UInt32], documentEnds: [Int]) {
    let threads = max(1, min(threads, documents.count))
    let total = documents.reduce(0) { $0 + $1.count }
    var bounds = [0]
    var accumulated = 0
    for (index, document) in documents.enumerated() where bounds.count < threads {
      accumulated += document.count
      if accumulated * threads >= total * bounds.count { bounds.append(index + 1) }
    }
    while bounds.count <= threads { bounds.append(documents.count) }
    bounds[threads] = documents.count
    let runs = bounds
    let parts = UnsafeMutableBufferPointer<(ids: [UInt32], ends: [Int])>.allocate(capacity: threads)
    parts.initialize(repeating: ([], []))
    // Each worker's token array is released with the buffer (deallocate alone would leak them:
    // every batch's tokens, all of a shard task's, stayed resident).
    defer {
      parts.deinitialize()
      parts.deallocate()
    }
    let shared = UncheckedBox((text, parts))
    DispatchQueue.concurrentPerform(iterations: threads) { worker in
      let (text, parts) = shared.value
      var merger = PieceMerger()
      var ids: [UInt32] = []
      ids.reserveCapacity((runs[worker + 1] - runs[worker]) * 64)
      var ends: [Int] = []
      for index in runs[worker]..<runs[worker + 1] {
        let document = UnsafeRawBufferPointer(rebasing: text[documents[index]])
        if recognizeSpecialTokens {
          encode(document, merger: &merger, into: &ids)
        } else {
          encodeOrdinary(document, merger: &merger, into: &ids)
        }
        ends.append(ids.count)
      }
      parts[worker] = (ids, ends)
    }
    var ids: [UInt32] = []
    ids.reserveCapacity(parts.reduce(0) { $0 + $1.ids.count })
    var documentEnds: [Int] = []
    documentEnds.reserveCapacity(documents.count)
    for part in parts {
      let offset = ids.count
      ids.append(contentsOf: part.ids)
      documentEnds.append(contentsOf: part.ends.lazy.map { $0 + offset })
    }
    return (ids, documentEnds)
  }

  // MARK: Decoding

  /// The bytes of `ids`; throws on an id outside the vocabulary.
  public func decode(_ ids: [UInt32]) throws -> [UInt8] {
    var bytes: [UInt8] = []
    for id in ids {
      guard Int(id) < tokens.count else {
        throw TokenizerError.idOutsideVocabulary(id: id, vocabularySize: tokens.count)
      }
      bytes.append(contentsOf: tokens[Int(id)])
    }
    return bytes
  }
}

extension Tokenizer {
  /// Whether the ordinary token ids can serve as tiktoken ranks: bytes 0–255 in byte order,
  /// then each token at the id following the tokens made by earlier merges, special tokens
  /// last. True of every tokenizer Hatchery trains.
  public var isRankOrdered: Bool {
    guard (0..<256).allSatisfy({ tokens[$0] == [UInt8($0)] }) else { return false }
    var next: UInt32 = 256
    for merge in merges where merge.token >= next {
      guard merge.token == next else { return false }
      next += 1
    }
    let specialIDs = specialTokens.map(\.id).sorted()
    return specialIDs == Array(next..<next + UInt32(specialIDs.count)) && Int(next) + specialIDs.count == tokens.count
  }
}
