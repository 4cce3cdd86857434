import Foundation
import HDF5
import ModelIO
import NN
import TensorCore
import Testing

@Suite("Keras model files")
struct KerasModelFileTests {
    @Test("our predictions on 1000 MNIST test images equal Keras's", arguments: ["lenet300", "lenet5"])
    func predictionsMatchKeras(name: String) throws {
        let expected = try KerasFixtures.expectations(name)
        let model = try loadKerasModel(path: KerasFixtures.path("\(name).h5"))
        #expect(model.parameterCount == expected["params"] as? Int)
        let sample = try KerasFixtures.mnistSample()
        let ours = model.predict(sample.images)
        let theirs = try KerasFixtures.kerasPredictions("\(name)-predictions.bin")
        #expect(ours.shape == [1000, 10])
        let largestDifference = zip(ours.scalars, theirs).map { abs($0 - $1) }.max() ?? .infinity
        #expect(largestDifference < 1e-5)
        let argmax = rowArgmax(ours)
        #expect(argmax == expected["argmax_first1000"] as? [Int])
        let correct = zip(argmax, sample.labels).filter { $0 == Int($1) }.count
        let kerasAccuracy = try #require(expected["accuracy_test_first1000"] as? Double)
        #expect(abs(Double(correct) / 1000 - kerasAccuracy) < 0.5e-4)
    }

    @Test("the tiny MLP gives Keras's output on a probe input")
    func tinyMLPForward() throws {
        let expected = try KerasFixtures.expectations("tiny-mlp")
        let input = try #require(expected["probe_input"] as? [[Double]])
        let output = try #require(expected["probe_output"] as? [[Double]])
        let model = try loadKerasModel(path: KerasFixtures.path("tiny-mlp.h5"))
        let y = model.predict(Tensor(shape: [2, 8], scalars: input.flatMap { $0.map(Float.init) }))
        for (ours, theirs) in zip(y.scalars, output.flatMap { $0 }) {
            #expect(abs(Double(ours) - theirs) < 1e-6)
        }
    }

    @Test("a Keras 3 .weights.h5 file loads into the same architecture")
    func weightsFile() throws {
        let reference = try loadKerasModel(path: KerasFixtures.path("tiny-mlp.h5"))
        let config = try KerasModelFile(path: KerasFixtures.path("tiny-mlp.h5")).config
        let model = try Architecture(keras: config, file: "tiny-mlp.h5").build(seed: 7)
        try loadKerasWeights(path: KerasFixtures.path("tiny-mlp.weights.h5"), into: model)
        for (key, value) in reference.weights {
            #expect(model.weights[key] == value, "\(key)")
        }
    }

    @Test("save then load gives the same weights, masks and codebooks, and leaves the input alone")
    func saveAndLoad() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let source = KerasFixtures.path("lenet5.h5")
        let before = try Data(contentsOf: URL(fileURLWithPath: source))
        let model = try loadKerasModel(path: source)
        let fc1 = try #require(model.parameter(named: "fc1.kernel"))
        fc1.mask = Tensor(shape: fc1.shape, scalars: (0..<fc1.count).map { $0 % 3 == 0 ? 0 : 1 })
        fc1.applyMask()
        let fc2 = try #require(model.parameter(named: "fc2.kernel"))
        fc2.codebook = Codebook(assignments: (0..<fc2.count).map { Int32($0 % 4) - 1 }, centroids: [-0.5, 0.25, 0.75])

        let output = directory.appendingPathComponent("lenet5-masked.h5").path
        try saveKerasModel(model, name: "lenet5", to: output, protecting: [source])
        let loaded = try loadKerasModel(path: output)
        for (key, value) in model.weights {
            #expect(loaded.weights[key]?.scalars.map(\.bitPattern) == value.scalars.map(\.bitPattern), "\(key)")
        }
        #expect(loaded.parameter(named: "fc1.kernel")?.mask == fc1.mask)
        #expect(loaded.parameter(named: "fc2.kernel")?.codebook == fc2.codebook)
        #expect(loaded.parameter(named: "conv1.kernel")?.mask == nil)
        #expect(try Data(contentsOf: URL(fileURLWithPath: source)) == before)
        let inspected = try FileInspection(path: output)
        #expect(inspected.keras?.totalParameters == 431_080)
        #expect(FileManager.default.fileExists(atPath: output))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["lenet5-masked.h5"])
    }

    @Test("writing over an input is refused")
    func refusesToOverwriteInput() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let copy = directory.appendingPathComponent("model.h5").path
        try FileManager.default.copyItem(atPath: KerasFixtures.path("tiny-mlp.h5"), toPath: copy)
        let model = try loadKerasModel(path: copy)
        #expect(throws: ModelFileError.self) { try saveKerasModel(model, name: "m", to: copy, protecting: [copy]) }
    }

    @Test("an unsupported layer type names the layer and the type")
    func unsupportedLayer() throws {
        let config = #"{"class_name": "Sequential", "config": {"name": "m", "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [null, 4, 3]}}, {"class_name": "LSTM", "config": {"name": "recurrent", "units": 8}}]}}"#
        let parsed = try KerasModelConfig(json: config, file: "m.h5")
        let error = try #require(throws: ModelFileError.self) { try Architecture(keras: parsed, file: "m.h5") }
        #expect(error.description == "m.h5: layer 'recurrent': field 'class_name': layer type not supported: LSTM (recurrent)")
    }

    @Test("a functional model that is a chain loads; one with branches is refused")
    func functionalModels() throws {
        func layer(_ name: String, from input: String) -> String {
            #"{"class_name": "Dense", "config": {"name": "\#(name)", "units": 2}, "inbound_nodes": [{"args": [{"class_name": "__keras_tensor__", "config": {"keras_history": ["\#(input)", 0, 0]}}]}]}"#
        }
        let input = #"{"class_name": "InputLayer", "config": {"batch_shape": [null, 3], "name": "in"}, "inbound_nodes": []}"#
        let chain = #"{"class_name": "Functional", "config": {"name": "f", "layers": [\#(input), \#(layer("a", from: "in")), \#(layer("b", from: "a"))]}}"#
        #expect(try KerasModelConfig(json: chain, file: "f.h5").layers.map(\.name) == ["a", "b"])
        let branch = #"{"class_name": "Functional", "config": {"name": "f", "layers": [\#(input), \#(layer("a", from: "in")), \#(layer("b", from: "in"))]}}"#
        #expect(throws: ModelFileError.self) { try KerasModelConfig(json: branch, file: "f.h5") }
    }

    @Test("non-finite weights are refused with the layer and the weight named")
    func nanWeights() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let model = try loadKerasModel(path: KerasFixtures.path("tiny-mlp.h5"))
        let kernel = try #require(model.parameter(named: "dense_1.kernel"))
        var values = kernel.value
        values.scalars[3] = .nan
        kernel.value = values
        let path = directory.appendingPathComponent("nan.h5").path
        try saveKerasModel(model, name: "nan", to: path)
        let error = try #require(throws: ModelFileError.self) { try loadKerasModel(path: path) }
        #expect(error.layer == "dense_1" && error.field == "kernel")
    }

    @Test("Keras class names become Keras's saveable names")
    func snakeCaseNames() {
        #expect(["MaxPooling2D", "Conv2D", "DepthwiseConv2D", "GlobalAveragePooling2D", "BatchNormalization", "Dense"].map(kerasSaveableName)
                == ["max_pooling2d", "conv2d", "depthwise_conv2d", "global_average_pooling2d", "batch_normalization", "dense"])
    }
}

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("modelio-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
