/// GPT-2's byte-level alphabet, which Hugging Face's ByteLevel pre-tokenizer and decoder use to
/// write byte strings as printable text in tokenizer.json: the printable bytes `!`…`~`, `¡`…`¬`
/// and `®`…`ÿ` stand for themselves (as the scalar of the same value), and the other 68 bytes
/// (controls, space, DEL, NBSP, soft hyphen), in increasing order, for U+0100, U+0101, ….
enum ByteLevelAlphabet {
  /// The scalar that stands for each byte.
  static let scalarOfByte: [Unicode.Scalar] = {
    var scalars: [Unicode.Scalar] = []
    var next: UInt32 = 0x100
    for byte in 0..<256 {
      if (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte) {
        scalars.append(Unicode.Scalar(UInt32(byte))!)
      } else {
        scalars.append(Unicode.Scalar(next)!)
        next += 1
      }
    }
    return scalars
  }()

  static let byteOfScalar: [UInt32: UInt8] = Dictionary(
    uniqueKeysWithValues: scalarOfByte.enumerated().map { ($0.element.value, UInt8($0.offset)) })

  /// `bytes` written in the alphabet.
  static func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
    var text = String.UnicodeScalarView()
    for byte in bytes { text.append(scalarOfByte[Int(byte)]) }
    return String(text)
  }

  /// The bytes `text` stands for, or nil if it holds a scalar outside the alphabet.
  static func decode(_ text: String) -> [UInt8]? {
    var bytes: [UInt8] = []
    for scalar in text.unicodeScalars {
      guard let byte = byteOfScalar[scalar.value] else { return nil }
      bytes.append(byte)
    }
    return bytes
  }
}
