/// One document as it is stored in a part file: a Dolma-compatible JSON line
/// (`id`, `text`, `source`, `added`, `created`, `metadata`). docs/formats.md specifies it.
public struct Document: Sendable, Equatable {
  public var id: String
  public var text: String
  public var source: String
  public var added: String
  public var created: String?
  public var metadata: JSONObject

  public init(id: String, text: String, source: String, added: String, created: String?, metadata: JSONObject) {
    self.id = id
    self.text = text
    self.source = source
    self.added = added
    self.created = created
    self.metadata = metadata
  }

  /// Reads a document line; throws with the reason when it is not JSON or lacks `id` or `text`.
  public init(line: UnsafeRawBufferPointer) throws(DocumentLineError) {
    let value: JSONValue
    do { value = try JSONParser.parse(line) } catch { throw DocumentLineError(reason: "not JSON: \(error)") }
    guard let object = value.objectValue else { throw DocumentLineError(reason: "not a JSON object") }
    guard let id = object["id"]?.stringValue else { throw DocumentLineError(reason: "no string 'id'") }
    guard let text = object["text"]?.stringValue else { throw DocumentLineError(reason: "no string 'text'") }
    self.init(
      id: id, text: text, source: object["source"]?.stringValue ?? "", added: object["added"]?.stringValue ?? "",
      created: object["created"]?.stringValue, metadata: object["metadata"]?.objectValue ?? JSONObject())
  }
}

public struct DocumentLineError: Error, CustomStringConvertible, Sendable {
  public let reason: String
  public var description: String { reason }
}

extension JSONWriter {
  /// Appends a whole document line (with its `\n`). The text is passed as bytes so the ingest
  /// hot path never builds a `String` of it.
  public mutating func appendDocument(
    id: String, text: UnsafeRawBufferPointer, source: String, added: String, created: String?, metadata: JSONObject
  ) {
    appendRaw("{\"id\":")
    appendString(id)
    appendRaw(",\"text\":")
    appendString(text)
    appendRaw(",\"source\":")
    appendString(source)
    appendRaw(",\"added\":")
    appendString(added)
    appendRaw(",\"created\":")
    if let created { appendString(created) } else { appendRaw("null") }
    appendRaw(",\"metadata\":")
    appendObject(metadata)
    appendRaw("}\n")
  }
}
