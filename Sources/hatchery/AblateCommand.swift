import ArgumentParser
import Foundation
import HatcheryCore
import Pipeline

struct AblateCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "ablate",
    abstract: "Compare variants of a corpus by the models they train: same model, same tokens, several seeds, held-out bits per byte.",
    discussion: """
      Each variant of the ablation file is its base pipeline with overrides (a stage left out, a stage's options, \
      another pipeline file), prepared in its own workspace up to its shards (steps already up to date are reused). \
      The shared evaluation sets are checked against every variant's kept documents (whole-text copies refuse the \
      ablation; when more than contamination.max_shared_ngrams of the sets' 13-grams are in its training text, it is refused too). \
      Then every variant trains the base pipeline's train stage once per seed and is scored on the evaluation sets in \
      bits per byte. FOLDER/ablation.md, .json and .html compare the variants with the first: mean ± standard \
      deviation over the seeds, Welch's t-test, tokens, time and energy, curves and a bar chart. Run it again and \
      only what changed is trained. The format is in docs/formats.md.
      """)

  @Option(help: "Threads of the evaluation after each run (training takes the train stage's).") var threads = ProcessInfo.processInfo.activeProcessorCount
  @Argument(help: "The ablation file (YAML).") var file: String

  func run() throws {
    let ablation = try AblationFile.load(path: file)
    var options = AblationRunner.Options(executable: RunCommand.executablePath)
    options.threads = max(1, threads)
    let results = try AblationRunner.run(ablation, options: options)
    let folder = Workspace.absolutePath(ablation.folder)
    print(AblationRunner.summaryTable(results))
    print("ablation \(ablation.name): \(folder)/ablation.md, ablation.json, ablation.html")
  }
}
