import Compression
import Foundation
import ModelIO
import NN
import Pipeline
import TensorCore
import Testing

/// Flatten, fc1 (16 -> 24, relu), fc2 (24 -> 3) on 4x4 images.
private func tinyModel(seed: UInt64 = 3) -> Model {
    var generator = RandomGenerator(seed: seed)
    return Model(inputShape: [4, 4, 1], layers: [
        ("flatten", Flatten()),
        ("fc1", Dense(inputCount: 16, units: 24, activation: .relu, generator: &generator)),
        ("fc2", Dense(inputCount: 24, units: 3, generator: &generator)),
    ])
}

/// Random 4x4 images labelled by the largest of three fixed linear scores: learnable, not trivial.
private func syntheticData(count: Int, seed: UInt64) -> Dataset {
    var generator = RandomGenerator(seed: seed)
    var weights = RandomGenerator(seed: 77)
    let projection = weights.normal(shape: [16, 3]).scalars
    let images = generator.uniform(shape: [count, 4, 4, 1])
    let labels = (0..<count).map { n -> Int32 in
        let scores = (0..<3).map { c in (0..<16).reduce(Float(0)) { $0 + (images.scalars[n * 16 + $1] - 0.5) * projection[$1 * 3 + c] } }
        return Int32(scores.indices.max { scores[$0] < scores[$1] }!)
    }
    return Dataset(images: images, labels: labels, classCount: 3)
}

private func cutPositions(_ parameter: Parameter) -> [Int] {
    parameter.mask!.scalars.indices.filter { parameter.mask!.scalars[$0] == 0 }
}

@Suite("Pruning runs")
struct PruningRunTests {
    let train = syntheticData(count: 400, seed: 1)
    let test = syntheticData(count: 200, seed: 2)

    func settings(_ configure: (inout PruningSettings) throws -> Void) rethrows -> PruningSettings {
        var settings = PruningSettings()
        settings.training.epochs = 4
        settings.training.batchSize = 20
        try configure(&settings)
        return settings
    }

    @Test("magnitude pruning in rounds with retraining reaches the per-layer targets and never revives a weight")
    func magnitudeWithRetraining() throws {
        let model = tinyModel()
        let settings = try settings {
            $0.sparsity = try PerLayerValue(parsing: "fc1=0.9,fc2=0.5", setting: "sparsity")
            $0.retrain = true
            $0.rounds = 2
        }
        var stages: [String] = []
        var cutAfterFirstRound: [Int]?
        let report = try pruneModel(model, settings: settings, train: train, test: test) { event in
            if case let .stage(stage) = event {
                stages.append(stage.name)
                if stage.name == "round 1/2: pruned" { cutAfterFirstRound = cutPositions(model.parameter(named: "fc1.kernel")!) }
            }
        }
        #expect(stages == ["start", "round 1/2: pruned", "round 1/2: retrained", "round 2/2: pruned", "round 2/2: retrained"])
        let kernel = model.parameter(named: "fc1.kernel")!
        #expect(cutPositions(kernel).count == 346)   // round(0.9 x 384)
        #expect(Set(cutAfterFirstRound!).isSubset(of: Set(cutPositions(kernel))))
        #expect(cutPositions(kernel).allSatisfy { kernel.value.scalars[$0] == 0 })
        #expect(report.layers.map(\.layer) == ["fc1", "fc2"])
        #expect(report.layers.map(\.parameters) == [384, 72])
        #expect(report.layers.map(\.nonZeros) == [38, 36])
        #expect(report.layers.allSatisfy { $0.threshold != nil })
        #expect(report.modelParameters == 384 + 24 + 72 + 3)
        #expect(report.epochs == 4)
        let after = try #require(report.testErrorAfter)
        #expect(report.testErrorBefore != nil && after < 0.5)
        #expect(report.text.contains("fc1") && report.text.contains("9.90%"))
    }

