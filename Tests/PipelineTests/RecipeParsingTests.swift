import Compression
import Foundation
import Pipeline
import Testing

/// A folder with the 1000-image MNIST sample as both splits, for recipes' `data:` key.
func makeSampleDataFolder() throws -> URL {
    let folder = try makeScratchFolder()
    let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("fixtures")
    for split in ["train", "t10k"] {
        for (kind, rank) in [("images", 3), ("labels", 1)] {
            try FileManager.default.copyItem(
                at: fixtures.appendingPathComponent("mnist-test-1000-\(kind)-idx\(rank)-ubyte.gz"),
                to: folder.appendingPathComponent("\(split)-\(kind)-idx\(rank)-ubyte.gz"))
        }
    }
    return folder
}

/// The error a recipe text raises when planned, as its one-line description.
private func planError(_ text: String) -> String? {
    do {
        _ = try RecipePlan(document: RecipeDocument(text: text, file: "recipe.yaml"))
        return nil
    } catch {
        return String(describing: error)
    }
}

@Suite("Recipe parsing and planning")
final class RecipeParsingTests {
    let data: URL

    init() throws {
        data = try makeSampleDataFolder()
    }

    deinit {
        try? FileManager.default.removeItem(at: data)
    }

    func recipe(_ stages: String, header: String = "") -> String {
        "data: \(data.path)\nseed: 7\n\(header)stages:\n\(stages)"
    }

    @Test("a misspelt key is an error naming the key, its line, and the likely intended key")
    func misspeltKey() {
        let text = recipe("""
              - type: train
                arch: lenet300
              - type: prune
                sparsty: 0.9
            """)
        #expect(planError(text) == "recipe.yaml:7: key 'stages[1].sparsty': unknown key; did you mean 'sparsity'?")
        let topLevel = "data: \(data.path)\nstage:\n  - type: retrain\n"
        #expect(planError(topLevel) == "recipe.yaml:2: key 'stage': unknown key; did you mean 'stages'?")
        let outputs = recipe("  - type: train\n    arch: lenet300\n", header: "outputs:\n  reprot: r.md\n")
        #expect(planError(outputs) == "recipe.yaml:4: key 'outputs.reprot': unknown key; did you mean 'report'?")
    }

    @Test("a key of another stage type is unknown in this one")
    func keyOfAnotherStage() {
        let text = recipe("  - type: train\n    arch: lenet300\n  - type: huffman\n    epochs: 3\n")
        #expect(planError(text)?.hasPrefix("recipe.yaml:7: key 'stages[1].epochs': unknown key") == true)
    }

