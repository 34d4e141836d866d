import HatcheryCore

/// Finds e-mail addresses, IPv4 and IPv6 addresses and phone numbers in UTF-8 text and replaces
/// them by placeholders. Byte scanners, no regular expressions; each kind is anchored on the
/// characters it must contain ('@', '.', ':', digits) and checked for its boundaries, so version
/// numbers, times, MAC addresses, dates and ISBNs are left alone.
public struct PIIRedactor: Sendable {
  public enum Kind: String, Sendable, CaseIterable {
    case email, ipv4, ipv6, phone

    var placeholder: String {
      switch self {
      case .email: return "<EMAIL_ADDRESS>"
      case .ipv4, .ipv6: return "<IP_ADDRESS>"
      case .phone: return "<PHONE_NUMBER>"
      }
    }
  }

  /// E-mail domains (and their subdomains) and exact addresses that stay: public contact
  /// addresses such as a licence's `gnu.org`.
  public var allowed: Set<String>

  public init(allowed: Set<String> = []) {
    self.allowed = Set(allowed.map { $0.lowercased() })
  }

  public struct Match: Equatable, Sendable {
    public let kind: Kind
    public let range: Range<Int>
  }

  /// Every match, in text order, none overlapping.
  public func matches(_ text: UnsafeRawBufferPointer) -> [Match] {
    var found: [Match] = []
    var index = 0
    while index < text.count {
      let byte = text[index]
      if byte == UInt8(ascii: "@"), let range = email(text, at: index), !isAllowed(text, range, email: true) {
        found.append(Match(kind: .email, range: range))
        index = range.upperBound
        continue
      }
      index += 1
    }
    // Addresses and numbers, outside e-mail addresses.
    var position = 0
    var result: [Match] = []
    var next = 0
    while position < text.count {
      if next < found.count && position >= found[next].range.lowerBound {
        result.append(found[next])
        position = found[next].range.upperBound
        next += 1
        continue
      }
      let limit = next < found.count ? found[next].range.lowerBound : text.count
      if let match = address(text, at: position, limit: limit) {
        if !isAllowed(text, match.range, email: false) { result.append(match) }
        position = match.range.upperBound
        continue
      }
      position += 1
    }
    return result
  }

  /// The text with every match replaced by its placeholder, and the count of each kind.
  public func redact(_ text: UnsafeRawBufferPointer) -> (text: [UInt8], counts: [Kind: Int]) {
    let matches = matches(text)
    guard !matches.isEmpty else { return (Array(text), [:]) }
    var output: [UInt8] = []
    output.reserveCapacity(text.count)
    var counts: [Kind: Int] = [:]
    var position = 0
    for match in matches {
      output += text[position..<match.range.lowerBound]
      output += match.kind.placeholder.utf8
      counts[match.kind, default: 0] += 1
      position = match.range.upperBound
    }
    output += text[position...]
    return (output, counts)
  }

  // MARK: Scanners

  private static func isDigit(_ byte: UInt8) -> Bool { ASCII.isDigit(byte) }
  private static func isHex(_ byte: UInt8) -> Bool { ASCII.isHexDigit(byte) }
  private static func isAlphanumeric(_ byte: UInt8) -> Bool { ASCII.isAlphanumeric(byte) }

  /// local@domain.tld around the '@' at `at`: a local part of letters, digits and ._%+-, a
  /// domain of two or more labels, the last of two or more letters.
  private func email(_ text: UnsafeRawBufferPointer, at: Int) -> Range<Int>? {
    var start = at
    while start > 0 {
      let byte = text[start - 1]
      guard Self.isAlphanumeric(byte) || byte == 0x2E || byte == 0x5F || byte == 0x25 || byte == 0x2B || byte == 0x2D
      else { break }
      start -= 1
    }
    while start < at && text[start] == 0x2E { start += 1 }  // a sentence's full stop is not part of it
    guard start < at else { return nil }
    var end = at + 1
    var lastDot = -1
    while end < text.count {
      let byte = text[end]
      if Self.isAlphanumeric(byte) || byte == 0x2D {
        end += 1
      } else if byte == 0x2E && end + 1 < text.count && Self.isAlphanumeric(text[end + 1]) {
        lastDot = end
        end += 1
      } else {
        break
      }
    }
    guard lastDot > at + 1 else { return nil }
    let tld = text[(lastDot + 1)..<end]
    guard tld.count >= 2, tld.allSatisfy(ASCII.isLetter) else { return nil }
    return start..<end
  }

  private func isAllowed(_ text: UnsafeRawBufferPointer, _ range: Range<Int>, email: Bool) -> Bool {
    guard !allowed.isEmpty else { return false }
    let value = String(decoding: UnsafeRawBufferPointer(rebasing: text[range]), as: UTF8.self).lowercased()
    if allowed.contains(value) { return true }
    guard email, let at = value.firstIndex(of: "@") else { return false }
    var domain = value[value.index(after: at)...]
    while true {
      if allowed.contains(String(domain)) { return true }
      guard let dot = domain.firstIndex(of: ".") else { return false }
      domain = domain[domain.index(after: dot)...]
    }
  }

