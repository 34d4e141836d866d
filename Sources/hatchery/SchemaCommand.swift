import ArgumentParser
import HatcheryCore

struct SchemaCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "schema", abstract: "Print the provenance store's SQL schema (schemas/provenance.sql).")

  func run() throws {
    print(ProvenanceSchema.publishedSQL, terminator: "")
  }
}
