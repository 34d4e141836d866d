import Foundation
import HatcheryCore

/// Writes the shards in the formats other trainers read, from the manifest (verified shard by
/// shard as they are decoded).
///
/// - llm.c: one `.bin` per shard, `<split>_NNNNNN.bin`: a header of 256 little-endian int32
///   (magic 20240520 and version 1 for uint16 tokens, 20240801 and version 7 for uint32, then
///   the token count), then the tokens as they are in the shard. llm.c's `train_gpt2` reads them
///   with `-i 'OUT/train_*.bin' -j 'OUT/val_*.bin'`.
/// - Megatron-LM: one indexed dataset per split, `<split>_text_document.bin` (the tokens) and
///   `.idx` (`MMIDIDX\0\0`, version 1, dtype code 8 = uint16 or 4 = int32, sequence count,
///   document count + 1, then each sequence's length (int32) and byte offset (int64), then the
///   document index 0…n). One sequence per document, its tokens then the end-of-text token (what
///   Megatron's own preprocessing writes with `--append-eod`). Train with
///   `--data-path OUT/train_text_document --split 100,0,0`.
public enum TrainerExport {
  public enum Format: String, Sendable, CaseIterable {
    case llmc
    case megatron
  }

  public struct Summary: Sendable {
    public var files: [String] = []
    public var tokens = 0
    public var text: String { "export: \(files.count) files, \(tokens) tokens" }
  }

  public static func export(workspace: Workspace, format: Format, to folder: String) throws -> Summary {
    let manifest = try ShardManifest.load(workspace: workspace)
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    switch format {
    case .llmc: return try llmc(manifest, workspace: workspace, folder: folder)
    case .megatron: return try megatron(manifest, workspace: workspace, folder: folder)
    }
  }

  private static func reader(_ shard: ShardManifest.Shard, _ manifest: ShardManifest, _ workspace: Workspace) throws
    -> ShardReader
  {
    try ShardReader(path: workspace.absolute(shard.path), tokenType: manifest.tokenType, name: shard.path)
  }

  private static func llmc(_ manifest: ShardManifest, workspace: Workspace, folder: String) throws -> Summary {
    var summary = Summary()
    var numbers: [String: Int] = [:]
    for shard in manifest.shards {
      let number = numbers[shard.split, default: 0]
      numbers[shard.split] = number + 1
      let path = "\(folder)/\(shard.split)_\(String(format: "%06d", number)).bin"
      let reader = try reader(shard, manifest, workspace)
      guard reader.count < Int(Int32.max) else {
        throw ShardError.tooManyTokensForHeader(file: shard.path)
      }
      var header = [Int32](repeating: 0, count: 256)
      header[0] = manifest.tokenType == .uint16 ? 20_240_520 : 20_240_801
      header[1] = manifest.tokenType == .uint16 ? 1 : 7
      header[2] = Int32(reader.count)
      let output = try AtomicFileOutput(path: path)
      try header.map(\.littleEndian).withUnsafeBytes { try output.write($0) }
      try reader.forEachFrame { _, bytes in try output.write(bytes) }
      _ = try output.commit()
      summary.files.append(path)
      summary.tokens += reader.count
    }
    return summary
  }

  private static func megatron(_ manifest: ShardManifest, workspace: Workspace, folder: String) throws -> Summary {
    var summary = Summary()
    let width = manifest.tokenType.width
    for split in ["train", "val"] {
      let shards = manifest.shards.filter { $0.split == split }
      guard !shards.isEmpty else { continue }
      let prefix = "\(folder)/\(split)_text_document"
      let data = try AtomicFileOutput(path: prefix + ".bin")
      var sizes: [Int32] = []
      var pending: [UInt8] = []  // the current document's tokens
      func endDocument() throws {
        guard !pending.isEmpty else { return }
        try pending.withUnsafeBytes { try data.write($0) }
        sizes.append(Int32(pending.count / width))
        summary.tokens += pending.count / width
        pending.removeAll(keepingCapacity: true)
      }
      var separator = [UInt8](repeating: 0, count: width)
      separator.withUnsafeMutableBytes { raw in
        if width == 2 {
          raw.storeBytes(of: UInt16(manifest.endOfText).littleEndian, as: UInt16.self)
        } else {
          raw.storeBytes(of: manifest.endOfText.littleEndian, as: UInt32.self)
        }
      }
      for shard in shards {
        // Each document is preceded by the end-of-text token in a shard; here it follows it.
        var started = false
        try reader(shard, manifest, workspace).forEachFrame { _, bytes in
          var index = 0
          while index < bytes.count {
            let isSeparator = bytes[index..<index + width].elementsEqual(separator)
            if isSeparator {
              if started {
                pending.append(contentsOf: separator)
                try endDocument()
              }
              started = true
            } else {
              pending.append(contentsOf: bytes[index..<index + width])
            }
            index += width
          }
        }
        if started {
          pending.append(contentsOf: separator)
          try endDocument()
        }
      }
      _ = try data.commit()
      var index: [UInt8] = Array("MMIDIDX".utf8) + [0, 0]
      func append<T: FixedWidthInteger>(_ value: T) {
        withUnsafeBytes(of: value.littleEndian) { index.append(contentsOf: $0) }
      }
      append(UInt64(1))
      index.append(width == 2 ? 8 : 4)
      append(UInt64(sizes.count))
      append(UInt64(sizes.count + 1))
      for size in sizes { append(size) }
      var pointer: Int64 = 0
      for size in sizes {
        append(pointer)
        pointer += Int64(size) * Int64(width)
      }
      for document in 0...sizes.count { append(Int64(document)) }
      try AtomicFileOutput.write(index, to: prefix + ".idx")
      summary.files += [prefix + ".bin", prefix + ".idx"]
    }
    return summary
  }
}
