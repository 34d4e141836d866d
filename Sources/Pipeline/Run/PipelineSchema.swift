import Foundation
import Ingest

/// The JSON Schema of pipeline files, built from the stage table so the two cannot drift:
/// `hatchery run --schema` prints it and `schemas/pipeline.schema.json` is that output (a test
/// keeps them equal).
public enum PipelineSchema {
  public static var text: String {
    var stageProperties: [String: Any] = [:]
    for stage in PipelineStage.allCases {
      var properties: [String: Any] = [:]
      for (name, kind) in stage.options {
        switch kind {
        case .string: properties[name] = ["type": "string"]
        case .file:
          properties[name] = [
            "type": "string", "description": "a file; its size and time are part of the step's fingerprint",
          ]
        case .integer: properties[name] = ["type": "integer"]
        case .number: properties[name] = ["type": "number"]
        case .boolean: properties[name] = ["type": "boolean"]
        case .files: properties[name] = ["type": "array", "items": ["type": "string"]]
        }
      }
      var schema: [String: Any] = [
        "type": ["object", "null"], "additionalProperties": false, "properties": properties,
        "description": "options of `hatchery \(stage.command.joined(separator: " "))`, snake case",
      ]
      if !stage.requiredOptions.isEmpty { schema["required"] = stage.requiredOptions.sorted() }
      stageProperties[stage.rawValue] = schema
    }
    let root: [String: Any] = [
      "$schema": "https://json-schema.org/draft/2020-12/schema",
      "title": "Hatchery pipeline file (hatchery run)",
      "type": "object",
      "additionalProperties": false,
      "required": ["version", "workspace"],
      "properties": [
        "version": ["const": PipelineFile.version],
        "name": ["type": "string", "description": "steps are recorded under it; default: the file's name"],
        "workspace": [
          "type": "string", "description": "created when missing; relative to the directory hatchery run starts in",
        ],
        "sources": [
          "type": "array",
          "items": [
            "type": "object", "additionalProperties": false, "required": ["name", "paths"],
            "properties": [
              "name": ["type": "string", "pattern": "^[A-Za-z0-9._-]+$"],
              "paths": ["type": "array", "items": ["type": "string"], "minItems": 1],
              "format": ["enum": ["auto"] + InputFormat.allCases.map(\.rawValue)],
              "license": ["type": "string", "description": "SPDX expression declared for the source"],
              "optional": ["type": "boolean", "description": "skip paths that do not exist, with a note"],
            ],
          ],
        ],
        "stages": [
          "type": "object", "additionalProperties": false, "properties": stageProperties,
          "description": "the stages to run; they run in this order: "
            + PipelineStage.allCases.map(\.rawValue).joined(separator: ", "),
        ],
      ],
    ]
    let data = try! JSONSerialization.data(
      withJSONObject: root, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}
