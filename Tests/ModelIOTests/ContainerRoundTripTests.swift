import Compression
import Foundation
@testable import ModelIO
import NN
import TensorCore
import Testing

@Suite("Compressed model round trip")
struct ContainerRoundTripTests {
    @Test("every kind of layer decodes to the same weights, bit for bit",
          arguments: ContainerSamples.Kind.allCases, [(1, 1), (3, 7), (100, 10), (300, 100)])
    func roundTrip(kind: ContainerSamples.Kind, size: (Int, Int)) throws {
        let (model, state) = ContainerSamples.denseModel(inputs: size.0, units: size.1, kind: kind, seed: UInt64(size.0 * 31 + size.1))
        let (bytes, summary) = try encodeCompressedModel(model, name: "sample", state: state)
        #expect(summary.fileBytes == bytes.count)
        let decoded = try decodeCompressedModel(bytes, file: "sample.dcz")
        #expect(decoded.name.isEmpty)
        #expect(decoded.summary == summary)
        ContainerSamples.expectSameContent(decoded, model, state)
    }

    @Test("a million weights round-trip: sparse k-means and plain float", arguments: [ContainerSamples.Kind.sparseKMeans, .dense])
    func millionWeights(kind: ContainerSamples.Kind) throws {
        let (model, state) = ContainerSamples.denseModel(inputs: 1000, units: 1000, kind: kind, seed: 7)
        let (bytes, _) = try encodeCompressedModel(model, name: "big", state: state)
        ContainerSamples.expectSameContent(try decodeCompressedModel(bytes, file: "big.dcz"), model, state)
    }

    @Test("a model with every layer type rebuilds the same architecture and predictions")
    func everyLayerType() throws {
        let architecture = Architecture(name: "zoo", inputShape: [12, 12, 3], layers: [
            LayerSpec("pad", ZeroPadding2D.self, ["padding": [1, 0, 2, 1]]),
            LayerSpec("conv", Conv2D.self, ["filters": 4, "kernel_size": [3, 2], "strides": [1, 2], "padding": "same", "activation": "relu6"]),
            LayerSpec("norm", BatchNormalization.self, ["epsilon": 0.002, "momentum": 0.9, "center": true, "scale": false]),
            LayerSpec("depthwise", DepthwiseConv2D.self, ["kernel_size": 3, "depth_multiplier": 2, "activation": "tanh", "use_bias": false]),
            LayerSpec("max", MaxPool2D.self, ["pool_size": 2, "strides": 1, "padding": "valid"]),
            LayerSpec("avg", AveragePool2D.self, ["pool_size": 2, "padding": "same"]),
            LayerSpec("act", ActivationLayer.self, ["activation": "sigmoid"]),
            LayerSpec("reshape", Reshape.self, ["target_shape": [-1, 8]]),
            LayerSpec("drop", Dropout.self, ["rate": 0.25]),
            LayerSpec("flat", Flatten.self),
            LayerSpec("out", Dense.self, ["units": 5, "activation": "softmax"]),
        ])
        let model = try architecture.build(seed: 3)
        let (bytes, summary) = try encodeCompressedModel(model, name: "zoo")
        #expect(summary.layerCount == 11)
        #expect(summary.layers.map(\.name) == ["conv", "norm", "depthwise", "out"])
        let decoded = try decodeCompressedModel(bytes, file: "zoo.dcz")
        #expect(try Architecture(model: decoded.model, name: "zoo") == Architecture(model: model, name: "zoo"))
        ContainerSamples.expectSameContent(decoded, model, CompressionState())
        var generator = RandomGenerator(seed: 5)
        let input = generator.uniform(shape: [2, 12, 12, 3])
        #expect(decoded.model.predict(input).scalars == model.predict(input).scalars)
    }