  /// An IPv4 or IPv6 address or a phone number starting at `position`, not running past `limit`.
  private func address(_ text: UnsafeRawBufferPointer, at position: Int, limit: Int) -> Match? {
    let byte = text[position]
    let previous: UInt8 = position > 0 ? text[position - 1] : 0x20
    // A token starts here: the byte before is not part of a word, number or address.
    let startsToken =
      !Self.isAlphanumeric(previous) && previous != 0x2E && previous != 0x3A && previous != 0x2D
      && previous != 0x2B
    guard startsToken else { return nil }
    if Self.isDigit(byte), let range = ipv4(text, at: position, limit: limit) {
      return Match(kind: .ipv4, range: range)
    }
    if Self.isHex(byte) || byte == 0x3A, let range = ipv6(text, at: position, limit: limit) {
      return Match(kind: .ipv6, range: range)
    }
    if Self.isDigit(byte) || byte == 0x2B || byte == 0x28, let range = phone(text, at: position, limit: limit) {
      return Match(kind: .phone, range: range)
    }
    return nil
  }

  /// Whether the token ends at `end`: no letter, digit or address character follows.
  private static func endsToken(_ text: UnsafeRawBufferPointer, _ end: Int, limit: Int) -> Bool {
    guard end < limit else { return true }
    let byte = text[end]
    if isAlphanumeric(byte) || byte == 0x3A || byte == 0x40 { return false }
    // "1.2.3.4." at the end of a sentence is fine; "1.2.3.4.5" is not an address.
    if byte == 0x2E || byte == 0x2D { return end + 1 >= limit || !isAlphanumeric(text[end + 1]) }
    return true
  }

  /// Four decimal numbers from 0 to 255 joined by dots.
  private func ipv4(_ text: UnsafeRawBufferPointer, at start: Int, limit: Int) -> Range<Int>? {
    var index = start
    for octet in 0..<4 {
      let first = index
      var value = 0
      while index < limit && Self.isDigit(text[index]) && index - first < 3 {
        value = value * 10 + Int(text[index] - 0x30)
        index += 1
      }
      guard index > first, value <= 255, !(index - first > 1 && text[first] == 0x30) else { return nil }
      if octet < 3 {
        guard index < limit && text[index] == 0x2E else { return nil }
        index += 1
      }
    }
    return Self.endsToken(text, index, limit: limit) ? start..<index : nil
  }

  /// Up to eight groups of one to four hex digits joined by ':', with at most one '::' standing
  /// for the missing groups: eight groups, or fewer with a '::'.
  private func ipv6(_ text: UnsafeRawBufferPointer, at start: Int, limit: Int) -> Range<Int>? {
    var index = start
    var groups = 0
    var compressed = false
    var end = start
    if index + 1 < limit && text[index] == 0x3A && text[index + 1] == 0x3A {
      compressed = true
      index += 2
      end = index
    }
    while index < limit && groups < 8 {
      let first = index
      while index < limit && Self.isHex(text[index]) && index - first < 4 { index += 1 }
      guard index > first else { break }
      if index < limit && Self.isHex(text[index]) { return nil }  // a group of five or more
      groups += 1
      end = index
      guard index < limit && text[index] == 0x3A else { break }
      if index + 1 < limit && text[index + 1] == 0x3A {
        guard !compressed else { break }
        compressed = true
        index += 2
        end = index
      } else {
        index += 1
      }
    }
    guard groups >= 2 || (compressed && groups >= 1), groups == 8 || compressed else { return nil }
    return Self.endsToken(text, end, limit: limit) ? start..<end : nil
  }

  /// International numbers ("+" then 8 to 15 digits in groups of one to four, separated by a
  /// space, '-' or '.') and North American ones ("(555) 123-4567", "555-123-4567",
  /// "555.123.4567").
  private func phone(_ text: UnsafeRawBufferPointer, at start: Int, limit: Int) -> Range<Int>? {
    func isSeparator(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x2D || byte == 0x2E }
    if text[start] == 0x2B {
      var index = start + 1
      var digits = 0
      var end = index
      while index < limit {
        let group = index
        while index < limit && Self.isDigit(text[index]) { index += 1 }
        let length = index - group
        guard length > 0 else { break }
        if text[group] == 0x28 { break }
        guard length <= 4 || digits == 0 && length <= 15 else { return nil }
        digits += length
        end = index
        guard index + 1 < limit, isSeparator(text[index]) || text[index] == 0x28,
          Self.isDigit(text[index + 1])
            || (text[index] == 0x20 && text[index + 1] == 0x28)
        else { break }
        index += text[index] == 0x20 && text[index + 1] == 0x28 ? 2 : 1
      }
      guard (8...15).contains(digits), Self.endsToken(text, end, limit: limit) else { return nil }
      return start..<end
    }
    // North American: optional "(" area ")", then 3 and 4 digits.
    var index = start
    let parenthesised = text[index] == 0x28
    if parenthesised { index += 1 }
    func run(_ count: Int) -> Bool {
      guard index + count <= limit, (index..<index + count).allSatisfy({ Self.isDigit(text[$0]) }) else { return false }
      index += count
      return !(index < limit && Self.isDigit(text[index]))
    }
    guard run(3) else { return nil }
    if parenthesised {
      guard index < limit && text[index] == 0x29 else { return nil }
      index += 1
      if index < limit && text[index] == 0x20 { index += 1 }
    } else {
      guard index < limit && isSeparator(text[index]) else { return nil }
      index += 1
    }
    guard run(3), index < limit, text[index] == 0x2D || text[index] == 0x2E || text[index] == 0x20 else { return nil }
    let separator = text[index]
    index += 1
    guard run(4), !parenthesised || separator != 0x2E, Self.endsToken(text, index, limit: limit) else { return nil }
    return start..<index
  }
}
