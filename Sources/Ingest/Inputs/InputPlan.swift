import Foundation
import HatcheryCore
import Parquet

/// The inputs of an ingest, in a fixed order, grouped into parts.
///
/// Files are sorted by locator and cut into consecutive groups of about `partBytes` of input;
/// group k becomes `part-k`. The grouping depends only on the inputs, so a run split into N
/// tasks (task i takes the parts k with k mod N = i) writes exactly the parts one run writes.
///
/// Folders are read by their bytes (`readdir`): a name that is not UTF-8 is still read, and
/// named with its odd bytes escaped. An entry that cannot be read (a folder that cannot be
/// listed, a dangling link) stays in the plan, so its part records it as a reject instead of
/// the walk failing or passing over it.
public struct InputPlan: Sendable {
  public struct Part: Sendable {
    public let index: Int
    public let files: [InputFile]
    public var inputBytes: Int { files.reduce(0) { $0 + $1.size } }
  }

  public let files: [InputFile]
  public let parts: [Part]

  /// Finds the files under `paths` (folders recursively; hidden files and folders skipped).
  /// `format` nil means: choose by file name.
  public init(paths: [String], format: InputFormat?, partBytes: Int) throws {
    var found: [InputFile] = []
    for path in paths {
      let absolute = Workspace.absolutePath(path)
      let bytes = Array(absolute.utf8)
      var info = stat()
      guard Self.status(bytes, &info) else { throw HatcheryError.system("read", path: PrintableText.escaped(path)) }
      let name = (absolute as NSString).lastPathComponent
      if info.st_mode & S_IFMT == S_IFDIR {
        var visited = Set<[UInt64]>()
        Self.walk(folder: bytes, info: info, locatorPrefix: name, format: format, visited: &visited, into: &found)
      } else {
        found.append(Self.file(pathBytes: bytes, locator: name, info: info, format: format))
      }
    }
    // By bytes: two spellings of one name (NFC and NFD) are two files, not one.
    found.sort { $0.locator.utf8.lexicographicallyPrecedes($1.locator.utf8) }
    for (previous, next) in zip(found, found.dropFirst())
    where previous.locator.utf8.elementsEqual(next.locator.utf8) && next.rowGroups == nil {
      throw IngestError.sameName(
        locator: next.locator, first: previous.absolutePath, second: next.absolutePath
      )
    }
    guard !found.isEmpty else {
      throw IngestError.noFiles(paths: paths)
    }
    // A Parquet file larger than a part is cut into slices of row groups, so tasks split it.
    found = found.flatMap { Self.slices($0, partBytes: partBytes) }
    files = found
    var parts: [Part] = []
    var group: [InputFile] = []
    var groupBytes = 0
    for file in found {
      group.append(file)
      groupBytes += file.size
      if groupBytes >= partBytes {
        parts.append(Part(index: parts.count, files: group))
        group = []
        groupBytes = 0
      }
    }
    if !group.isEmpty { parts.append(Part(index: parts.count, files: group)) }
    self.parts = parts
  }

  /// The row-group slices of a Parquet file of more than `partBytes`, each of about `partBytes`
  /// compressed bytes; the file itself otherwise, or when its footer cannot be read (ingest then
  /// records why).
  static func slices(_ file: InputFile, partBytes: Int) -> [InputFile] {
    guard file.format == .parquet, file.compression == .none, file.unreadable == nil, file.size > partBytes,
      let parquet = try? ParquetFile(path: String(decoding: file.pathBytes, as: UTF8.self)),
      parquet.metadata.rowGroups.count > 1
    else { return [file] }
    var slices: [InputFile] = []
    var start = 0
    var bytes = 0
    for (index, group) in parquet.metadata.rowGroups.enumerated() {
      bytes += Int(group.columns.reduce(Int64(0)) { $0 + max(0, $1.compressedSize) })
      if bytes >= partBytes || index == parquet.metadata.rowGroups.count - 1 {
        slices.append(file.slice(start..<index + 1, bytes: max(bytes, 1)))
        start = index + 1
        bytes = 0
      }
    }
    return slices
  }

  private static func walk(
    folder: [UInt8], info folderInfo: stat, locatorPrefix: String, format: InputFormat?, visited: inout Set<[UInt64]>,
    into found: inout [InputFile]
  ) {
    // A symbolic link back up the tree must not make the walk endless.
    guard visited.insert([UInt64(folderInfo.st_dev), UInt64(folderInfo.st_ino)]).inserted else { return }
    guard
      let directory = (folder + [0]).withUnsafeBufferPointer({
        opendir(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self))
      })
    else {
      found.append(
        unreadable(
          pathBytes: folder, locator: locatorPrefix, "cannot list the folder: \(String(cString: strerror(errno)))"))
      return
    }
    defer { closedir(directory) }
    while let entry = readdir(directory) {
      let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in Array(raw.prefix { $0 != 0 }) }
      guard let first = name.first, first != UInt8(ascii: ".") else { continue }
      let path = folder + [UInt8(ascii: "/")] + name
      let locator = locatorPrefix + "/" + PrintableText.fileName(name)
      var info = stat()
      guard status(path, &info) else {
        found.append(
          unreadable(
            pathBytes: path, locator: locator, "cannot read: \(String(cString: strerror(errno))) (a dangling link?)"))
        continue
      }
      switch info.st_mode & S_IFMT {
      case S_IFDIR:
        walk(folder: path, info: info, locatorPrefix: locator, format: format, visited: &visited, into: &found)
      case S_IFREG: found.append(file(pathBytes: path, locator: locator, info: info, format: format))
      default: continue
      }
    }
  }

  private static func status(_ path: [UInt8], _ info: inout stat) -> Bool {
    (path + [0]).withUnsafeBufferPointer {
      stat(UnsafeRawPointer($0.baseAddress!).assumingMemoryBound(to: CChar.self), &info)
    } == 0
  }

  private static func file(pathBytes: [UInt8], locator: String, info: stat, format: InputFormat?) -> InputFile {
    let (compression, plainName) = Compression.of(fileName: (locator as NSString).lastPathComponent)
    return InputFile(
      absolutePath: PrintableText.fileName(pathBytes), pathBytes: pathBytes, locator: locator, size: Int(info.st_size),
      modifiedNanoseconds: Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec),
      format: format ?? InputFormat.of(fileName: plainName), compression: compression, unreadable: nil)
  }

  private static func unreadable(pathBytes: [UInt8], locator: String, _ reason: String) -> InputFile {
    InputFile(
      absolutePath: PrintableText.fileName(pathBytes), pathBytes: pathBytes, locator: locator, size: 0,
      modifiedNanoseconds: 0,
      format: .text, compression: .none, unreadable: reason)
  }
}
