import Foundation
import HatcheryCore

/// Labelled text for `hatchery filter train-langid`.
public enum LanguageTraining {
  /// Folders named by language code, each holding text files of that language.
  public static func samples(folders: [String], maximumBytes: Int) throws -> [(language: String, text: String)] {
    var samples: [(String, String)] = []
    for folder in folders {
      let language = (folder as NSString).lastPathComponent
      var bytes = 0
      let names = try FileManager.default.subpathsOfDirectory(atPath: folder).sorted()
      for name in names where bytes < maximumBytes {
        var isDirectory: ObjCBool = false
        let path = folder + "/" + name
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
          let data = FileManager.default.contents(atPath: path)
        else { continue }
        let text = String(decoding: data.prefix(maximumBytes - bytes), as: UTF8.self)
        bytes += text.utf8.count
        samples.append((language, text))
      }
    }
    return samples
  }

  /// The translations in gettext catalogues under `root` (/usr/share/locale): for each code,
  /// every catalogue of its locales (`pt` takes `pt` and `pt_BR`); for `en`, the original
  /// strings, which gettext programs write in English.
  public static func samples(catalogues root: String, languages: [String], maximumBytes: Int) throws
    -> [(language: String, text: String)]
  {
    let locales = try FileManager.default.contentsOfDirectory(atPath: root).sorted()
    var samples: [(String, String)] = []
    for language in languages {
      let sources: [String] =
        language == "en"
        ? locales.filter { $0 == "de" || $0 == "fr" || $0 == "es" }  // any well-translated locales will do
        : locales.filter { $0 == language || $0.hasPrefix(language + "_") }
      var seen = Set<String>()
      var bytes = 0
      outer: for locale in sources {
        let folder = root + "/" + locale + "/LC_MESSAGES"
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        where name.hasSuffix(".mo") {
          guard let entries = try? MessageCatalog.entries(path: folder + "/" + name) else { continue }
          for entry in entries {
            let text = language == "en" ? entry.original : entry.translation
            guard !text.isEmpty, seen.insert(text).inserted else { continue }
            samples.append((language, text))
            bytes += text.utf8.count
            if bytes >= maximumBytes { break outer }
          }
        }
      }
      guard bytes > 0 else { throw FilterError.missingData("\(root): no catalogues for language '\(language)'") }
    }
    return samples
  }
}