    @Test("the model name is stored only when asked for; it costs its length")
    func modelName() throws {
        let (model, state) = ContainerSamples.denseModel(inputs: 3, units: 7, kind: .dense, seed: 2)
        let unnamed = try encodeCompressedModel(model, name: "sample", state: state).bytes
        let named = try encodeCompressedModel(model, name: "sample", state: state, settings: CompressedModelSettings(keepModelName: true)).bytes
        #expect(try decodeCompressedModel(unnamed, file: "m.dcz").name == "")
        #expect(try decodeCompressedModel(named, file: "m.dcz").name == "sample")
        #expect(named.count == unnamed.count + "sample".utf8.count)
    }

    @Test("layer names that count on from the previous of their type (fc1, fc2, fc3) cost one byte each and come back")
    func countedOnLayerNames() throws {
        func architecture(_ names: [String]) -> Architecture {
            Architecture(name: "", inputShape: [6], layers: names.map { LayerSpec($0, Dense.self, ["units": 4]) })
        }
        let counted = architecture(["fc1", "fc2", "fc3", "conv2d_9", "conv2d_10", "dense", "dense_1"])
        let model = try counted.build(seed: 1)
        let decoded = try decodeCompressedModel(try encodeCompressedModel(model, name: "").bytes, file: "m.dcz")
        #expect(decoded.model.entries.map(\.name) == counted.layers.map(\.name))
        let mixed = Architecture(name: "", inputShape: [6], layers: [
            LayerSpec("d1", Dropout.self, ["rate": 0.1]), LayerSpec("fc1", Dense.self, ["units": 4]), LayerSpec("d2", Dropout.self, ["rate": 0.1]),
            LayerSpec("fc2", Dense.self, ["units": 3]), LayerSpec("fc3", Dropout.self, ["rate": 0.1]),
        ])
        let mixedModel = try mixed.build(seed: 1)
        let mixedBack = try decodeCompressedModel(try encodeCompressedModel(mixedModel, name: "").bytes, file: "m.dcz")
        #expect(mixedBack.model.entries.map(\.name) == mixed.layers.map(\.name))
        var countedBytes = ByteWriter(), storedBytes = ByteWriter()
        ArchitectureCoding.write(architecture(["fc1", "fc2", "fc3"]), to: &countedBytes)
        ArchitectureCoding.write(architecture(["fc1", "fcb", "fcc"]), to: &storedBytes)
        #expect(storedBytes.count - countedBytes.count == 2 * "fcb".utf8.count)
        #expect(LayerNameCode.countedOn("fc09") == "fc10")
        #expect(LayerNameCode.countedOn("flatten") == nil)
        #expect(LayerNameCode.countedOn("x1234567890") == nil)
    }

    @Test("sparse layers use the index width asked for: 5 for Dense, 8 for Conv2D by default, 2 to 8 when set, the best when automatic")
    func indexBits() throws {
        let model = try Architecture(name: "net", inputShape: [8, 8, 1], layers: [
            LayerSpec("conv", Conv2D.self, ["filters": 8, "kernel_size": 3]), LayerSpec("flat", Flatten.self), LayerSpec("fc", Dense.self, ["units": 10]),
        ]).build(seed: 1)
        var state = CompressionState()
        var generator = RandomGenerator(seed: 2)
        for key in ["conv.kernel", "fc.kernel"] {
            ContainerSamples.apply(.sparse, to: model.parameter(named: key)!, key: key, state: &state, generator: &generator)
        }
        let defaults = try encodeCompressedModel(model, name: "net").summary
        #expect(defaults.layers.map { $0.parameters[0].indexBits } == [8, 5])
        for bits in 2...8 {
            let settings = CompressedModelSettings(denseIndexBits: bits, convIndexBits: 10 - bits)
            let (bytes, summary) = try encodeCompressedModel(model, name: "net", settings: settings)
            #expect(summary.layers.map { $0.parameters[0].indexBits } == [10 - bits, bits])
            ContainerSamples.expectSameContent(try decodeCompressedModel(bytes, file: "net.dcz"), model, state)
        }
        #expect(throws: ModelFileError.self) { try encodeCompressedModel(model, name: "net", settings: CompressedModelSettings(denseIndexBits: 9)) }
        let automatic = try encodeCompressedModel(model, name: "net", settings: CompressedModelSettings(automaticIndexBits: true))
        #expect(automatic.summary.fileBytes <= defaults.fileBytes)
        ContainerSamples.expectSameContent(try decodeCompressedModel(automatic.bytes, file: "net.dcz"), model, state)
    }

