import Compression
import Foundation
import ModelIO
import NN
import Pipeline
import TensorCore
import Testing

/// conv (3x3, 4 filters) and two dense layers on 6x6 images: one kernel of each kind.
private func smallModel(seed: UInt64 = 4) -> Model {
    var generator = RandomGenerator(seed: seed)
    return Model(inputShape: [6, 6, 1], layers: [
        ("conv1", Conv2D(inputChannels: 1, filters: 4, kernelSize: Size2D(3), activation: .relu, generator: &generator)),
        ("flatten", Flatten()),
        ("fc1", Dense(inputCount: 64, units: 16, activation: .relu, generator: &generator)),
        ("fc2", Dense(inputCount: 16, units: 3, generator: &generator)),
    ])
}

/// Random 6x6 images labelled by the largest of three fixed linear scores.
private func syntheticData(count: Int, seed: UInt64) -> Dataset {
    var generator = RandomGenerator(seed: seed)
    var weights = RandomGenerator(seed: 78)
    let projection = weights.normal(shape: [36, 3]).scalars
    let images = generator.uniform(shape: [count, 6, 6, 1])
    let labels = (0..<count).map { n -> Int32 in
        let scores = (0..<3).map { c in (0..<36).reduce(Float(0)) { $0 + (images.scalars[n * 36 + $1] - 0.5) * projection[$1 * 3 + c] } }
        return Int32(scores.indices.max { scores[$0] < scores[$1] }!)
    }
    return Dataset(images: images, labels: labels, classCount: 3)
}

@Suite("Quantization runs")
struct QuantizationRunTests {
    let train = syntheticData(count: 300, seed: 1)
    let test = syntheticData(count: 150, seed: 2)

    func trainedModel() throws -> Model {
        let model = smallModel()
        var settings = TrainingSettings()
        settings.epochs = 3
        settings.batchSize = 20
        _ = try trainModel(model, train: train, test: nil, settings: settings)
        return model
    }

    func temporaryFile(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("quantize-\(UUID().uuidString)-\(name)").path
    }

