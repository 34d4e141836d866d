import CFileSystem
import Foundation

/// Whether a folder is on a network or cluster file system, where SQLite's WAL mode cannot work
/// (its `-shm` index is shared memory, which one node cannot share with another) and POSIX locks
/// are not to be trusted between nodes. Told by `statfs`'s magic number (Linux `linux/magic.h`
/// and the file systems' own sources for those not listed there).
public enum FileSystemKind: Equatable, Sendable {
  case local
  /// The file system's name, for messages and docs.
  case network(String)

  /// `statfs` f_type values of network and cluster file systems.
  static let networkMagics: [Int64: String] = [
    0x6969: "NFS", 0x517B: "SMB", 0xFF53_4D42: "CIFS", 0xFE53_4D42: "SMB2", 0x0BD0_0BD0: "Lustre",
    0x4750_4653: "GPFS", 0x1983_0326: "BeeGFS", 0x00C3_6400: "CephFS", 0x6573_5546: "FUSE", 0x5346_414F: "AFS",
    0x6B41_4653: "kAFS", 0x0102_1997: "9P", 0x7461_636F: "OCFS2", 0x0116_1970: "GFS2", 0x5346_4846: "WekaFS",
    0xAAD7_AAEA: "PanFS",
  ]

  /// The kind of the file system holding `path` (or its nearest existing parent).
  /// `HATCHERY_STORE_JOURNAL=rollback` makes any path count as network (for a file system this
  /// table does not know), `=wal` as local.
  public static func of(_ path: String, environment: [String: String] = ProcessInfo.processInfo.environment)
    -> FileSystemKind
  {
    switch environment["HATCHERY_STORE_JOURNAL"] {
    case "rollback": return .network("HATCHERY_STORE_JOURNAL=rollback")
    case "wal": return .local
    default: break
    }
    var probe = path
    var magic = hatchery_file_system_magic(probe)
    while magic < 0 {
      let parent = (probe as NSString).deletingLastPathComponent
      guard parent != probe, !parent.isEmpty else { return .local }
      probe = parent
      magic = hatchery_file_system_magic(probe)
    }
    return kind(magic: magic)
  }

  static func kind(magic: Int64) -> FileSystemKind {
    // f_type is a signed word: CIFS's 0xFF534D42 may come back sign-extended.
    let key = magic & 0xFFFF_FFFF
    return networkMagics[key].map { .network($0) } ?? .local
  }
}
