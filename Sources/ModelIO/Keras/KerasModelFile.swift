import HDF5

/// One weight of a Keras layer as stored in a legacy `.h5` file.
public struct KerasWeightEntry: Equatable, Sendable {
    /// The short name Keras gives the weight: `kernel`, `bias`, `gamma`, `moving_mean`, ...
    public var name: String
    /// The dataset's path inside the file.
    public var datasetPath: String
    /// The dataset's shape.
    public var shape: [Int]
    /// The bytes the dataset occupies in the file (after compression); 0 when never written.
    public var storageBytes: Int
    /// The number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// The most float32 bytes a weight may expand to per byte it occupies in the file: zlib's
    /// largest compression ratio is about 1032:1, so a dataset that claims more holds no data for
    /// most of its elements (chunks never written), and reading it would only allocate zeros.
    public static let maxExpansion = 1032

    /// Throws unless the dataset holds data for its elements (see ``maxExpansion``).
    func checkStorage(file: String, layer: String) throws {
        let (bytes, overflow) = count.multipliedReportingOverflow(by: MemoryLayout<Float>.size)
        let (allowed, allowedOverflow) = storageBytes.multipliedReportingOverflow(by: Self.maxExpansion)
        guard overflow || allowedOverflow || bytes > allowed else { return }
        throw ModelFileError(file: file, layer: layer, field: name,
                             "\(shape) needs \(bytes) bytes but the file stores \(storageBytes) for it (chunks never written?)")
    }
}

/// A Keras model saved in the legacy HDF5 layout that `model.save("x.h5")` writes.
///
/// The file holds the architecture as JSON in the root attribute `model_config` and the weights under
/// `model_weights/<layer>/<weight name>`, where each layer group's `weight_names` attribute lists
/// its weights in order. Keras 2 names end in `:0` (`dense/kernel:0`); Keras 3 names are variable
/// paths (`lenet300/fc1/kernel`). Both are read.
///
/// ```swift
/// let model = try KerasModelFile(path: "lenet300.h5")
/// let kernel = try model.readWeight(model.weights["fc1"]![0])
/// ```
public final class KerasModelFile {
    /// The file's path.
    public let path: String
    /// The architecture.
    public let config: KerasModelConfig
    /// Each layer's weights in `weight_names` order, by layer name; layers without weights are absent.
    public let weights: [String: [KerasWeightEntry]]
    /// The `keras_version` attribute, when present.
    public let kerasVersion: String?
    /// The `backend` attribute, when present.
    public let backend: String?
    let hdf5: HDF5File

    /// True when an open HDF5 file has the legacy Keras model layout.
    public static func isKerasModel(_ file: HDF5File) -> Bool {
        ((try? file.root.hasAttribute("model_config")) ?? false) && file.root.contains("model_weights")
    }

    /// Opens a legacy Keras `.h5` model and reads its architecture and weight index.
    public convenience init(path: String, limits: HDF5Limits = .default) throws {
        try self.init(file: HDF5File.open(path, limits: limits))
    }

    /// Reads the architecture and weight index from an open HDF5 file.
    public init(file: HDF5File) throws {
        hdf5 = file
        path = file.path
        guard Self.isKerasModel(file) else {
            throw ModelFileError(file: path, "is not a Keras model file (no model_config attribute and model_weights group)")
        }
        let configText = try file.root.attribute("model_config").readString()
        config = try KerasModelConfig(json: configText, file: path)
        kerasVersion = try? file.root.attribute("keras_version").readString()
        backend = try? file.root.attribute("backend").readString()

        let weightsGroup = try file.root.group("model_weights")
        var weights: [String: [KerasWeightEntry]] = [:]
        for layer in config.layers where weightsGroup.contains(layer.name) {
            let layerGroup = try weightsGroup.group(layer.name)
            let names = try Self.splitAttribute("weight_names", of: layerGroup)
            var entries: [KerasWeightEntry] = []
            for weightName in names {
                guard layerGroup.contains(weightName) else {
                    throw ModelFileError(file: path, layer: layer.name, field: "weight_names",
                                         "lists '\(weightName)', which is not in the file")
                }
                let dataset = try layerGroup.dataset(weightName)
                entries.append(KerasWeightEntry(name: Self.shortName(weightName), datasetPath: dataset.path, shape: dataset.shape,
                                                storageBytes: dataset.storageBytes))
            }
            if !entries.isEmpty { weights[layer.name] = entries }
        }
        self.weights = weights
    }

    /// Reads a weight's values as `Float`.
    public func readWeight(_ entry: KerasWeightEntry) throws -> [Float] {
        try hdf5.root.dataset(entry.datasetPath).read(as: Float.self)
    }

    /// The weight named `name` (`kernel`, `bias`, ...) of `layer`, or nil.
    public func weight(_ name: String, of layer: String) -> KerasWeightEntry? {
        weights[layer]?.first { $0.name == name }
    }

    /// The last path component of a weight name, without Keras 2's `:0` suffix.
    static func shortName(_ weightName: String) -> String {
        let last = weightName.split(separator: "/").last.map(String.init) ?? weightName
        if let colon = last.lastIndex(of: ":") { return String(last[..<colon]) }
        return last
    }

    /// A string-list attribute that Keras may have split into `name0`, `name1`, ... when it was too large.
    static func splitAttribute(_ name: String, of object: HDF5Object) throws -> [String] {
        if try object.hasAttribute(name) { return try object.attribute(name).readStrings() }
        var values: [String] = []
        var index = 0
        while try object.hasAttribute("\(name)\(index)") {
            values += try object.attribute("\(name)\(index)").readStrings()
            index += 1
        }
        return values
    }
}
