import Foundation
import HatcheryCore
import Logging
import Synchronization

/// Runs the pending parts of an ingest on worker threads, each with its own `PartIngester`.
/// The first error stops the workers from taking new parts; parts already committed stay.
final class ParallelParts: Sendable {
  struct Outcome {
    /// Each finished part's counts, by part number.
    var summaries: [Int: IngestSummary] = [:]
    var error: Error?
  }

  private struct State: ~Copyable {
    var next = 0
    var outcome = Outcome()
    var filesDone = 0
    var bytesDone = 0
    let progress: ProgressReporter
  }

  private let parts: [InputPlan.Part]
  private let state: Mutex<State>

  init(_ parts: [InputPlan.Part], progress: sending ProgressReporter) {
    self.parts = parts
    state = Mutex(State(progress: progress))
  }

  func run(workers: Int, context: PartIngester.Context, logger: Logger) -> Outcome {
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
      let ingester: PartIngester
      do {
        ingester = try PartIngester(context: context)
      } catch {
        fail(error)
        return
      }
      while let part = takeNext() {
        do {
          let summary = try ingester.ingest(part) { file in
            state.withLock { state in
              state.filesDone += 1
              state.bytesDone += file.size
              state.progress.update(items: state.filesDone, bytes: state.bytesDone)
            }
          }
          state.withLock { $0.outcome.summaries[part.index] = summary }
          logger.info("part committed", metadata: ["source": "\(context.source.name)", "part": "\(part.index)"])
        } catch {
          fail(error)
        }
      }
    }
    return state.withLock { state in
      state.progress.finish()
      return state.outcome
    }
  }

  private func fail(_ error: Error) {
    state.withLock { state in
      if state.outcome.error == nil { state.outcome.error = error }
    }
  }

  private func takeNext() -> InputPlan.Part? {
    state.withLock { state in
      guard state.outcome.error == nil, state.next < parts.count else { return nil }
      defer { state.next += 1 }
      return parts[state.next]
    }
  }
}
