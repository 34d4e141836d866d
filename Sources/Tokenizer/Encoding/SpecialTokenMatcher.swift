/// Finds special tokens written in text: the leftmost occurrence, and the longest token at that
/// position (Hugging Face's added-token matching when no token strips spaces or needs a whole
/// word). Only positions holding the first byte of some special token are checked.
struct SpecialTokenMatcher: Sendable {
  private let tokens: [(bytes: [UInt8], id: UInt32)]
  private let firstBytes: [Bool]

  init(_ specialTokens: [(text: String, id: UInt32)]) {
    tokens = specialTokens.map { (Array($0.text.utf8), $0.id) }.filter { !$0.0.isEmpty }.sorted {
      $0.0.count > $1.0.count
    }
    var firstBytes = [Bool](repeating: false, count: 256)
    for token in tokens { firstBytes[Int(token.bytes[0])] = true }
    self.firstBytes = firstBytes
  }

  func first(in text: UnsafeRawBufferPointer, from start: Int) -> (position: Int, length: Int, id: UInt32)? {
    guard !tokens.isEmpty, start < text.count else { return nil }
    for position in start..<text.count where firstBytes[Int(text[position])] {
      for token in tokens where token.bytes.count <= text.count - position {
        if token.bytes.withUnsafeBytes({
          $0.elementsEqual(UnsafeRawBufferPointer(rebasing: text[position..<position + $0.count]))
        }) {
          return (position, token.bytes.count, token.id)
        }
      }
    }
    return nil
  }
}
