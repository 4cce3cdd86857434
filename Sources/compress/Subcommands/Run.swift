import ArgumentParser
import Foundation
import NN
import Pipeline

extension Compress {
    /// `compress run RECIPE.yaml`: runs a compression pipeline written as a YAML recipe.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run a compression recipe (YAML): train, prune, quantize, factorize, Huffman-code, report.",
            discussion: """
                Each stage's result is cached under a hash of its inputs and settings (in .compress-cache/ \
                unless --cache-dir), so a run after editing a stage starts from the stage before it. \
                --dry-run checks the recipe and prints the plan with each stage's settings and cache key. \
                See docs/RECIPES.md for the format.

                Example:
                  compress run recipes/lenet300-deep-compression.yaml
                """)

        @Argument(help: "The recipe file (YAML).") var recipe: String
        @Flag(help: "Check the recipe and print the plan without running it.") var dryRun = false
        @Flag(help: "Run every stage, ignoring cached results (the cache is refreshed).") var noCache = false
        @Option(help: "The stage cache folder.") var cacheDir: String = StageCache.defaultDirectory

        func run() throws {
            let cache = StageCache(directory: cacheDir)
            try reportingErrors {
                let plan = try RecipePlan(document: RecipeDocument(path: recipe))
                let data = try loadRecipeData(plan)
                print("recipe \(plan.name.escapingControlCharacters) (\(recipe.escapingControlCharacters)): data \(plan.data.escapingControlCharacters): "
                      + (data.train.map { "\(groupedDigits($0.count)) training, " } ?? "") + "\(groupedDigits(data.test.count)) test images; seed \(plan.seed)"
                      + (plan.model.map { "; starts from \($0)" } ?? ""))
                if dryRun {
                    try printPlan(plan, data: data, cache: cache)
                    return
                }
                let display = ProgressDisplay()
                let count = plan.stages.count
                let report = try runRecipe(plan, data: data, options: RecipeRunOptions(useCache: !noCache, cache: cache)) { event in
                    switch event {
                    case let .stageStarted(stage, key):
                        print("stage \(stage.index + 1)/\(count) \(stage.label) [\(key)]: \(stage.resolved.summary)")
                    case let .progress(stage, .step(phase, epoch, epochs, step, steps, loss, accuracy, _)):
                        display.update(done: step, total: steps, status: String(
                            format: "%d/%d %@: %@ epoch %d/%d  loss %.4f  acc %.2f%%", stage.index + 1, count, stage.label, phase,
                            epoch + 1, epochs, loss, accuracy * 100))
                    case let .progress(stage, .line(line)):
                        display.finish("\(stage.index + 1)/\(count) \(stage.label): \(line)")
                    case let .stageFinished(record, cached):
                        print(String(format: "stage %d/%d %@%@: top-1 %.2f%%, %@ non-zeros, %@ bytes as .dcz%@", record.number, count, record.label,
                                     cached ? " (cached)" : "", record.top1 * 100, groupedDigits(record.nonZeros),
                                     record.compressedBytes.map(groupedDigits) ?? "-", cached ? "" : ", " + durationText(record.seconds)))
                    case .wrote:
                        break
                    }
                }
                print("")
                print(report.text)
            }
        }

        /// One line per stage: number, label, cache key, whether it is cached, and its settings.
        private func printPlan(_ plan: RecipePlan, data: StageData, cache: StageCache) throws {
            let keys = try plan.cacheKeys(dataFingerprint: recipeDataFingerprint(data, normalization: plan.normalization))
            for (stage, key) in zip(plan.stages, keys) {
                let state = noCache ? "to run" : (cache.lookup(key) != nil ? "cached" : "to run")
                print("\(stage.index + 1) \(stage.label) [\(key)] \(state): \(stage.resolved.summary)")
            }
            let outputs = plan.outputs
            let written = [outputs.model, outputs.compressed, outputs.report, outputs.plots.map { $0 + "/" }].compactMap { $0 }
            print("outputs: " + (written.isEmpty ? "none (results stay in \(cacheDir))" : written.joined(separator: ", ")))
        }
    }
}
