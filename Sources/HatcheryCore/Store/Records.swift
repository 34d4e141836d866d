/// Typed rows of the provenance store (schemas/provenance.sql documents every column).

public struct SourceRecord: Sendable, Equatable {
  public var id: Int64
  public var name: String
  public var uri: String
  public var kind: String
  public var declaredLicense: String?
  public var checksum: String?
  public var retrievedAt: String
  public var addedAt: String
}

public struct DocumentRecord: Sendable, Equatable {
  public var id: String
  public var sourceID: Int64
  public var part: Int
  public var partLine: Int
  public var path: String
  public var line: Int?
  public var byteOffset: Int
  public var format: String
  public var originalSHA256: String
  public var sha256: String
  public var originalBytes: Int
  public var bytes: Int
  public var chars: Int
  public var repaired: Int
  public var created: String?
  public var title: String?
  public var language: String?
  public var url: String?

  public init(
    id: String, sourceID: Int64, part: Int, partLine: Int, path: String, line: Int?, byteOffset: Int,
    format: String, originalSHA256: String, sha256: String, originalBytes: Int, bytes: Int, chars: Int,
    repaired: Int, created: String?, title: String?, language: String?, url: String?
  ) {
    self.id = id
    self.sourceID = sourceID
    self.part = part
    self.partLine = partLine
    self.path = path
    self.line = line
    self.byteOffset = byteOffset
    self.format = format
    self.originalSHA256 = originalSHA256
    self.sha256 = sha256
    self.originalBytes = originalBytes
    self.bytes = bytes
    self.chars = chars
    self.repaired = repaired
    self.created = created
    self.title = title
    self.language = language
    self.url = url
  }
}

/// An input record a stage could not use.
public struct RejectRecord: Sendable, Equatable {
  public var stage: String
  public var sourceID: Int64?
  public var part: Int?
  public var path: String
  public var line: Int?
  public var byteOffset: Int?
  /// A short code (`invalid-utf8`, `empty`, `truncated`, `not-json`, ...).
  public var reason: String
  /// The one-line message shown to the user: file, position and what went wrong.
  public var detail: String

  public init(
    stage: String, sourceID: Int64?, part: Int?, path: String, line: Int?, byteOffset: Int?, reason: String,
    detail: String
  ) {
    self.stage = stage
    self.sourceID = sourceID
    self.part = part
    self.path = path
    self.line = line
    self.byteOffset = byteOffset
    self.reason = reason
    self.detail = detail
  }
}

/// A finished document part of a source.
public struct PartRecord: Sendable, Equatable {
  public var sourceID: Int64
  public var part: Int
  public var path: String
  public var fingerprint: String
  public var documents: Int
  public var rejected: Int
  public var inputBytes: Int
  public var outputBytes: Int
  public var sha256: String
  public var stageRunID: Int64?

  public init(
    sourceID: Int64, part: Int, path: String, fingerprint: String, documents: Int, rejected: Int, inputBytes: Int,
    outputBytes: Int, sha256: String, stageRunID: Int64?
  ) {
    self.sourceID = sourceID
    self.part = part
    self.path = path
    self.fingerprint = fingerprint
    self.documents = documents
    self.rejected = rejected
    self.inputBytes = inputBytes
    self.outputBytes = outputBytes
    self.sha256 = sha256
    self.stageRunID = stageRunID
  }
}

/// Where a stage run stands (`stage_runs.status`).
public enum StageRunStatus: String, Sendable, Equatable {
  case running, completed, failed, skipped
}

public struct StageRunRecord: Sendable, Equatable {
  public var id: Int64
  public var stage: String
  public var scope: String
  public var task: Int
  public var tasks: Int
  public var config: String
  public var configHash: String
  public var toolVersion: String
  public var startedAt: String
  public var finishedAt: String?
  public var status: StageRunStatus
  public var counts: String?
}

/// A stage's verdict on a document (only drops are recorded by dedup).
public struct DecisionRecord: Sendable, Equatable, Codable {
  public var documentID: String
  public var stage: String
  public var action: DecisionAction
  public var reason: String
  public var duplicateOf: String?
  public var similarity: Double?
  public var score: Double?

  public init(
    documentID: String, stage: String, action: DecisionAction, reason: String, duplicateOf: String?,
    similarity: Double?,
    score: Double?
  ) {
    self.documentID = documentID
    self.stage = stage
    self.action = action
    self.reason = reason
    self.duplicateOf = duplicateOf
    self.similarity = similarity
    self.score = score
  }
}

/// What a stage decided for a document: `drop` it, or `keep` it with a note (a filter that only
/// flags, a document held for licence review).
public enum DecisionAction: String, Sendable, Equatable, Codable {
  case keep, drop
}

/// A span of a kept document's text that a stage removes.
public struct RemovedSpanRecord: Sendable, Equatable {
  public var documentID: String
  public var stage: String
  public var start: Int
  public var end: Int
  public var reason: String
  public var duplicateOf: String?

  public init(documentID: String, stage: String, start: Int, end: Int, reason: String, duplicateOf: String?) {
    self.documentID = documentID
    self.stage = stage
    self.start = start
    self.end = end
    self.reason = reason
    self.duplicateOf = duplicateOf
  }
}

/// One piece of licence evidence found in a document by the tag stage.
public struct LicenseFindingRecord: Sendable, Equatable, Codable {
  public var documentID: String
  public var spdx: String
  public var method: String
  public var confidence: Double
  public var evidence: String
  public var start: Int
  public var end: Int

  public init(
    documentID: String, spdx: String, method: String, confidence: Double, evidence: String, start: Int, end: Int
  ) {
    self.documentID = documentID
    self.spdx = spdx
    self.method = method
    self.confidence = confidence
    self.evidence = evidence
    self.start = start
    self.end = end
  }
}

/// The licence a document is taken to be under.
public struct DocumentLicenseRecord: Sendable, Equatable, Codable {
  public var documentID: String
  public var expression: String?
  /// `detected`, `declared` or `unknown`.
  public var basis: String
  public var category: String
  public var conflict: String?

  public init(documentID: String, expression: String?, basis: String, category: String, conflict: String?) {
    self.documentID = documentID
    self.expression = expression
    self.basis = basis
    self.category = category
    self.conflict = conflict
  }
}
