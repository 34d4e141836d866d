import Foundation
import HatcheryCore

extension LanguageModel {
  /// The model shipped with Hatchery, a resource of this module (`Resources/shipped-langid.bin`,
  /// made by scripts/train-shipped-langid, which records how in `shipped-langid.json`;
  /// docs/formats.md describes its training data). SwiftPM puts the resources in
  /// `Hatchery_Filters.resources` beside the binary.
  public static func shipped() throws -> LanguageModel {
    guard let url = shippedFile, let data = try? Data(contentsOf: url) else {
      throw FilterError.missingData(
        "the shipped language model (Hatchery_Filters.resources/shipped-langid.bin) is not beside the hatchery "
          + "binary; copy that folder with it, or rebuild Hatchery")
    }
    return try LanguageModel(serialized: Array(data), name: "the shipped language model")
  }

  static var shippedFile: URL? { Bundle.module.url(forResource: "shipped-langid", withExtension: "bin") }

  /// The SHA-256 of the shipped model's file, as its record says (a test checks both).
  static let shippedSHA256 = "6c98dee69eda79aeb45f138ec0076df068db54f0acfcc5f7340fc08623946557"
}
