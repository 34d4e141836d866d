import Foundation
import HatcheryCore

/// The records of one sorted file, gathered in memory up to `capacity` records: past it, those
/// gathered so far are sorted and written as a run beside the file, and `commit` merges the runs
/// into it. A task's memory is then bounded by `--memory-budget`, not by its share of the
/// corpus (DESIGN.md); the file is the same either way, since every record's sort key is unique.
final class SortedRunWriter<Record: SortedRecord> {
  let path: String
  private let kind: RecordFileKind
  private let capacity: Int
  private var buffer: [Record] = []
  private var runs: [String] = []

  /// At most this many runs are merged at once, each through a reader's buffer: past it, runs
  /// are merged into longer runs first, so a small budget over a large task does not open
  /// thousands of files (and buffers) at once.
  private let fanIn: Int

  init(path: String, kind: RecordFileKind, capacity: Int, fanIn: Int = 16) {
    self.path = path
    self.kind = kind
    self.capacity = max(1, capacity)
    self.fanIn = max(2, fanIn)
  }

  /// How many records fit in `bytes` of memory, with the scratch of sorting them (the standard
  /// library's sort is a merge sort that borrows up to half the records' size).
  static func capacity(bytes: Int) -> Int { max(1, bytes * 2 / (3 * MemoryLayout<Record>.stride)) }

  func append(_ record: Record) throws {
    // Reserved at once: grown by doubling, the buffer would hold up to twice its capacity, and a
    // reservation's pages are resident only once records are written to them.
    if buffer.capacity == 0 { buffer.reserveCapacity(capacity) }
    buffer.append(record)
    if buffer.count >= capacity { try spill() }
  }

  private func spill() throws {
    let run = path + ".run-\(runs.count)"
    buffer.sort()
    try Self.write(buffer, to: run, kind: kind)
    runs.append(run)
    buffer.removeAll(keepingCapacity: true)
  }

  /// Writes the sorted file and removes the runs.
  func commit() throws {
    guard !runs.isEmpty else {
      buffer.sort()
      try Self.write(buffer, to: path, kind: kind)
      buffer = []
      return
    }
    if !buffer.isEmpty { try spill() }
    buffer = []
    var pass = 0
    while runs.count > fanIn {
      var longer: [String] = []
      for start in stride(from: 0, to: runs.count, by: fanIn) {
        let group = Array(runs[start..<min(runs.count, start + fanIn)])
        let run = path + ".run-\(pass)-\(longer.count)"
        try Self.merge(group, into: run, kind: kind)
        longer.append(run)
      }
      runs = longer
      pass += 1
    }
    try Self.merge(runs, into: path, kind: kind)
    runs = []
  }

  /// Merges sorted `runs` into one sorted file at `path` and removes them.
  private static func merge(_ runs: [String], into path: String, kind: RecordFileKind) throws {
    let merged = try MergedRecords<Record>(paths: runs, kind: kind)
    let writer = try RecordFileWriter(path: path, kind: kind, recordSize: Record.size)
    while let (_, record) = try merged.next() { try writer.append { record.encode(into: $0) } }
    try writer.commit()
    for run in runs { unlink(run) }
  }

  private static func write(_ records: [Record], to path: String, kind: RecordFileKind) throws {
    let writer = try RecordFileWriter(path: path, kind: kind, recordSize: Record.size)
    for record in records { try writer.append { record.encode(into: $0) } }
    try writer.commit()
  }
}
