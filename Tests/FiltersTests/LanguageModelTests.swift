import Foundation
import HatcheryCore
import HatcheryTestSupport
import Ingest
import Logging
import XCTest

@testable import Filters

final class LanguageModelTests: XCTestCase {
  private let training: [(language: String, text: String)] = [
    (
      "en",
      "The weather was cold and the wind blew across the empty fields. We walked home slowly and talked about the harvest."
    ),
    ("en", "Please check the settings before you start the program, and save your work often."),
    (
      "de",
      "Das Wetter war kalt und der Wind wehte über die leeren Felder. Wir gingen langsam nach Hause und sprachen über die Ernte."
    ),
    ("de", "Bitte prüfen Sie die Einstellungen, bevor Sie das Programm starten, und speichern Sie Ihre Arbeit oft."),
    (
      "fr",
      "Le temps était froid et le vent soufflait sur les champs vides. Nous sommes rentrés lentement en parlant de la récolte."
    ),
    ("fr", "Veuillez vérifier les paramètres avant de lancer le programme et enregistrez souvent votre travail."),
  ]

  func testATrainedModelTellsItsLanguagesApartAndSurvivesAFile() throws {
    let model = LanguageModel.train(training, bucketBits: 12)
    XCTAssertEqual(model.languages, ["de", "en", "fr"])
    XCTAssertEqual(model.identify("Where are the fields and the wind?")?.language, "en")
    XCTAssertEqual(model.identify("Wo sind die Felder und der Wind?")?.language, "de")
    XCTAssertEqual(model.identify("Où sont les champs et le vent ?")?.language, "fr")
    XCTAssertNil(model.identify(""))
    let copy = try LanguageModel(serialized: model.serialized(), name: "copy")
    for text in ["Where are the fields?", "Wo sind die Felder?", "Où sont les champs ?"] {
      XCTAssertEqual(copy.identify(text), model.identify(text))
    }
    var damaged = model.serialized()
    damaged.removeLast(10)
    XCTAssertThrowsError(try LanguageModel(serialized: damaged, name: "damaged")) { error in
      guard case .badFile("damaged", _)? = error as? FilterError else { return XCTFail("\(error)") }
    }
    XCTAssertThrowsError(try LanguageModel(serialized: Array("not a model at all".utf8), name: "x"))
  }

  /// The shipped model is a resource file pinned by its SHA-256, which its generator's record
  /// (Resources/shipped-langid.json) states too: a changed file fails here until both are updated.
  func testTheShippedModelFileIsTheOneItsRecordPins() throws {
    let shipped = try ShippedResource(
      try XCTUnwrap(LanguageModel.shippedFile), record: "Sources/Filters/Resources/shipped-langid.json")
    XCTAssertEqual(shipped.sha256, LanguageModel.shippedSHA256)
    XCTAssertEqual(shipped.record["sha256"] as? String, shipped.sha256)
    XCTAssertEqual(shipped.record["bytes"] as? Int, shipped.bytes.count)
  }

  func testTheShippedModelKnowsCommonLanguages() throws {
    let model = try LanguageModel.shipped()
    XCTAssertEqual(model.languages.count, 24)
    let samples: [(String, String)] = [
      ("en", "The committee will meet again next week to discuss the new budget for the library."),
      ("de", "Der Ausschuss trifft sich nächste Woche erneut, um den neuen Haushalt der Bibliothek zu besprechen."),
      (
        "fr", "Le comité se réunira de nouveau la semaine prochaine pour discuter du nouveau budget de la bibliothèque."
      ),
      ("es", "El comité se reunirá de nuevo la próxima semana para discutir el nuevo presupuesto de la biblioteca."),
      ("it", "Il comitato si riunirà di nuovo la prossima settimana per discutere il nuovo bilancio della biblioteca."),
      ("ru", "Комитет снова соберётся на следующей неделе, чтобы обсудить новый бюджет библиотеки."),
      ("ja", "委員会は来週また集まり、図書館の新しい予算について話し合います。"),
      ("ko", "위원회는 다음 주에 다시 모여 도서관의 새 예산을 논의할 것입니다."),
      ("el", "Η επιτροπή θα συνεδριάσει ξανά την επόμενη εβδομάδα για να συζητήσει τον νέο προϋπολογισμό."),
      ("pl", "Komitet zbierze się ponownie w przyszłym tygodniu, aby omówić nowy budżet biblioteki."),
    ]
    for (language, text) in samples {
      XCTAssertEqual(model.identify(text)?.language, language, text)
    }
    // Long texts: the sentences of one language together, with numbers and options mixed in.
    for language in ["de", "ru", "ja"] {
      let long = Array(repeating: samples.first { $0.0 == language }!.1 + " 2024, --verbose, 10.5%", count: 20)
        .joined(separator: "\n")
      let guess = model.identify(long)
      XCTAssertEqual(guess?.language, language)
      XCTAssertGreaterThan(guess?.confidence ?? 0, 0.99)
    }
    // Very short texts: two words tell the script, not always the language (this one is taken for
    // Bulgarian); a short sentence does better.
    XCTAssertTrue(["ru", "uk", "bg"].contains(model.identify("Привет, мир")?.language ?? ""))
    XCTAssertEqual(model.identify("Guten Morgen, wie geht es dir?")?.language, "de")
  }

