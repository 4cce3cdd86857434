import Compression
import NN
import TensorCore
import Testing

/// LeNet-5 as built in: conv1, pool1, conv2, pool2, flatten, fc1, fc2.
func pruningTestLeNet5() throws -> Model {
    try Architecture.lenet5.build(seed: 5)
}

@Suite("Pruning: per-layer values and layer choice")
struct PruningSelectionTests {
    @Test("a single number applies to every layer; per-layer globs override, the last match winning")
    func perLayerValues() throws {
        let layers = ["conv1", "conv2", "fc1", "fc2"]
        #expect(try PerLayerValue(parsing: "0.9", setting: "sparsity").values(for: layers)
                == ["conv1": 0.9, "conv2": 0.9, "fc1": 0.9, "fc2": 0.9])
        let mixed = try PerLayerValue(parsing: "0.5, fc*=0.9, fc2=0.8", setting: "sparsity")
        #expect(try mixed.values(for: layers) == ["conv1": 0.5, "conv2": 0.5, "fc1": 0.9, "fc2": 0.8])
    }

    @Test("a value that is not a number, a pattern matching no layer and a layer without a value are errors")
    func perLayerValueErrors() throws {
        #expect(throws: CompressionError.self) { try PerLayerValue(parsing: "fc1=high", setting: "sparsity") }
        #expect(throws: CompressionError.self) { try PerLayerValue(parsing: "0.5,,0.6", setting: "sparsity") }
        let typo = try PerLayerValue(parsing: "fc1=0.9,dense*=0.5", setting: "sparsity")
        #expect(throws: CompressionError("sparsity: 'dense*' matches none of the layers being pruned (fc1, fc2)")) {
            try typo.values(for: ["fc1", "fc2"])
        }
        #expect(throws: CompressionError.self) { try PerLayerValue(parsing: "fc1=0.9", setting: "sparsity").values(for: ["fc1", "fc2"]) }
    }

    @Test("layers are chosen by glob among those with weights; biases only when asked")
    func selection() throws {
        let model = try pruningTestLeNet5()
        let all = try PrunableLayer.select(in: model, layers: nil, includeBiases: false)
        #expect(all.map(\.name) == ["conv1", "conv2", "fc1", "fc2"])
        #expect(all.allSatisfy { $0.parameters.map(\.name) == ["kernel"] })
        #expect(all[0].count == 5 * 5 * 1 * 20)
        // "*" also matches the pooling and flatten layers, which have nothing to prune.
        let withBiases = try PrunableLayer.select(in: model, layers: LayerSelection("fc*,*1"), includeBiases: true)
        #expect(withBiases.map(\.name) == ["conv1", "fc1", "fc2"])
        #expect(withBiases[0].parameters.map(\.name) == ["kernel", "bias"])
        #expect(withBiases[0].count == 5 * 5 * 20 + 20)
    }

    @Test("an unknown layer name, a glob matching nothing and a layer without weights are clear errors")
    func selectionErrors() throws {
        let model = try pruningTestLeNet5()
        #expect(throws: CompressionError("no layer named 'fc3' (layers: conv1, pool1, conv2, pool2, flatten, fc1, fc2)")) {
            try PrunableLayer.select(in: model, layers: LayerSelection("fc1,fc3"), includeBiases: false)
        }
        #expect(throws: CompressionError("layer pattern 'dense*' matches no layer (layers: conv1, pool1, conv2, pool2, flatten, fc1, fc2)")) {
            try PrunableLayer.select(in: model, layers: LayerSelection("dense*"), includeBiases: false)
        }
        #expect(throws: CompressionError("layer pattern 'pool*' matches no layer with weights to prune: pool1 (MaxPool2D), pool2 (MaxPool2D)")) {
            try PrunableLayer.select(in: model, layers: LayerSelection("pool*"), includeBiases: false)
        }
    }

    @Test("a sparsity outside [0, 1) and a non-positive quality are rejected, naming the layer")
    func criterionRanges() throws {
        let layers = try PrunableLayer.select(in: try pruningTestLeNet5(), layers: LayerSelection("fc*"), includeBiases: false)
        for bad in ["1", "1.5", "-0.1", "fc1=0.5,fc2=1"] {
            #expect(throws: CompressionError.self) {
                try MagnitudePruning(layers: layers, criterion: .sparsity(PerLayerValue(parsing: bad, setting: "sparsity")))
            }
        }
        #expect(throws: CompressionError("sparsity for layer fc2 must be in [0, 1) (the fraction of weights cut), got 1.0")) {
            try MagnitudePruning(layers: layers, criterion: .sparsity(PerLayerValue(parsing: "fc1=0.5,fc2=1", setting: "sparsity")))
        }
        #expect(throws: CompressionError.self) { try MagnitudePruning(layers: layers, criterion: .globalSparsity(1)) }
        #expect(throws: CompressionError.self) { try MagnitudePruning(layers: layers, criterion: .quality(PerLayerValue(0, setting: "quality"))) }
        _ = try MagnitudePruning(layers: layers, criterion: .sparsity(PerLayerValue(0, setting: "sparsity")))
    }
}
