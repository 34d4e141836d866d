import Foundation
import HatcheryCore
import Tokenizer

/// Every kept document tokenized, in workspace order: the ids go to a scratch file (uint32,
/// document after document) so memory holds only one batch of text and the per-document index,
/// and the shard writer then reads the documents back in any order through a mapping.
final class TokenizedDocuments {
  struct Entry {
    let id: String
    let tokenStart: Int
    let tokenCount: Int
  }

  private(set) var documents: [Entry] = []
  private(set) var bytes = 0
  private let mapping: UnsafeRawBufferPointer?
  private let path: String

  init(kept: KeptDocuments, tokenizer: Tokenizer, threads: Int, folder: String) throws {
    path = folder + "/tokens.u32"
    guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
      throw HatcheryError.system("create", path: path)
    }
    let reader = kept.reader()
    var tokens = 0
    var finished = false
    while !finished {
      // Batches of about 8 MB of text, encoded on every thread.
      var text: [UInt8] = []
      var ranges: [Range<Int>] = []
      var ids: [String] = []
      while text.count < 8 << 20 {
        guard let (document, bytes) = try reader.next() else {
          finished = true
          break
        }
        ranges.append(text.count..<text.count + bytes.count)
        text.append(contentsOf: bytes)
        ids.append(document.id)
      }
      guard !ranges.isEmpty else { break }
      let (encoded, ends) = text.withUnsafeBytes {
        tokenizer.encodeBatch($0, documents: ranges, threads: threads, recognizeSpecialTokens: false)
      }
      var start = 0
      for (id, end) in zip(ids, ends) {
        documents.append(Entry(id: id, tokenStart: tokens + start, tokenCount: end - start))
        start = end
      }
      tokens += encoded.count
      bytes += text.count
      do {
        try encoded.withUnsafeBytes { try handle.write(contentsOf: Data($0)) }
      } catch {
        throw HatcheryError.file("write", path: path, error)
      }
    }
    do { try handle.close() } catch { throw HatcheryError.file("write", path: path, error) }
    if tokens > 0 {
      let descriptor = open(path, O_RDONLY | O_CLOEXEC)
      guard descriptor >= 0 else { throw HatcheryError.system("open", path: path) }
      defer { close(descriptor) }
      guard let address = mmap(nil, tokens * 4, PROT_READ, MAP_PRIVATE, descriptor, 0), address != MAP_FAILED else {
        throw HatcheryError.system("map", path: path)
      }
      mapping = UnsafeRawBufferPointer(start: address, count: tokens * 4)
    } else {
      mapping = nil
    }
  }

  deinit {
    if let mapping { munmap(UnsafeMutableRawPointer(mutating: mapping.baseAddress), mapping.count) }
    unlink(path)
  }

  func withTokens<T>(of index: Int, _ body: (UnsafeBufferPointer<UInt32>) throws -> T) rethrows -> T {
    let entry = documents[index]
    guard let mapping, entry.tokenCount > 0 else { return try body(UnsafeBufferPointer(start: nil, count: 0)) }
    let base = mapping.baseAddress!.assumingMemoryBound(to: UInt32.self) + entry.tokenStart
    return try body(UnsafeBufferPointer(start: base, count: entry.tokenCount))
  }
}
