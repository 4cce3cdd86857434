import Foundation
import ModelIO
import NN
import Testing
import TensorCore

/// Layers the engine runs but a version-2 `.dcz` or the Keras writer cannot describe are refused
/// with an error naming the layer, never stored as something else or crashed on.
@Suite("layers the file formats cannot hold")
struct UnstorableLayerTests {
    private func model(_ layer: any ModelLayer, inputShape: [Int]) -> Model {
        Model(inputShape: inputShape, layers: [("odd", layer)])
    }

    @Test("activations without a .dcz code, grouped or dilated convolutions and keepdims pools are refused by the container")
    func containerRefuses() throws {
        var generator = RandomGenerator(seed: 1)
        let cases: [(any ModelLayer, [Int], String)] = [
            (Dense(inputCount: 3, units: 2, activation: .silu, generator: &generator), [3], "activation silu"),
            (Conv2D(inputChannels: 4, filters: 4, kernelSize: Size2D(3), groups: 2, generator: &generator), [6, 6, 4], "grouped or dilated"),
            (Conv2D(inputChannels: 2, filters: 2, kernelSize: Size2D(3), dilationRate: Size2D(2), generator: &generator), [8, 8, 2], "grouped or dilated"),
            (GlobalAveragePool2D(keepDims: true), [4, 4, 2], "keeping its dimensions"),
        ]
        for (layer, shape, expected) in cases {
            let error = #expect(throws: ModelFileError.self) {
                _ = try encodeCompressedModel(model(layer, inputShape: shape), name: "m")
            }
            #expect(String(describing: error).contains("'odd'") && String(describing: error).contains(expected), "\(String(describing: error))")
        }
    }

    @Test("the Keras writer keeps dilation and groups, and refuses gelu's tanh form, which Keras cannot name")
    func kerasWriter() throws {
        var generator = RandomGenerator(seed: 1)
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("unstorable-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let grouped = model(Conv2D(inputChannels: 4, filters: 4, kernelSize: Size2D(3), dilationRate: Size2D(2), groups: 2,
                                   generator: &generator), inputShape: [9, 9, 4])
        let path = folder.appendingPathComponent("grouped.h5").path
        // Saved with its dilation and groups, it loads back as the same layer.
        try saveKerasModel(grouped, to: path)
        let loaded = try loadKerasModel(path: path)
        let conv = try #require(loaded.layers.first as? Conv2D)
        #expect(conv.config == (grouped.layers.first as! Conv2D).config)
        #expect(conv.dilationRate == Size2D(2) && conv.groups == 2)
        let approximate = model(Dense(inputCount: 3, units: 2, activation: .geluApproximate, generator: &generator), inputShape: [3])
        #expect(throws: ModelFileError.self) { try saveKerasModel(approximate, to: folder.appendingPathComponent("gelu.h5").path) }
    }
}
