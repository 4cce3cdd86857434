@testable import ModelIO
import Foundation
import HDF5
import NN
import Testing

/// Hostile Keras configurations and weight datasets are refused with one `ModelFileError` naming
/// the file, the layer and the field, before anything is allocated from their claims.
@Suite("Keras configuration validation")
struct KerasConfigValidationTests {
    /// A copy of the tiny MLP fixture (input 8, Dense `dense` 4, Dense `dense_1` 3) whose
    /// `model_config` text has `replacement.of` replaced by `replacement.with`.
    static func tinyMLP(replacing original: String, with replacement: String, in directory: URL) throws -> String {
        let path = directory.appendingPathComponent("model.h5").path
        try FileManager.default.copyItem(atPath: KerasFixtures.path("tiny-mlp.h5"), toPath: path)
        let file = try HDF5File.open(path, mode: .readWrite)
        defer { file.close() }
        let config = try file.root.attribute("model_config").readString()
        try #require(config.contains(original))
        try file.root.setAttribute("model_config", string: config.replacingOccurrences(of: original, with: replacement))
        return path
    }

    func expectRefusal(_ original: String, _ replacement: String, layer: String?, fragment: String,
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = try Self.tinyMLP(replacing: original, with: replacement, in: directory)
        #expect(sourceLocation: sourceLocation) {
            try loadKerasModel(path: path)
        } throws: { error in
            guard let error = error as? ModelFileError else { return false }
            return error.file == path && error.layer == layer && error.description.contains(fragment) && !error.description.contains("\n")
        }
    }

    @Test("units of 1e12 are refused before allocating")
    func hugeUnits() throws {
        try expectRefusal("\"units\": 4,", "\"units\": 1e12,", layer: "dense", fragment: "units 1000000000000 is outside")
    }

    @Test("negative, zero and huge input extents are refused", arguments: ["-8", "0", "1000000000"])
    func badBatchShape(extent: String) throws {
        try expectRefusal("\"batch_shape\": [null, 8]", "\"batch_shape\": [null, \(extent)]", layer: nil, fragment: "input shape")
    }

    @Test("layer names with '/' or control characters are refused when the file is read", arguments: [
        ("a/b", "a/b"), ("de\\u001b[31mnse", "de\u{1B}[31mnse"), ("x\\u0007", "x\u{07}"), ("two\\nlines", "two\nlines"), ("", ""),
    ])
    func badLayerNames(json: String, name: String) throws {
        try expectRefusal("\"name\": \"dense\",", "\"name\": \"\(json)\",", layer: name, fragment: "layer name")
    }

    @Test("file text quoted in a message is escaped: the error stays one line (found by KerasConfigFuzz)")
    func quotedTextIsEscaped() throws {
        try expectRefusal("{\"class_name\": \"Dense\", \"config\": {\"name\": \"dense\",",
                          "{\"class_name\": \"Den\\nse\\u0007\", \"config\": {\"name\": \"dense\",", layer: "dense",
                          fragment: "layer type not supported: Den\\nse\\u{7} (dense)")
    }

    @Test("a weight dataset that stores far less than its elements (chunks never written) is refused")
    func unwrittenStorage() throws {
        let unwritten = KerasWeightEntry(name: "kernel", datasetPath: "/k", shape: [500, 640_000], storageBytes: 0)
        #expect(throws: ModelFileError.self) { try unwritten.checkStorage(file: "m.h5", layer: "dense") }
        let sparse = KerasWeightEntry(name: "kernel", datasetPath: "/k", shape: [1000, 1000], storageBytes: 4_000_000 / 2000)
        #expect(throws: ModelFileError.self) { try sparse.checkStorage(file: "m.h5", layer: "dense") }
        let compressed = KerasWeightEntry(name: "kernel", datasetPath: "/k", shape: [1000, 1000], storageBytes: 4_000_000 / 1000)
        try compressed.checkStorage(file: "m.h5", layer: "dense")
    }

    @Test("a model whose layer names overflow one attribute saves and loads (split as Keras splits them)")
    func longLayerLists() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // 800 names of 100 bytes: 80 KB of layer_names, more than an object header holds.
        let layers = [LayerSpec("fc", Dense.self, ["units": 2])] + (0..<800).map { LayerSpec(String(format: "act%097d", $0), ActivationLayer.self, ["activation": "relu"]) }
        let model = try Architecture(name: "deep", inputShape: [3], layers: layers).build(seed: 1)
        let path = directory.appendingPathComponent("deep.h5").path
        try saveKerasModel(model, to: path)
        let file = try HDF5File.open(path)
        defer { file.close() }
        let weightsGroup = try file.root.group("model_weights")
        #expect(try !weightsGroup.hasAttribute("layer_names"))
        #expect(try KerasModelFile.splitAttribute("layer_names", of: weightsGroup) == model.layerNames)
        #expect(try loadKerasModel(path: path).layerNames == model.layerNames)
    }
}