    @Test("a pruned weight stored as -0.0 comes back as +0.0; a kept -0.0 stays -0.0")
    func negativeZero() throws {
        let model = Model(inputShape: [2], layers: [("fc", Dense(kernel: Tensor(shape: [2, 2], scalars: [-0.5, -0.0, 0.25, 1]), bias: nil))])
        let kernel = model.parameter(named: "fc.kernel")!
        kernel.mask = Tensor(shape: [2, 2], scalars: [0, 1, 1, 1])
        kernel.applyMask()
        #expect(kernel.value.scalars[0].sign == .minus)
        let decoded = try decodeCompressedModel(try encodeCompressedModel(model, name: "z").bytes, file: "z.dcz")
        let values = decoded.model.parameter(named: "fc.kernel")!.value.scalars
        #expect(values.map(\.bitPattern) == [0, (-0.0 as Float).bitPattern, (0.25 as Float).bitPattern, (1 as Float).bitPattern])
    }

    @Test("weights that do not match their codebook are refused, naming the layer and element")
    func codebookMismatch() throws {
        let (model, state) = ContainerSamples.denseModel(inputs: 4, units: 3, kind: .kmeans, seed: 1)
        let kernel = model.parameter(named: "fc.kernel")!
        var values = kernel.value.scalars
        values[5] += 1
        kernel.value = Tensor(shape: kernel.shape, scalars: values)
        #expect {
            try encodeCompressedModel(model, name: "m", state: state, sourceFile: "m.h5")
        } throws: { error in
            let description = String(describing: error)
            return description.contains("m.h5") && description.contains("layer 'fc'") && description.contains("element 5")
        }
    }

    @Test("an ascending codebook used unevenly is listed by use, and the summary says so on both sides")
    func centroidsListedByUse() throws {
        for ascending in [true, false] {
            let model = try Architecture(name: "", inputShape: [40], layers: [LayerSpec("fc", Dense.self, ["units": 10, "use_bias": false])]).build(seed: 1)
            let kernel = model.parameter(named: "fc.kernel")!
            let centroids: [Float] = (0..<16).map { Float($0) / 64 - 0.125 }
            let uses = [1, 40, 3, 100, 7, 60, 2, 30, 5, 80, 4, 20, 6, 12, 9, 21]   // 400 in all
            let assignments: [Int32] = uses.enumerated().flatMap { [Int32](repeating: Int32($0.offset), count: $0.element) }
            let codebook = Codebook(assignments: assignments, centroids: ascending ? centroids : centroids.reversed())
            kernel.codebook = codebook
            kernel.value = codebook.decoded(shape: kernel.shape)
            let (bytes, summary) = try encodeCompressedModel(model, name: "")
            #expect(summary.layers[0].parameters[0].centroidsByUse == ascending)
            #expect(try decodeCompressedModel(bytes, file: "u.dcz").summary == summary)
        }
    }

    @Test("the same model gives the same bytes")
    func deterministic() throws {
        let (model, state) = ContainerSamples.denseModel(inputs: 50, units: 20, kind: .sparseKMeans, seed: 4)
        #expect(try encodeCompressedModel(model, name: "m", state: state).bytes == encodeCompressedModel(model, name: "m", state: state).bytes)
    }

    @Test("loadModel reads a compressed file, told apart from HDF5 by its magic")
    func loadModelDispatch() throws {
        let (model, state) = ContainerSamples.denseModel(inputs: 6, units: 4, kind: .sparse, seed: 2)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("container-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.dcz").path
        try saveCompressedModel(model, name: "m", state: state, to: path)
        let loaded = try loadModel(path: path)
        #expect(loaded.parameter(named: "fc.kernel")!.mask == model.parameter(named: "fc.kernel")!.mask)
        let inspection = try FileInspection(path: path)
        #expect(inspection.format == "compressed")
        #expect(inspection.compressed?.layers.first?.parameters.first?.sparse == true)
    }
}
