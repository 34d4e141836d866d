import Foundation
import GRDB
import HatcheryCore

/// `hatchery run`'s steps: each step's fingerprint and status, so whole steps are skipped.
extension ProvenanceStore {
  public func pipelineStep(pipeline: String, step: String) throws -> PipelineStepRecord? {
    try pool.read { db in
      try Row.fetchOne(
        db, sql: "SELECT * FROM pipeline_steps WHERE pipeline = ? AND step = ?", arguments: [pipeline, step]
      ).map {
        PipelineStepRecord(
          pipeline: $0["pipeline"], step: $0["step"], fingerprint: $0["fingerprint"],
          status: PipelineStepStatus(rawValue: $0["status"] as String) ?? .failed,
          seconds: $0["seconds"], message: $0["message"])
      }
    }
  }

  /// Records that a step starts (replacing its previous attempt).
  public func beginPipelineStep(pipeline: String, step: String, fingerprint: String) throws {
    try pool.write { db in
      try db.execute(
        sql: """
          INSERT OR REPLACE INTO pipeline_steps (pipeline, step, fingerprint, status, started_at)
          VALUES (?, ?, ?, 'running', ?)
          """,
        arguments: [pipeline, step, fingerprint, Timestamp.now()])
    }
  }

  public func finishPipelineStep(
    pipeline: String, step: String, status: PipelineStepStatus, seconds: Double, message: String?
  ) throws {
    try pool.write { db in
      try db.execute(
        sql:
          "UPDATE pipeline_steps SET status = ?, finished_at = ?, seconds = ?, message = ? WHERE pipeline = ? AND step = ?",
        arguments: [status.rawValue, Timestamp.now(), seconds, message, pipeline, step])
    }
  }
}

/// Where a pipeline step stands (`pipeline_steps.status`).
public enum PipelineStepStatus: String, Sendable, Equatable {
  case running, completed, failed, interrupted
}

/// The last attempt at one step of a pipeline file (`hatchery run`).
public struct PipelineStepRecord: Sendable, Equatable {
  public var pipeline: String
  public var step: String
  public var fingerprint: String
  public var status: PipelineStepStatus
  public var seconds: Double?
  public var message: String?
}
