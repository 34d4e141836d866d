import Foundation
import HatcheryFuzz

// hatchery-fuzz: runs one reader of Hatchery on seeded mutations of valid inputs and prints a
// JSON line of what it saw. Benchmarks/fuzz.sh runs every reader under a time and memory limit.
//   hatchery-fuzz --list
//   hatchery-fuzz TARGET [--count N] [--seed S] [--scratch DIR] [--progress FILE] [--only I] [--write-input I FILE]

func fail(_ message: String) -> Never {
  FileHandle.standardError.write(Data("error: \(message)\n".utf8))
  exit(2)
}

func number(_ text: String, _ option: String) -> Int {
  guard let value = Int(text), value >= 0 else { fail("\(option) takes a whole number, not \(text)") }
  return value
}

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.first == "--list" {
  for target in FuzzTarget.all { print(target.name) }
  exit(0)
}
guard let name = arguments.first, let target = FuzzTarget.named(name) else {
  fail("name a target: \(FuzzTarget.all.map(\.name).joined(separator: ", ")) (or --list)")
}
arguments.removeFirst()
var count = 2000
var seed: UInt64 = 1
var scratch = NSTemporaryDirectory() + "hatchery-fuzz-\(getpid())"
var progress: String?
var only: Int?
var writeInput: (index: Int, path: String)?
while !arguments.isEmpty {
  let option = arguments.removeFirst()
  func value() -> String {
    guard !arguments.isEmpty else { fail("\(option) needs a value") }
    return arguments.removeFirst()
  }
  switch option {
  case "--count": count = number(value(), option)
  case "--seed": seed = UInt64(number(value(), option))
  case "--scratch": scratch = value()
  case "--progress": progress = value()
  case "--only": only = number(value(), option)
  case "--write-input": writeInput = (number(value(), option), value())
  default: fail("unknown option \(option)")
  }
}
do {
  defer { try? FileManager.default.removeItem(atPath: scratch) }
  if let writeInput {
    let bytes = try FuzzRunner.input(target, index: writeInput.index, seed: seed, scratch: scratch)
    try Data(bytes).write(to: URL(fileURLWithPath: writeInput.path))
    exit(0)
  }
  let report = try FuzzRunner.run(
    target, count: count, seed: seed, scratch: scratch, progressPath: progress, only: only)
  print(report.json)
  fflush(nil)  // before LeakSanitizer's report at exit, which ends the process its own way
  for violation in report.violations.prefix(20) {
    FileHandle.standardError.write(Data("violation #\(violation.index): \(violation.description)\n".utf8))
  }
  exit(report.violations.isEmpty ? 0 : 1)
} catch {
  fail("\(error)")
}
