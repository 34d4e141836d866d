import Foundation
import Logging

/// A swift-log handler that writes one JSON object per line to standard error — time, level,
/// label, message and the entry's metadata — for log collectors and cluster job logs.
public struct JSONLogHandler: LogHandler {
  public var logLevel: Logger.Level = .info
  public var metadata: Logger.Metadata = [:]
  private let label: String

  public init(label: String) {
    self.label = label
  }

  public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
    get { metadata[key] }
    set { metadata[key] = newValue }
  }

  public func log(event: LogEvent) {
    var object = JSONObject([
      ("time", .string(Timestamp.now())), ("level", .string(event.level.rawValue)), ("label", .string(label)),
      ("message", .string(event.message.description)),
    ])
    for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }).sorted(by: { $0.key < $1.key }
    ) {
      object[key] = .string(value.description)
    }
    FileHandle.standardError.write(Data((JSONWriter.encode(.object(object)) + "\n").utf8))
  }
}
