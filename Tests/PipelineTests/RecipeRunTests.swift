import Compression
import Foundation
import ModelIO
import NN
import Pipeline
import TensorCore
import Testing

/// Runs no real pass: builds a tiny model for the first stage, and for later ones scales the
/// weights of the model it is given, so each stage's output differs. Records which stages ran.
private final class RecordingExecutor: StageExecutor {
    var ran: [Int] = []
    var failing: Int?

    func run(_ stage: RecipePlan.Stage, input: String?, output: String, modelName: String, data: StageData,
             onProgress: (StageProgress) -> Void) throws -> String {
        ran.append(stage.index)
        if stage.index == failing { throw CompressionError("layer pattern 'fc9' matches no layer") }
        let model: Model
        if let input {
            model = try loadModel(path: input)
            for parameter in model.parameters { parameter.value = parameter.value * 0.5 }
        } else {
            var generator = RandomGenerator(seed: 11)
            model = Model(inputShape: [4, 4, 1], layers: [
                ("flatten", Flatten()), ("fc1", Dense(inputCount: 16, units: 3, generator: &generator)),
            ])
        }
        onProgress(.line("ran \(stage.label)"))
        if stage.stage.type == .huffman {
            try saveCompressedModel(model, name: modelName, to: output)
        } else {
            try saveKerasModel(model, name: modelName, to: output)
        }
        return "recorded \(stage.label)"
    }
}

private func syntheticData(count: Int) -> Dataset {
    var generator = RandomGenerator(seed: 4)
    return Dataset(images: generator.uniform(shape: [count, 4, 4, 1]), labels: (0..<count).map { Int32($0 % 3) }, classCount: 3)
}

@Suite("Recipe runs")
final class RecipeRunTests {
    let folder: URL
    let data: URL

    init() throws {
        folder = try makeScratchFolder()
        data = try makeSampleDataFolder()
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
        try? FileManager.default.removeItem(at: data)
    }

    func plan(_ stages: String, outputs: String = "") throws -> RecipePlan {
        let text = "name: run-test\ndata: \(data.path)\nstages:\n\(stages)\noutputs:\n  directory: \(folder.path)/out\n\(outputs)"
        return try RecipePlan(document: RecipeDocument(text: text, file: "run-test.yaml"))
    }

    var cache: StageCache { StageCache(directory: folder.appendingPathComponent("cache").path) }

    let stages = """
          - type: train
            arch: lenet300
          - type: retrain
            epochs: 3
          - type: huffman
        """

    @Test("a second run takes every stage from the cache, a renamed one under its new name; an edited stage runs again with the ones after it")
    func caching() throws {
        let test = syntheticData(count: 30)
        let executor = RecordingExecutor()
        let options = RecipeRunOptions(cache: cache)
        let first = try runRecipe(plan(stages), data: StageData(train: test, test: test), options: options, executor: executor)
        #expect(executor.ran == [0, 1, 2])
        #expect(first.stages.map(\.cached) == [false, false, false])

        var events: [String] = []
        let second = try runRecipe(plan(stages), data: StageData(train: test, test: test), options: options, executor: executor) { event in
            if case let .stageFinished(record, cached) = event { events.append("\(record.number) \(cached)") }
        }
        #expect(executor.ran == [0, 1, 2])
        #expect(second.stages.map(\.cached) == [true, true, true])
        #expect(second.stages.map(\.record) == first.stages.map(\.record))
        #expect(events == ["1 true", "2 true", "3 true"])

        let renamed = stages.replacingOccurrences(of: "epochs: 3", with: "epochs: 3\n    name: fine-tune")
        let third = try runRecipe(plan(renamed), data: StageData(train: test, test: test), options: options, executor: executor)
        #expect(executor.ran == [0, 1, 2])
        #expect(third.stages.map(\.cached) == [true, true, true])
        #expect(third.stages.map(\.record.label) == ["train", "fine-tune", "huffman"])

        let edited = stages.replacingOccurrences(of: "epochs: 3", with: "epochs: 4")
        executor.ran = []
        _ = try runRecipe(plan(edited), data: StageData(train: test, test: test), options: options, executor: executor)
        #expect(executor.ran == [1, 2])

        executor.ran = []
        _ = try runRecipe(plan(edited), data: StageData(train: test, test: test), options: RecipeRunOptions(useCache: false, cache: cache),
                          executor: executor)
        #expect(executor.ran == [0, 1, 2])
    }

