/// The classes the split patterns distinguish: `\p{L}`, `\p{N}`, `\s` (Unicode White_Space) and
/// everything else (which also stands for bytes that are not valid UTF-8).
enum ScalarClass: UInt8 {
  case other = 0
  case letter = 1
  case number = 2
  case space = 3
}

/// The class of every scalar, as a two-stage table built once from the standard library's
/// Unicode properties: the stage-1 entry of `scalar >> 8` names a 256-entry block of classes,
/// and identical blocks are stored once (132 distinct blocks with Swift 6.3's Unicode data:
/// 42 KB, which stays in cache where a flat 1.1 MB table would not). Only planes 0–3 are looked up: planes 4–13 are
/// unassigned and 14–16 hold tags, variation selectors and private use, none of them letters,
/// numbers or spaces; that took `tokenizer encode` of one line from 0.10 s to 0.04 s.
final class ScalarClassTable: @unchecked Sendable {
  static let shared = ScalarClassTable()

  /// Stage 1: block number of each 256-scalar page (0x1100 pages).
  let blockOfPage: UnsafeMutablePointer<UInt16>
  /// Stage 2: blocks of 256 classes (raw values of `ScalarClass`).
  let classes: UnsafeMutablePointer<UInt8>

  private init() {
    blockOfPage = .allocate(capacity: 0x1100)
    var blocks: [UInt8] = []
    var blockIndex: [[UInt8]: UInt16] = [:]
    var block = [UInt8](repeating: 0, count: 256)
    var previous: (block: [UInt8], index: UInt16)?
    for page in 0..<0x1100 {
      for low in 0..<256 {
        block[low] = page < 0x400 ? Self.classify(UInt32(page << 8 | low)).rawValue : ScalarClass.other.rawValue
      }
      // Runs of pages share a block (unassigned planes, ideographs): compared with the last
      // page's before hashing 256 bytes.
      if let previous, previous.block == block {
        blockOfPage[page] = previous.index
      } else if let index = blockIndex[block] {
        blockOfPage[page] = index
        previous = (block, index)
      } else {
        let index = UInt16(blockIndex.count)
        blockIndex[block] = index
        blocks.append(contentsOf: block)
        blockOfPage[page] = index
        previous = (block, index)
      }
    }
    classes = .allocate(capacity: blocks.count)
    classes.initialize(from: blocks, count: blocks.count)
  }

  /// Unicode's White_Space property (PropList.txt; unchanged since Unicode 6.3): listed, so
  /// building the table asks the standard library one property per scalar, not two.
  static let whiteSpace: Set<UInt32> = [
    0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006,
    0x2007, 0x2008, 0x2009, 0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000,
  ]

  private static func classify(_ value: UInt32) -> ScalarClass {
    guard let scalar = Unicode.Scalar(value) else { return .other }  // surrogate code points
    // Every White_Space scalar is a separator (Z*) or a control (Cc), never L or N.
    switch scalar.properties.generalCategory {
    case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control: return whiteSpace.contains(value) ? .space : .other
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
    case .decimalNumber, .letterNumber, .otherNumber: return .number
    default: return .other
    }
  }

  /// The class of a scalar value; values above U+10FFFF (the decoder's mark for an invalid
  /// byte) are `other`.
  @inline(__always)
  func of(_ value: UInt32) -> ScalarClass {
    guard value <= 0x10FFFF else { return .other }
    let block = Int(blockOfPage[Int(value >> 8)])
    return ScalarClass(rawValue: classes[block << 8 | Int(value & 0xFF)]).unsafelyUnwrapped
  }
}
