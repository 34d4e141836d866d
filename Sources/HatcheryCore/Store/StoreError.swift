import Foundation

/// Why the workspace or its provenance store cannot be used, or a write to it was refused.
public enum StoreError: HatcheryFailure, Equatable {
  /// The file's first bytes are not SQLite's header.
  case notSQLite(path: String)
  /// SQLite's `quick_check` found damage, or could not run.
  case damaged(path: String, bytes: Int, pageSize: Int, detail: String)
  /// Opened read-only, the store's schema is older than this Hatchery's.
  case olderSchema(path: String)
  /// The store or its folder cannot be written.
  case notWritable(path: String, reason: String)
  /// A WAL store whose `-wal` file holds changes, where the folder cannot be written.
  case unreadableWAL(path: String)
  case cannotOpen(path: String, reason: String)
  /// A folder without a store.
  case notAWorkspace(root: String, store: String, given: String)
  /// An empty store beside document parts: lost or cut, not new.
  case lostStore(path: String)
  case cannotCreateWorkspace(root: String, reason: String)
  /// A source, pipeline or other name that would not make a safe folder name.
  case invalidName(kind: String, name: String, hint: String)
  /// Parts being added make one document id twice.
  case repeatedDocumentID(String?)
  /// A part's copied document rows are not the run of rowids its part row records.
  case partRowsMismatch(sourceID: Int64, part: Int, copied: Int, recorded: Int, firstRow: Int64, lastRow: Int64)
  /// Staged rows that belong to another part than the one being staged or finished.
  case stagedForAnotherPart(
    path: String?, document: String?, stagedSource: Int64, stagedPart: Int, ownerSource: Int64, ownerPart: Int)
  /// A task file holds another number of documents than its part row records.
  case stagedCountMismatch(path: String, staged: Int, sourceID: Int64, part: Int, recorded: Int)
  case badSHA256(documentID: String)
  /// A review decision for a document that is not held back.
  case notHeldBack(documentID: String)
  /// An encoded removed-span row that cannot be read.
  case malformedSpans(String)

  public var line: String {
    switch self {
    case .notSQLite(let path):
      return
        "\(path): not an SQLite database (its first bytes are not SQLite's header); restore the store from a backup"
    case .damaged(let path, let bytes, let pageSize, let detail):
      return "\(path): the store is damaged (\(bytes) bytes, pages of \(pageSize)): \(detail)"
    case .olderSchema(let path):
      return
        "\(path): the store was written by an older Hatchery; run any stage on it once (writable) to bring it up to date"
    case .notWritable(let path, let reason):
      return "\(path): the store cannot be written (\(reason)); audit, trace, energy and report "
        + "(with --output) read a workspace that cannot be written"
    case .unreadableWAL(let path):
      return "\(path): cannot be read here: its -wal file holds changes and the folder cannot be written; "
        + "open it once where it can be written, or copy the workspace"
    case .cannotOpen(let path, let reason):
      return "\(path): cannot open the provenance store: \(reason)"
    case .notAWorkspace(let root, let store, let given):
      return "\(root): not a Hatchery workspace (no \(store)); run `hatchery init \(given)` first"
    case .lostStore(let path):
      return "\(path): the store is empty (0 bytes) but docs/ holds document parts: it was lost or cut; "
        + "restore it from a backup, or remove docs/ to start the workspace again"
    case .cannotCreateWorkspace(let root, let reason):
      return "\(root): cannot create the workspace: \(reason)"
    case .invalidName(let kind, let name, let hint):
      return
        "invalid \(kind) name '\(PrintableText.escaped(name))': use 1 to 100 letters, digits, '.', '_' or '-', not starting with '.'\(hint)"
    case .repeatedDocumentID(let id):
      return "document id \(id ?? "?") is made twice by the parts being added; none of them was kept"
    case .partRowsMismatch(let sourceID, let part, let copied, let recorded, let firstRow, let lastRow):
      return "part \(part) of source \(sourceID): \(copied) document row(s) copied for \(recorded) recorded, "
        + "rowids \(firstRow)...\(lastRow); nothing of it was kept"
    case .stagedForAnotherPart(let path, let document, let stagedSource, let stagedPart, let ownerSource, let ownerPart):
      if let document {
        return
          "document \(document) of source \(stagedSource), part \(stagedPart) staged with part \(ownerPart) of source \(ownerSource)"
      }
      return
        "\(path ?? "staged rows"): documents of part \(ownerPart) of source \(ownerSource) staged for part \(stagedPart) of source \(stagedSource)"
    case .stagedCountMismatch(let path, let staged, let sourceID, let part, let recorded):
      return
        "\(path): \(staged) document(s) staged for part \(part) of source \(sourceID), which records \(recorded)"
    case .badSHA256(let id):
      return "document \(id): its SHA-256 is not 64 hex digits"
    case .notHeldBack(let id):
      return "document \(id) is not held back for review (see `hatchery review list`); nothing was recorded"
    case .malformedSpans(let detail):
      return detail
    }
  }
}
