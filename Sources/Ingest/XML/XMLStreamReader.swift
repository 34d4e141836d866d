import CLibXML2
import CXMLErrorSink
import Foundation
import HatcheryCore

/// libxml2's streaming reader (xmlTextReader) over any `ByteSource`, so a dump is parsed as it
/// is decompressed and never held whole: memory stays that of the current element.
///
/// Safe by construction: no network (XML_PARSE_NONET), no external DTD or entity is ever
/// loaded (no XML_PARSE_DTDLOAD, no XML_PARSE_NOENT: with NOENT libxml2 2.9 would read
/// `file://` entities), no XML_PARSE_HUGE, so libxml2's own limits stand (10 MB per text node,
/// depth 256, and its entity-amplification check, which stops expansion bombs).
final class XMLStreamReader {
  /// What the reader's callbacks share with it: the source, and the first error seen.
  private final class Channel {
    let source: ByteSource
    var streamError: StreamError?
    var parseError: String?
    var parseLine = 0
    init(source: ByteSource) { self.source = source }
  }

  private let reader: xmlTextReaderPtr
  private let channel: Channel
  private let name: String

  init(source: ByteSource, name: String) throws {
    channel = Channel(source: source)
    self.name = name
    let context = Unmanaged.passUnretained(channel).toOpaque()
    hatchery_xml_capture_generic_errors()
    let options = Int32(
      XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
        | XML_PARSE_COMPACT.rawValue)
    guard let reader = xmlReaderForIO(Self.readCallback, nil, context, nil, nil, options) else {
      throw IngestError.libraryFailed(name: name, reason: "libxml2 could not start a reader")
    }
    self.reader = reader
    xmlTextReaderSetStructuredErrorHandler(reader, Self.errorCallback, context)
  }

  deinit { xmlFreeTextReader(reader) }

  private static let readCallback: xmlInputReadCallback = { context, buffer, length in
    let channel = Unmanaged<Channel>.fromOpaque(context!).takeUnretainedValue()
    do {
      return Int32(try channel.source.read(into: UnsafeMutableRawBufferPointer(start: buffer, count: Int(length))))
    } catch let error as StreamError {
      channel.streamError = error
      return -1
    } catch {
      channel.streamError = StreamError(.unreadable, "\(error)")
      return -1
    }
  }

  private static let errorCallback: xmlStructuredErrorFunc = { context, error in
    guard let context, let error else { return }
    let channel = Unmanaged<Channel>.fromOpaque(context).takeUnretainedValue()
    guard channel.parseError == nil, error.pointee.level.rawValue >= XML_ERR_ERROR.rawValue else { return }
    let message = error.pointee.message.map { String(cString: $0) } ?? "error \(error.pointee.code)"
    channel.parseError = oneLine(message)
    channel.parseLine = Int(error.pointee.line)
  }

  /// Moves to the next node; false at the end of the document. A read or parse error throws a
  /// `StreamError` naming the file and line; the nodes before it were delivered.
  func next() throws -> Bool {
    let status = xmlTextReaderRead(reader)
    if status == 1 { return true }
    if status == 0 && channel.parseError == nil && channel.streamError == nil { return false }
    if let streamError = channel.streamError { throw streamError }
    let line = channel.parseLine > 0 ? channel.parseLine : Int(xmlTextReaderGetParserLineNumber(reader))
    throw StreamError(
      .corrupt, "\(name):\(line): malformed XML: \(channel.parseError ?? "parse error")\(Self.capturedGenericError())")
  }

  /// libxml2's message on one line (some hold a line break before the bytes they quote).
  static func oneLine(_ message: String) -> String {
    message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
  }

  /// What libxml2 sent to its generic error function during this parse, as a clause.
  static func capturedGenericError() -> String {
    let message = oneLine(String(cString: hatchery_xml_captured_generic_error()))
    return message.isEmpty ? "" : " (\(message))"
  }

  var nodeType: Int32 { xmlTextReaderNodeType(reader) }
  var isEmptyElement: Bool { xmlTextReaderIsEmptyElement(reader) == 1 }
  var line: Int { Int(xmlTextReaderGetParserLineNumber(reader)) }

  /// The local name (without prefix) of the current node, compared without making a string.
  func isNamed(_ local: StaticString) -> Bool {
    guard let name = xmlTextReaderConstLocalName(reader) else { return false }
    return strcmp(
      UnsafeRawPointer(name).assumingMemoryBound(to: CChar.self),
      UnsafeRawPointer(local.utf8Start).assumingMemoryBound(to: CChar.self)) == 0
  }

  /// The text of a text, CDATA or white-space node; valid until the next move.
  var value: UnsafeRawBufferPointer? {
    guard let value = xmlTextReaderConstValue(reader) else { return nil }
    return UnsafeRawBufferPointer(
      start: value, count: strlen(UnsafeRawPointer(value).assumingMemoryBound(to: CChar.self)))
  }

  static let elementNode: Int32 = 1
  static let textNode: Int32 = 3
  static let cdataNode: Int32 = 4
  static let whitespaceNode: Int32 = 13
  static let significantWhitespaceNode: Int32 = 14
  static let endElementNode: Int32 = 15

  var isText: Bool {
    let type = nodeType
    return type == Self.textNode || type == Self.cdataNode || type == Self.whitespaceNode
      || type == Self.significantWhitespaceNode
  }
}
