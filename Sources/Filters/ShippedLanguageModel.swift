import Foundation
import HatcheryCore

extension LanguageModel {
  /// The model shipped with Hatchery (see docs/formats.md for its training data), decoded once.
  public static func shipped() throws -> LanguageModel {
    guard let data = Data(base64Encoded: ShippedLanguageModelData.base64, options: .ignoreUnknownCharacters) else {
      throw HatcheryError("the shipped language model is damaged; rebuild Hatchery")
    }
    return try LanguageModel(serialized: Array(data), name: "the shipped language model")
  }
}
