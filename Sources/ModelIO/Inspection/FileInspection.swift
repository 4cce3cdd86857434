import Foundation
import HDF5

/// What `compress inspect` reports about a model file: its objects and, for Keras models, its layers.
public struct FileInspection: Codable, Equatable, Sendable {
    /// The file's path as given.
    public var file: String
    /// The file's size in bytes.
    public var bytes: Int
    /// The file's format: `hdf5`, `keras-h5` or `compressed` (a `.dcz` compressed model).
    public var format: String
    /// Every group and dataset, depth-first, groups before their members (empty for `compressed`).
    public var objects: [HDF5ObjectSummary]
    /// The Keras model's layers, when the file is a legacy Keras model.
    public var keras: KerasModelSummary?
    /// The layers of a compressed model file, with their encodings and sizes.
    public var compressed: CompressedModelSummary?

    /// Reads the file's structure; throws an error naming the file when it cannot be read.
    public init(path: String, limits: HDF5Limits = .default) throws {
        try requireModelFile(path)
        if CompressedModelFormat.hasMagic(path: path) {
            let summary = try loadCompressedModelSummary(path: path)
            file = path
            bytes = summary.fileBytes
            format = "compressed"
            objects = []
            keras = nil
            compressed = summary
            return
        }
        compressed = nil
        let hdf5 = try HDF5File.open(path, limits: limits)
        defer { hdf5.close() }
        file = path
        bytes = try hdf5.byteSize()
        var objects: [HDF5ObjectSummary] = []
        try hdf5.root.walk { object in
            objects.append(HDF5ObjectSummary(object))
        }
        self.objects = objects
        if KerasModelFile.isKerasModel(hdf5) {
            keras = try KerasModelSummary(KerasModelFile(file: hdf5))
            format = "keras-h5"
        } else {
            keras = nil
            format = "hdf5"
        }
    }
}

/// One HDF5 object in an inspection: a group, or a dataset with its shape, type and size.
public struct HDF5ObjectSummary: Codable, Equatable, Sendable {
    public var path: String
    public var kind: String
    public var shape: [Int]?
    public var dtype: String?
    public var elements: Int?
    /// Bytes the dataset occupies in the file.
    public var bytes: Int?

    init(_ object: HDF5Object) {
        path = object.path
        kind = object.kind.rawValue
        if let dataset = object as? HDF5Dataset {
            shape = dataset.shape
            dtype = dataset.elementType.description
            elements = dataset.elementCount
            bytes = dataset.storageBytes
        }
    }
}

/// A Keras model's layers with their sizes.
public struct KerasModelSummary: Codable, Equatable, Sendable {
    public var name: String
    public var kerasVersion: String?
    public var backend: String?
    public var inputShape: [Int]?
    public var layers: [KerasLayerSummary]
    /// The sum of every layer's parameter count.
    public var totalParameters: Int

    init(_ model: KerasModelFile) {
        name = model.config.name
        kerasVersion = model.kerasVersion
        backend = model.backend
        inputShape = model.config.inputShape
        layers = model.config.layers.map { KerasLayerSummary($0, weights: model.weights[$0.name] ?? []) }
        totalParameters = layers.reduce(0) { $0 + $1.parameters }
    }
}

/// One layer of a Keras model: type, width, kernel shape and parameter count.
public struct KerasLayerSummary: Codable, Equatable, Sendable {
    public var name: String
    public var type: String
    public var units: Int?
    public var filters: Int?
    public var kernelShape: [Int]?
    /// Elements in all of the layer's weights (trainable and not, as Keras counts them).
    public var parameters: Int

    init(_ layer: KerasLayerConfig, weights: [KerasWeightEntry]) {
        name = layer.name
        type = layer.className
        units = layer.config["units"]?.intValue
        filters = layer.config["filters"]?.intValue
        kernelShape = weights.first { $0.name == "kernel" || $0.name == "depthwise_kernel" }?.shape
        parameters = weights.reduce(0) { $0 + $1.count }
    }
}
