import Foundation
import GRDB

/// The provenance store's schema as versioned migrations, applied in order by
/// `ProvenanceStore`. `schemas/provenance.sql` is the published copy of these statements; a test
/// fails when the two differ, so the file is always the schema a workspace really has.
public enum ProvenanceSchema {
  public struct Migration: Sendable {
    public let name: String
    public let sql: String
  }

  public static let migrations: [Migration] = migrationsV1toV11 + migrationsV12toV18

  /// `hatchery_unhex(TEXT)`: the bytes of hexadecimal text, for migrations that turn hex columns
  /// into BLOBs (SQLite's own `unhex` arrived in 3.41; Debian 12 has 3.40).
  static let unhex = DatabaseFunction("hatchery_unhex", argumentCount: 1, pure: true) { values in
    guard let text = String.fromDatabaseValue(values[0]) else { return nil }
    return Hex.decode(text).map { Data($0) }
  }

  /// The text of `schemas/provenance.sql`: every migration, in order, under a header.
  public static var publishedSQL: String {
    var text = "-- Hatchery provenance store (SQLite). Generated from ProvenanceSchema*.swift by\n"
    text += "-- `hatchery schema`; a test keeps the two identical. Do not edit by hand.\n"
    for migration in migrations {
      text += "\n-- migration \(migration.name)\n\(migration.sql)"
    }
    return text
  }
}
