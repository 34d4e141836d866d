import Foundation
import HatcheryCore

extension GPT {
  /// The mean loss over `batch` windows of `sequence + 1` tokens taken in order from `ids`
  /// (little-endian uint32 in the file `source` names, for messages): each window's tokens are
  /// the inputs and, one further on, the targets — `hatchery evaluate --input`, which PyTorch's
  /// loss on the same file is compared with.
  public func loss(windowsOf ids: [UInt32], source: String) throws -> Float {
    guard ids.count >= batch * (sequence + 1) else {
      throw TrainingError.tooFewTokens(source: source, tokens: ids.count, windows: batch, length: sequence + 1)
    }
    for window in 0..<batch {
      for position in 0..<sequence {
        let id = ids[window * (sequence + 1) + position]
        guard Int(id) < config.vocabularySize else {
          throw TrainingError.tokenOutsideVocabulary(
            source: source, id: UInt32(id), vocabularySize: config.vocabularySize)
        }
        inputs[window * sequence + position] = Int32(id)
        targets[window * sequence + position] = Int32(ids[window * (sequence + 1) + position + 1])
      }
    }
    return forward()
  }

  /// Little-endian uint32 token ids of a file; bytes after the last whole id are not read.
  public static func tokenIDs(inFile path: String) throws -> [UInt32] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw HatcheryError.system("read", path: path, code: ENOENT)
    }
    return data.withUnsafeBytes { raw in
      (0..<data.count / 4).map { UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)) }
    }
  }
}
