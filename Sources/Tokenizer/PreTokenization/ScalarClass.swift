import Synchronization

/// The classes the split patterns distinguish: `\p{L}`, `\p{N}`, `\s` (Unicode White_Space) and
/// everything else (which also stands for bytes that are not valid UTF-8).
enum ScalarClass: UInt8 {
  case other = 0
  case letter = 1
  case number = 2
  case space = 3
}

/// The class of every scalar, in pages of 256 classes filled on first use: a text touches a few
/// pages (ASCII, Latin, one script or two), and every process that loads a tokenizer — each task
/// of the tokenizer and shard stages — would otherwise ask the standard library 262,144 Unicode
/// properties at start (~15 ms). Only planes 0–3 are looked up: planes 4–13 are unassigned and
/// 14–16 hold tags, variation selectors and private use, none of them letters, numbers or spaces.
/// Threads share it: a page is filled under a lock and published with a release store, and a
/// reader that sees the page ready (acquire load) sees its classes.
final class ScalarClassTable: @unchecked Sendable {
  static let shared = ScalarClassTable()

  private static let pages = 0x400
  /// Per page: 1 once its classes are filled.
  private let ready: UnsafeMutablePointer<Atomic<UInt8>>
  /// 256 classes (raw values of `ScalarClass`) per page.
  private let classes: UnsafeMutablePointer<UInt8>
  private let filling = Mutex(())
  /// The classes of U+0000–U+007F, for the scanners' ASCII fast paths.
  let ascii: UnsafePointer<UInt8>

  private init() {
    ready = .allocate(capacity: Self.pages)
    for page in 0..<Self.pages { (ready + page).initialize(to: Atomic(0)) }
    classes = .allocate(capacity: Self.pages << 8)
    ascii = UnsafePointer(classes)
    fill(0)
  }

  /// Fills `page` unless another thread has.
  private func fill(_ page: Int) {
    filling.withLock { _ in
      guard ready[page].load(ordering: .relaxed) == 0 else { return }
      for low in 0..<256 { classes[page << 8 | low] = Self.classify(UInt32(page << 8 | low)).rawValue }
      ready[page].store(1, ordering: .releasing)
    }
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
    case .spaceSeparator, .lineSeparator, .paragraphSeparator, .control:
      return whiteSpace.contains(value) ? .space : .other
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter: return .letter
    case .decimalNumber, .letterNumber, .otherNumber: return .number
    default: return .other
    }
  }

  /// The class of a scalar value; values above U+10FFFF (the decoder's mark for an invalid
  /// byte) are `other`.
  @inline(__always)
  func of(_ value: UInt32) -> ScalarClass {
    let page = Int(value >> 8)
    guard page < Self.pages else { return .other }
    if ready[page].load(ordering: .acquiring) == 0 { fill(page) }
    return ScalarClass(rawValue: classes[Int(value)]).unsafelyUnwrapped
  }
}
