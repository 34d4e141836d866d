import GRDB
import GRDBSQLite

/// One prepared INSERT run for many rows through SQLite's C interface. GRDB builds an array of
/// enum values per row and binds through it, which for the hundreds of thousands of rows of a
/// merge cost more than SQLite's own insert (docs/benchmarks.md, scale-out).
package struct BulkInsert {
  private let statement: Statement
  private let connection: SQLiteConnection?

  package init(_ db: Database, sql: String) throws {
    statement = try db.makeStatement(sql: sql)
    connection = db.sqliteConnection
  }

  /// Binds parameter `index` (1-based) of the next row.
  package func bind(_ value: Int, at index: Int32) {
    sqlite3_bind_int64(statement.sqliteStatement, index, Int64(value))
  }

  /// Binds parameter `index` (1-based) of the next row; SQLite copies the text.
  package func bind(_ value: String, at index: Int32) {
    var value = value
    value.withUTF8 { bytes in
      _ = sqlite3_bind_text(statement.sqliteStatement, index, bytes.baseAddress, Int32(bytes.count), Self.transient)
    }
  }

  /// Binds UTF-8 `bytes` as text to parameter `index` (1-based) of the next row; SQLite copies them.
  package func bindText(_ bytes: UnsafeRawBufferPointer, at index: Int32) {
    _ = sqlite3_bind_text(
      statement.sqliteStatement, index, bytes.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(bytes.count),
      Self.transient)
  }

  /// Inserts the row bound so far and makes the statement ready for the next one.
  package func step() throws {
    let code = sqlite3_step(statement.sqliteStatement)
    sqlite3_reset(statement.sqliteStatement)
    guard code == SQLITE_DONE else {
      throw DatabaseError(
        resultCode: ResultCode(rawValue: code), message: connection.map { String(cString: sqlite3_errmsg($0)) },
        sql: statement.sql)
    }
  }

  /// SQLITE_TRANSIENT: SQLite copies the value before the call returns.
  private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