    @Test("a value of the wrong type names the key and line")
    func wrongType() {
        #expect(planError(recipe("  - type: train\n    arch: lenet300\n    epochs: many\n"))
                == "recipe.yaml:6: key 'stages[0].epochs': expected a whole number")
        #expect(planError(recipe("  - type: train\n    arch: lenet300\n  - type: prune\n    sparsity: [0.5]\n"))?
                    .hasPrefix("recipe.yaml:7: key 'stages[1].sparsity': expected") == true)
        #expect(planError("data: \(data.path)\nstages: 3\n") == "recipe.yaml:2: key 'stages': expected a list")
    }

    @Test("a missing file names the key and line")
    func missingFiles() {
        #expect(planError(recipe("  - type: retrain\n", header: "model: /nonexistent/model.h5\n"))
                == "recipe.yaml:3: key 'model': no such file: /nonexistent/model.h5")
        #expect(planError(recipe("  - type: train\n    arch: /nonexistent/arch.txt\n"))?
                    .hasPrefix("recipe.yaml:5: key 'stages[0].arch': '/nonexistent/arch.txt' is neither") == true)
        #expect(planError("data: /nonexistent/data\nstages:\n  - type: train\n    arch: lenet300\n")?
                    .hasPrefix("recipe.yaml:1: key 'data': ") == true)
    }

    @Test("stage order and settings are checked with the commands' rules")
    func stageRules() {
        #expect(planError(recipe("  - type: retrain\n"))?.contains("the first stage must be train with arch") == true)
        #expect(planError(recipe("  - type: train\n    arch: lenet300\n  - type: huffman\n  - type: retrain\n"))
                == "recipe.yaml:6: key 'stages[1].type': huffman must be the last stage: it writes the compressed file")
        #expect(planError(recipe("  - type: train\n    arch: lenet300\n  - type: tune\n"))?
                    .hasPrefix("recipe.yaml:6: key 'stages[1].type': unknown stage type 'tune'") == true)
        #expect(planError(recipe("  - type: train\n    arch: lenet300\n  - type: prune\n    sparsity: {fc1: 1.5}\n"))
                == "recipe.yaml:7: key 'stages[1].sparsity': must be in [0, 1) (the fraction of weights cut), got 1.5")
        #expect(planError(recipe("  - type: train\n    arch: lenet300\n  - type: prune\n    sparsity: 0.5\n    quality: 1\n"))
                == "recipe.yaml:6: key 'stages[1]': give only one of sparsity, quality")
        #expect(planError(recipe("  - type: train\n    arch: lenet300\n  - type: quantize\n    method: int8\n    bits: 5\n"))
                == "recipe.yaml:8: key 'stages[1].bits': applies to method kmeans only")
        #expect(planError(recipe("  - type: train\n    arch: lenet300\n  - type: quantize\n    method: kmeans\n    epochs: 5\n"))
                == "recipe.yaml:8: key 'stages[1].epochs': training keys apply to quantize with retrain: true")
        #expect(planError(recipe("  - type: train\n    arch: lenet300\n    optimizer: adamm\n"))?
                    .hasPrefix("recipe.yaml:6: key 'stages[0].optimizer': unknown optimizer 'adamm'") == true)
        #expect(planError(recipe("  - type: train\n    arch: lenet300\n    epochs: 3\n    epochs: 4\n"))?
                    .contains("key 'epochs': appears twice") == true)
        #expect(planError(recipe("  - type: train\n    arch: lenet300\n", header: "outputs:\n  compressed: m.dcz\n"))?
                    .contains("needs a huffman stage") == true)
    }

    @Test("per-layer values: a number, a mapping with default and globs (last wins), the command line's text")
    func perLayerValues() throws {
        let text = recipe("""
              - type: train
                arch: lenet300
              - type: prune
                sparsity: {default: 0.9, "fc*": 0.8, fc3: 0.7}
              - type: quantize
                method: kmeans
                bits: {"*": 5, fc3: 6}
              - type: dns
                c-rate: "fc1=2,fc2=1.5"
            """)
        let plan = try RecipePlan(document: RecipeDocument(text: text, file: "recipe.yaml"))
        guard case .prune(let pruning) = plan.stages[1].resolved, case .quantize(let quantization) = plan.stages[2].resolved,
              case .prune(let dns) = plan.stages[3].resolved else {
            Issue.record("unexpected stage kinds")
            return
        }
        let sparsity = try #require(pruning.sparsity)
        #expect(try sparsity.values(for: ["conv1", "fc1", "fc3"]) == ["conv1": 0.9, "fc1": 0.8, "fc3": 0.7])
        #expect(try quantization.bitWidths.bits(forLayers: ["fc1", "fc3"]) == ["fc1": 5, "fc3": 6])
        #expect(dns.method == .dns)
        #expect(try dns.cRate?.values(for: ["fc1", "fc2"]) == ["fc1": 2, "fc2": 1.5])
    }

    @Test("defaults follow the commands: seeds from the recipe, retraining rates, rounds, outputs under out/<name>")
    func defaults() throws {
        let text = recipe("""
              - type: train
                arch: lenet300
              - type: prune
                sparsity: 0.9
                retrain: true
              - type: retrain
              - type: huffman
            """, header: "name: small\noutputs:\n  report: report.md\n")
        let plan = try RecipePlan(document: RecipeDocument(text: text, file: "recipes/x.yaml"))
        #expect(plan.name == "small")
        guard case let .train(arch, training) = plan.stages[0].resolved, case .prune(let pruning) = plan.stages[1].resolved,
              case .retrain(let retraining) = plan.stages[2].resolved else {
            Issue.record("unexpected stage kinds")
            return
        }
        #expect(arch == "lenet300")
        #expect(training.epochs == 20 && training.seed == 7)
        #expect(pruning.rounds == PruningSettings.defaultRounds)
        #expect(pruning.training.epochs == PruningSettings.defaultEpochs(.magnitude))
        #expect(pruning.effectiveTraining.learningRate == pruning.defaultLearningRate)
        #expect(retraining.epochs == 10 && retraining.learningRate == OptimizerKind.nesterov.defaultLearningRate / 10)
        #expect(plan.outputs == RecipePlan.Outputs(directory: "out/small", model: nil, compressed: "out/small/small.dcz",
                                                   report: "out/small/report.md", plots: nil))
        #expect(plan.stages[1].resolved.summary.hasPrefix("magnitude, sparsity 0.9, layers all with weights, 3 rounds with retraining, 12 epochs"))
    }

    @Test("cache keys chain: an edited stage changes its key and the later ones, not the earlier ones")
    func cacheKeys() throws {
        func keys(_ pruneSparsity: String, name: String = "prune", fingerprint: String = "data-a") throws -> [String] {
            let text = recipe("""
                  - type: train
                    arch: lenet300
                    epochs: 1
                  - type: prune
                    name: \(name)
                    sparsity: \(pruneSparsity)
                  - type: huffman
                """)
            return try RecipePlan(document: RecipeDocument(text: text, file: "r.yaml")).cacheKeys(dataFingerprint: fingerprint)
        }
        let base = try keys("0.9")
        #expect(base.count == 3 && Set(base).count == 3)
        #expect(base.allSatisfy { $0.count == 16 && $0.allSatisfy(\.isHexDigit) })
        #expect(try keys("0.9") == base)
        let edited = try keys("0.8")
        #expect(edited[0] == base[0] && edited[1] != base[1] && edited[2] != base[2])
        #expect(try keys("0.9", name: "renamed") == base)
        #expect(try keys("0.9", fingerprint: "data-b")[0] != base[0])
    }

    @Test("FNV-1a 64 gives the published test vectors")
    func stableHash() {
        func digest(_ text: String) -> String {
            var hash = StableHash()
            hash.combine(bytes: Array(text.utf8))
            return hash.hexDigest
        }
        #expect(digest("") == "cbf29ce484222325")
        #expect(digest("a") == "af63dc4c8601ec8c")
        #expect(digest("foobar") == "85944171f73967e8")
    }
}