    @Test("k-means with fine-tuning: at most 2^bits values per layer, pruned zeros kept, centroids moved",
          arguments: [1, 2, 3])
    func kmeansFineTuned(bits: Int) throws {
        let model = try trainedModel()
        let fc1 = try #require(model.parameter(named: "fc1.kernel"))
        fc1.mask = Tensor(shape: fc1.shape, scalars: (0..<fc1.count).map { $0 % 4 == 0 ? 1 : 0 })
        fc1.applyMask()
        var settings = QuantizationSettings(method: .kmeans)
        settings.bitWidths = try BitWidths(parsing: "\(bits),conv*=\(bits + 1)")
        var training = TrainingSettings()
        training.epochs = 2
        training.batchSize = 20
        training.learningRate = 0.01
        settings.retraining = training
        var epochs = 0
        let outcome = try quantizeModel(model, settings: settings, train: train, test: test) { event in
            if case .epochEnd = event { epochs += 1 }
        }
        #expect(epochs == 2)
        #expect(outcome.report.rows.map(\.parameter) == ["conv1.kernel", "fc1.kernel", "fc2.kernel"])
        #expect(outcome.report.testAccuracyRetrained != nil)
        for weight in model.quantizableWeights {
            let layerBits = weight.layer == "conv1" ? bits + 1 : bits
            let codebook = try #require(weight.parameter.codebook)
            #expect(codebook.centroids.count <= 1 << layerBits)
            #expect(zip(codebook.centroids, codebook.centroids.dropFirst()).allSatisfy { $0 <= $1 }, "ascending after fine-tuning")
            let values = weight.parameter.value.scalars
            #expect(Set(values.filter { $0 != 0 }).count <= 1 << layerBits)
            #expect(outcome.state.quantization[weight.key] == .weightSharing(bits: layerBits))
            let row = try #require(outcome.report.rows.first { $0.parameter == weight.key })
            #expect(row.bits == layerBits)
            #expect(row.distinctValues == distinctValueCount(values))
        }
        for i in 0..<fc1.count { #expect((fc1.value.scalars[i] == 0) == (i % 4 != 0)) }
        #expect(fc1.mask != nil)
        // Biases are left in float32 and trained.
        #expect(model.parameter(named: "fc1.bias")?.codebook == nil)
    }

    @Test("k-means layers that no bits rule names stay float32 and are listed")
    func unmatchedLayersStay() throws {
        let model = try trainedModel()
        let conv = model.parameter(named: "conv1.kernel")!.value
        var settings = QuantizationSettings(method: .kmeans)
        settings.bitWidths = try BitWidths(parsing: "fc*=4")
        let outcome = try quantizeModel(model, settings: settings, train: nil, test: test)
        #expect(outcome.report.unquantizedLayers == ["conv1"])
        #expect(model.parameter(named: "conv1.kernel")!.value == conv)
        #expect(outcome.state.quantization["conv1.kernel"] == nil)
        #expect(outcome.report.testAccuracyRetrained == nil)
    }

    @Test("int8 per channel round-trips through a model file with its codes and scales")
    func int8RoundTrip() throws {
        let model = try trainedModel()
        var settings = QuantizationSettings(method: .int8)
        settings.perChannel = true
        let outcome = try quantizeModel(model, settings: settings, train: nil, test: test)
        guard case .int8(let fc1)? = outcome.state.quantization["fc1.kernel"] else {
            Issue.record("fc1.kernel has no int8 state"); return
        }
        #expect(fc1.axis == 1 && fc1.scales.count == 16)
        guard case .int8(let conv)? = outcome.state.quantization["conv1.kernel"] else {
            Issue.record("conv1.kernel has no int8 state"); return
        }
        #expect(conv.axis == 3 && conv.scales.count == 4)
        #expect(model.parameter(named: "fc1.kernel")!.value == fc1.dequantized())
        #expect(outcome.report.rows.allSatisfy { $0.bits == 8 && $0.distinctValues <= 256 * ($0.scales ?? 1) })
        #expect(abs(outcome.report.testAccuracyQuantized! - outcome.report.testAccuracyBefore!) <= 0.02)

        let path = temporaryFile("int8.h5")
        defer { try? FileManager.default.removeItem(atPath: path) }
        try saveKerasModel(model, name: "small", to: path, compressionState: outcome.state)
        let (loaded, state) = try loadModelWithCompressionState(path: path)
        #expect(state == outcome.state)
        #expect(loaded.parameter(named: "fc1.kernel")!.value == fc1.dequantized())
    }

    @Test("k-means bits and FP16 storage round-trip through a model file")
    func kmeansAndFloat16RoundTrip() throws {
        for method in [QuantizationMethod.kmeans, .fp16] {
            let model = try trainedModel()
            let outcome = try quantizeModel(model, settings: QuantizationSettings(method: method), train: nil, test: test)
            let path = temporaryFile("\(method).h5")
            defer { try? FileManager.default.removeItem(atPath: path) }
            try saveKerasModel(model, name: "small", to: path, compressionState: outcome.state)
            let (loaded, state) = try loadModelWithCompressionState(path: path)
            #expect(state == outcome.state)
            #expect(loaded.weights == model.weights)
            if method == .fp16 {
                #expect(state.quantization.count == model.namedParameters.count)
                #expect(loaded.parameters.allSatisfy { $0.value.scalars.allSatisfy { Float(Float16($0)) == $0 } })
            }
        }
    }

    @Test("FP16 after k-means rounds the centroids and keeps the sharing")
    func float16KeepsCodebook() throws {
        let model = try trainedModel()
        _ = try quantizeModel(model, settings: QuantizationSettings(method: .kmeans), train: nil, test: test)
        let assignments = model.parameter(named: "fc1.kernel")!.codebook!.assignments
        _ = try quantizeModel(model, settings: QuantizationSettings(method: .fp16), train: nil, test: test)
        let codebook = try #require(model.parameter(named: "fc1.kernel")!.codebook)
        #expect(codebook.assignments == assignments)
        #expect(codebook.centroids.allSatisfy { Float(Float16($0)) == $0 })
    }

    @Test("metadata that does not fit the weights is a one-line error naming layer and field")
    func badMetadata() throws {
        let model = try trainedModel()
        _ = try quantizeModel(model, settings: QuantizationSettings(method: .kmeans), train: nil, test: test)
        let fc2 = model.parameter(named: "fc2.kernel")!
        var generator = RandomGenerator(seed: 9)
        let unrelated = Int8QuantizedTensor(quantizing: generator.normal(shape: fc2.shape), symmetric: true, axis: nil)
        let cases: [(CompressionState, String)] = [
            (CompressionState(quantization: ["fc1.kernel": .weightSharing(bits: 2)]), "compression/fc1/kernel/centroids"),
            (CompressionState(quantization: ["fc1.bias": .int8(Int8QuantizedTensor(
                quantizing: model.parameter(named: "fc1.bias")!.value + 1, symmetric: true, axis: nil))]), "compression/fc1/bias/int8_values"),
            (CompressionState(quantization: ["fc2.kernel": .int8(unrelated)]), "compression/fc2/kernel/int8_values"),
        ]
        for (state, field) in cases {
            let path = temporaryFile("bad.h5")
            defer { try? FileManager.default.removeItem(atPath: path) }
            try saveKerasModel(model, name: "small", to: path, compressionState: state)
            do {
                _ = try loadModelWithCompressionState(path: path)
                Issue.record("\(field): no error")
            } catch let error as ModelFileError {
                #expect(error.field == field)
                #expect(error.layer == field.split(separator: "/")[1].description)
                #expect(!error.description.contains("\n"))
            }
            // Every loader validates all of the metadata (issue 19): the plain one refuses it too.
            #expect(throws: ModelFileError.self) { try loadModel(path: path) }
        }
    }

    @Test("fine-tuning is refused for int8 and FP16, and needs training data")
    func retrainingChecks() throws {
        var settings = QuantizationSettings(method: .int8)
        settings.retraining = TrainingSettings()
        #expect(throws: CompressionError.self) { try quantizeModel(smallModel(), settings: settings, train: train, test: test) }
        settings.method = .kmeans
        #expect(throws: CompressionError.self) { try quantizeModel(smallModel(), settings: settings, train: nil, test: test) }
    }
}
