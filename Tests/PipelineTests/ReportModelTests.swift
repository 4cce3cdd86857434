import Compression
import Foundation
import ModelIO
import NN
import Pipeline
import TensorCore
import Testing

/// fc1 (16 -> 8): half its kernel cut, the rest on a 4-value codebook; fc2 (8 -> 3): plain float32.
private func compressedModel() -> (Model, CompressionState) {
    var generator = RandomGenerator(seed: 2)
    let model = Model(inputShape: [4, 4, 1], layers: [
        ("flatten", Flatten()),
        ("fc1", Dense(inputCount: 16, units: 8, activation: .relu, generator: &generator)),
        ("fc2", Dense(inputCount: 8, units: 3, generator: &generator)),
    ])
    let kernel = model.parameter(named: "fc1.kernel")!
    kernel.mask = Tensor(shape: kernel.shape, scalars: (0..<kernel.count).map { $0 % 2 == 0 ? 1 : 0 })
    kernel.applyMask()
    kernel.codebook = Codebook(assignments: (0..<kernel.count).map { $0 % 2 == 0 ? Int32($0 / 2 % 4) : -1 },
                               centroids: [-0.3, -0.1, 0.1, 0.3])
    return (model, CompressionState(quantization: ["fc1.kernel": .weightSharing(bits: 2)]))
}

@Suite("Model reports")
final class ReportModelTests {
    let folder: URL

    init() throws {
        folder = try makeScratchFolder()
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    @Test("an .h5 report has per-layer non-zeros, bits, codebook, index bits and bytes as the compressed file would have")
    func keras() throws {
        let (model, state) = compressedModel()
        let path = folder.appendingPathComponent("m.h5").path
        try saveKerasModel(model, name: "m", to: path, compressionState: state)
        let (report, loaded) = try makeModelReport(path: path)
        #expect(loaded.parameterCount == 163)
        #expect(report.format == "keras-h5")
        #expect(report.layers.map(\.name) == ["fc1", "fc2"])
        let fc1 = report.layers[0], fc2 = report.layers[1]
        #expect(fc1.type == "Dense" && fc1.shape == [16, 8] && fc1.parameters == 136)
        #expect(fc1.nonZeros == 64)   // 64 kept kernel weights (no centroid is zero), zero biases
        #expect(fc1.bitsPerWeight == 2 && fc1.codebookSize == 4 && fc1.indexBits != nil)
        #expect(fc2.bitsPerWeight == 32 && fc2.codebookSize == nil && fc2.indexBits == nil)
        let dcz = folder.appendingPathComponent("m.dcz").path
        let summary = try saveCompressedModel(model, name: "m", state: state, to: dcz)
        #expect(report.compressedBytes == summary.fileBytes)
        #expect(fc1.bytes == summary.layers[0].bytes)
        #expect(report.fileBytes == (try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int))
    }

    @Test("a .dcz report reads the file's own records and gives the same layers as its .h5")
    func compressed() throws {
        let (model, state) = compressedModel()
        let h5 = folder.appendingPathComponent("m.h5").path, dcz = folder.appendingPathComponent("m.dcz").path
        try saveKerasModel(model, name: "m", to: h5, compressionState: state)
        try saveCompressedModel(model, name: "m", state: state, to: dcz)
        let fromH5 = try makeModelReport(path: h5).report, fromDCZ = try makeModelReport(path: dcz).report
        #expect(fromDCZ.format == "dcz")
        #expect(fromDCZ.layers == fromH5.layers)
        #expect(fromDCZ.fileBytes == fromH5.compressedBytes)
    }

    @Test("with data and a baseline, both accuracies; text, markdown and JSON carry the same figures")
    func accuracyAndRendering() throws {
        let (model, state) = compressedModel()
        let path = folder.appendingPathComponent("m.h5").path
        try saveKerasModel(model, name: "m", to: path, compressionState: state)
        let baseline = folder.appendingPathComponent("base.h5").path
        var generator = RandomGenerator(seed: 2)
        let reference = Model(inputShape: [4, 4, 1], layers: [
            ("flatten", Flatten()), ("fc1", Dense(inputCount: 16, units: 3, generator: &generator)),
        ])
        try saveKerasModel(reference, name: "base", to: baseline)
        var images = RandomGenerator(seed: 9)
        let data = Dataset(images: images.uniform(shape: [20, 4, 4, 1]), labels: (0..<20).map { Int32($0 % 3) }, classCount: 3)
        let (report, _) = try makeModelReport(path: path, baseline: baseline, test: data, data: "synthetic")
        let accuracy = try #require(report.accuracy)
        #expect(accuracy.images == 20 && accuracy.top5 == 1)
        #expect(accuracy.top1 == evaluateModel(model, on: data).top1Accuracy)
        #expect(report.baseline?.parameters == 51)
        #expect(report.baseline?.accuracy?.top1 == evaluateModel(reference, on: data).top1Accuracy)

        let text = report.text.split(separator: "\n")
        #expect(text[1].split(separator: " ").prefix(3) == ["layer", "type", "shape"])
        #expect(text[2].split(separator: " ").prefix(8) == ["fc1", "Dense", "16x8", "136", "64", "47.06%", "2", "5"])
        #expect(report.text.contains("baseline \(baseline): "))
        #expect(report.markdown.contains("| fc1 | Dense | 16x8 | 136 | 64 | 47.06% | 2 | 5 | 4 |"))
        let decoded = try JSONDecoder().decode(ModelReport.self, from: JSONEncoder().encode(report))
        #expect(decoded == report)
    }

    @Test("one weight histogram per kernel, centroids marked")
    func histograms() throws {
        let (model, _) = compressedModel()
        let histograms = WeightHistogram.kernels(of: model)
        #expect(histograms.map(\.fileName) == ["fc1-weights.svg", "fc2-weights.svg"])
        #expect(histograms[0].sharedValues == [-0.3, -0.1, 0.1, 0.3])
        #expect(histograms[0].weights.count == 64)
        #expect(histograms[1].sharedValues.isEmpty)
    }
}
