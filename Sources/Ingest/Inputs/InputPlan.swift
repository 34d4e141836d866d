import Foundation
import HatcheryCore

/// The inputs of an ingest, in a fixed order, grouped into parts.
///
/// Files are sorted by locator and cut into consecutive groups of about `partBytes` of input;
/// group k becomes `part-k`. The grouping depends only on the inputs, so a run split into N
/// tasks (task i takes the parts k with k mod N = i) writes exactly the parts one run writes.
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
      var info = stat()
      guard stat(absolute, &info) == 0 else { throw HatcheryError.system("read", path: path) }
      let name = (absolute as NSString).lastPathComponent
      if info.st_mode & S_IFMT == S_IFDIR {
        var visited = Set<[UInt64]>()
        try Self.walk(folder: absolute, locatorPrefix: name, format: format, visited: &visited, into: &found)
      } else {
        found.append(Self.file(absolutePath: absolute, locator: name, info: info, format: format))
      }
    }
    found.sort { $0.locator.utf8.lexicographicallyPrecedes($1.locator.utf8) }
    for (previous, next) in zip(found, found.dropFirst()) where previous.locator == next.locator {
      throw HatcheryError(
        "two inputs have the same name '\(next.locator)' (\(previous.absolutePath) and \(next.absolutePath)); "
          + "give their parent folders instead, or ingest them as separate sources")
    }
    guard !found.isEmpty else {
      throw HatcheryError("no files to read under \(paths.joined(separator: ", ")) (hidden files are skipped)")
    }
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

  private static func walk(
    folder: String, locatorPrefix: String, format: InputFormat?, visited: inout Set<[UInt64]>,
    into found: inout [InputFile]
  ) throws {
    var folderInfo = stat()
    guard stat(folder, &folderInfo) == 0 else { throw HatcheryError.system("read", path: folder) }
    // A symbolic link back up the tree must not make the walk endless.
    guard visited.insert([UInt64(folderInfo.st_dev), UInt64(folderInfo.st_ino)]).inserted else { return }
    let names: [String]
    do {
      names = try FileManager.default.contentsOfDirectory(atPath: folder)
    } catch {
      throw HatcheryError("\(folder): cannot list the folder: \(error.localizedDescription)")
    }
    for name in names where !name.hasPrefix(".") {
      let path = folder + "/" + name
      let locator = locatorPrefix + "/" + name
      var info = stat()
      guard stat(path, &info) == 0 else { continue }  // a dangling link: nothing to read
      switch info.st_mode & S_IFMT {
      case S_IFDIR: try walk(folder: path, locatorPrefix: locator, format: format, visited: &visited, into: &found)
      case S_IFREG: found.append(file(absolutePath: path, locator: locator, info: info, format: format))
      default: continue
      }
    }
  }

  private static func file(absolutePath: String, locator: String, info: stat, format: InputFormat?) -> InputFile {
    let (compression, plainName) = Compression.of(fileName: (locator as NSString).lastPathComponent)
    return InputFile(
      absolutePath: absolutePath, locator: locator, size: Int(info.st_size),
      modifiedNanoseconds: Int(info.st_mtim.tv_sec) * 1_000_000_000 + Int(info.st_mtim.tv_nsec),
      format: format ?? InputFormat.of(fileName: plainName), compression: compression)
  }
}