  func testMessageCataloguesAreRead() throws {
    // A two-entry catalogue as GNU gettext writes it: the header entry, then one message.
    let strings: [(String, String)] = [
      ("", "Content-Type: text/plain; charset=UTF-8\n"), ("Open file", "Datei öffnen"),
    ]
    var data = [UInt8]()
    func word(_ value: Int) { withUnsafeBytes(of: UInt32(value).littleEndian) { data += $0 } }
    let tableStart = 28
    let stringsStart = tableStart + strings.count * 16
    var blob = [UInt8]()
    var originals: [(Int, Int)] = []
    var translations: [(Int, Int)] = []
    for (original, _) in strings {
      originals.append((original.utf8.count, stringsStart + blob.count))
      blob += Array(original.utf8) + [0]
    }
    for (_, translation) in strings {
      translations.append((translation.utf8.count, stringsStart + blob.count))
      blob += Array(translation.utf8) + [0]
    }
    word(0x9504_12DE)
    word(0)
    word(strings.count)
    word(tableStart)
    word(tableStart + strings.count * 8)
    word(0)
    word(0)
    for (length, offset) in originals + translations {
      word(length)
      word(offset)
    }
    data += blob
    let path = NSTemporaryDirectory() + "hatchery-\(UUID().uuidString).mo"
    defer { try? FileManager.default.removeItem(atPath: path) }
    try Data(data).write(to: URL(fileURLWithPath: path))
    let entries = try MessageCatalog.entries(path: path)
    XCTAssertEqual(entries.map(\.original), ["Open file"])
    XCTAssertEqual(entries.map(\.translation), ["Datei öffnen"])
    try Data([1, 2, 3]).write(to: URL(fileURLWithPath: path))
    XCTAssertThrowsError(try MessageCatalog.entries(path: path))
  }

  func testTheStageKeepsOnlyTheConfiguredLanguages() throws {
    let folder = NSTemporaryDirectory() + "hatchery-lang-\(UUID().uuidString)"
    defer { try? FileManager.default.removeItem(atPath: folder) }
    try FileManager.default.createDirectory(atPath: folder + "/in", withIntermediateDirectories: true)
    try "The committee will meet again next week to discuss the new budget for the library."
      .write(toFile: folder + "/in/en.txt", atomically: false, encoding: .utf8)
    try "Der Ausschuss trifft sich nächste Woche erneut, um den neuen Haushalt der Bibliothek zu besprechen."
      .write(toFile: folder + "/in/de.txt", atomically: false, encoding: .utf8)
    let workspace = try Workspace.create(at: folder + "/ws")
    _ = try IngestStage.run(
      workspace: workspace, options: IngestOptions(source: "s", paths: [folder + "/in"]),
      logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, showProgress: false)
    let config = try FilterConfig.parse("languages: [en]\nlanguage_threshold: 0.5\nrules: []\n")
    let summary = try FilterStage.run(workspace: workspace, config: config)
    XCTAssertEqual(summary.dropped, ["language": 1])
    XCTAssertEqual(try workspace.openStore().decisions(stage: "filter").map(\.reason), ["language: de"])
  }
}