    @Test("each stage is measured: accuracy on the test split, parameters, non-zeros, size as .dcz")
    func records() throws {
        let test = syntheticData(count: 30)
        let report = try runRecipe(plan(stages), data: StageData(train: test, test: test), options: RecipeRunOptions(cache: cache),
                                   executor: RecordingExecutor())
        let records = report.stages.map(\.record)
        #expect(records.map(\.number) == [1, 2, 3])
        #expect(records.map(\.artifact) == ["model.h5", "model.h5", "model.dcz"])
        #expect(records.allSatisfy { $0.parameters == 51 && $0.nonZeros == 48 })   // 16x3 kernel, zero bias
        #expect(records[2].compressedBytes == records[2].artifactBytes)
        #expect(records.allSatisfy { (0...1).contains($0.top1) && $0.top5 == 1 })
        #expect(records[1].detail == "recorded retrain")
        #expect(report.startParameters == 51)
    }

    @Test("a failing stage is an error naming its line; the stages before it stay cached")
    func failure() throws {
        let test = syntheticData(count: 30)
        let executor = RecordingExecutor()
        executor.failing = 1
        let plan = try plan(stages)
        #expect(throws: RecipeError(file: "run-test.yaml", line: 6, key: "stages[1]",
                                    "stage 2 (retrain) failed: layer pattern 'fc9' matches no layer")) {
            try runRecipe(plan, data: StageData(train: test, test: test), options: RecipeRunOptions(cache: self.cache), executor: executor)
        }
        executor.failing = nil
        executor.ran = []
        _ = try runRecipe(plan, data: StageData(train: test, test: test), options: RecipeRunOptions(cache: cache), executor: executor)
        #expect(executor.ran == [1, 2])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: cache.directory).filter { $0.hasSuffix(".tmp") }
        #expect(leftovers.isEmpty)
    }

    @Test("outputs: the last .h5, the compressed file, the report as markdown or JSON, and SVG plots")
    func outputs() throws {
        let test = syntheticData(count: 30)
        let plan = try plan(stages, outputs: "  model: final.h5\n  compressed: final.dcz\n  report: report.json\n  plots: plots\n")
        let report = try runRecipe(plan, data: StageData(train: test, test: test), options: RecipeRunOptions(cache: cache),
                                   executor: RecordingExecutor())
        let out = folder.appendingPathComponent("out")
        let model = try loadModel(path: out.appendingPathComponent("final.h5").path)
        #expect(model.parameterCount == 51)
        #expect(CompressedModelFormat.hasMagic(path: out.appendingPathComponent("final.dcz").path))
        let decoded = try JSONDecoder().decode(RecipeRunReport.self, from: Data(contentsOf: out.appendingPathComponent("report.json")))
        #expect(decoded.stages == report.stages)
        #expect(decoded.finalModel?.format == "dcz")
        let plots = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("plots").path).sorted()
        #expect(plots == ["fc1-weights.svg", "size-per-stage.svg"])
        let chart = try parseXML(String(contentsOf: out.appendingPathComponent("plots/size-per-stage.svg"), encoding: .utf8))
        #expect(chart.descendants(named: "rect").filter { $0.attributes["class"] == "bar" }.count == 4)   // fp32 + 3 stages
        #expect(report.markdown.contains("| 3 | huffman |"))
    }

    @Test("the real passes run a small recipe end to end: train, prune, k-means, huffman")
    func realPasses() throws {
        let plan = try plan("""
              - type: train
                arch: lenet300
                epochs: 1
              - type: prune
                sparsity: {fc1: 0.95, fc2: 0.9, fc3: 0.7}
              - type: quantize
                method: kmeans
                bits: 4
              - type: huffman
            """, outputs: "  compressed: small.dcz\n  report: report.md\n")
        let data = try loadRecipeData(plan)
        var lines: [String] = []
        let report = try runRecipe(plan, data: data, options: RecipeRunOptions(cache: cache)) { event in
            if case let .progress(_, .line(line)) = event { lines.append(line) }
        }
        let records = report.stages.map(\.record)
        #expect(records[0].top1 > 0.6)
        #expect(records[1].nonZeros < records[0].nonZeros / 8)
        let bytes = records.map { $0.compressedBytes ?? 0 }
        #expect(bytes[1] < bytes[0] / 5 && bytes[2] < bytes[1] && bytes[3] == bytes[2])
        #expect(records[3].top1 == records[2].top1)   // the file decodes to the same model
        let final = try #require(report.finalModel)
        #expect(final.layers.map(\.bitsPerWeight) == [4, 4, 4])
        #expect(final.layers.allSatisfy { ($0.codebookSize ?? 99) <= 16 && $0.indexBits == 5 })
        #expect(final.fileBytes == bytes[3])
        #expect(lines.contains { $0.hasPrefix("training epoch 1/1") })
    }
}