    @Test("masks survive save and load, and a later prune keeps them")
    func masksSurviveSaveAndLoad() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("prune-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("model.h5").path
        let pruned = folder.appendingPathComponent("pruned.h5").path
        let again = folder.appendingPathComponent("again.h5").path
        try saveKerasModel(tinyModel(), name: "model", to: input)

        _ = try runPruning(input: input, output: pruned, settings: settings { $0.sparsity = PerLayerValue(0.6, setting: "sparsity") },
                           train: nil, test: nil)
        let loaded = try loadModel(path: pruned)
        let kernel = try #require(loaded.parameter(named: "fc1.kernel"))
        let cut = cutPositions(kernel)
        #expect(kernel.maskMode == .pruned)
        #expect(cut.count == 230)   // round(0.6 x 384)
        #expect(cut.allSatisfy { kernel.value.scalars[$0] == 0 })

        // A lower sparsity cannot bring weights back; retraining keeps them at zero.
        let report = try runPruning(input: pruned, output: again, settings: settings {
            $0.sparsity = PerLayerValue(0.3, setting: "sparsity")
            $0.retrain = true
        }, train: train, test: test)
        let reloaded = try #require(try loadModel(path: again).parameter(named: "fc1.kernel"))
        #expect(cutPositions(reloaded) == cut)
        #expect(cut.allSatisfy { reloaded.value.scalars[$0] == 0 })
        #expect(report.layers[0].nonZeros == 384 - 230)
    }

    @Test("AGP reaches the target sparsity while training")
    func agp() throws {
        let model = tinyModel()
        let report = try pruneModel(model, settings: settings {
            $0.method = .agp
            $0.sparsity = PerLayerValue(0.8, setting: "sparsity")
            $0.agpFrequency = 10
        }, train: train, test: test)
        #expect(report.layers.map(\.nonZeros) == [77, 14])   // 384 - 307, 72 - 58
        #expect(model.parameter(named: "fc2.kernel")!.maskMode == .pruned)
    }

    @Test("DNS ends with final masks: cut weights zero, masks in pruned mode, both thresholds reported")
    func dns() throws {
        let model = tinyModel()
        let report = try pruneModel(model, settings: settings {
            $0.method = .dns
            $0.cRate = PerLayerValue(0.5, setting: "c-rate")
        }, train: train, test: test)
        for key in ["fc1.kernel", "fc2.kernel"] {
            let kernel = model.parameter(named: key)!
            #expect(kernel.maskMode == .pruned)
            #expect(cutPositions(kernel).allSatisfy { kernel.value.scalars[$0] == 0 })
        }
        #expect(report.layers.allSatisfy { $0.nonZeros < $0.parameters && $0.spliceThreshold! > $0.threshold! })
        #expect(report.stages.map(\.name) == ["start", "surgery started", "surgery"])
    }

    @Test("bad requests fail before any work with a clear message")
    func errors() throws {
        func failure(_ configure: (inout PruningSettings) throws -> Void) throws -> String {
            do {
                _ = try pruneModel(tinyModel(), settings: try settings(configure), train: train, test: nil)
                return ""
            } catch let error as CompressionError {
                return error.description
            }
        }
        #expect(try failure { $0.sparsity = PerLayerValue(1, setting: "sparsity") }
                == "sparsity for layer fc1 must be in [0, 1) (the fraction of weights cut), got 1.0")
        #expect(try failure { $0.sparsity = PerLayerValue(0.5, setting: "sparsity"); $0.layers = LayerSelection("fc3") }
                .hasPrefix("no layer named 'fc3'"))
        #expect(try failure { $0.sparsity = PerLayerValue(0.5, setting: "sparsity"); $0.layers = LayerSelection("conv*") }
                .hasPrefix("layer pattern 'conv*' matches no layer"))
        #expect(try failure { $0.sparsity = try PerLayerValue(parsing: "fc9=0.5", setting: "sparsity") }
                .hasPrefix("sparsity: 'fc9' matches none of the layers"))
        #expect(try failure { $0.method = .dns; $0.sparsity = PerLayerValue(0.5, setting: "sparsity") } == "dns takes c-rate")
        #expect(try failure { $0.sparsity = PerLayerValue(0.5, setting: "sparsity"); $0.rounds = 3 }
                == "pruning in 3 rounds needs retraining between them")
    }

    @Test("per-layer values without a default prune only the layers they name")
    func namedLayersOnly() throws {
        let model = tinyModel()
        let report = try pruneModel(model, settings: settings { $0.sparsity = try PerLayerValue(parsing: "fc2=0.5", setting: "sparsity") },
                                    train: nil, test: nil)
        #expect(report.layers.map(\.layer) == ["fc2"])
        #expect(model.parameter(named: "fc1.kernel")!.mask == nil)
    }
}
