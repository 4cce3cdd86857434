import Compression
import HDF5
import NN
import TensorCore

extension KerasModelFile {
    /// Builds the engine's model from the file: the architecture from `model_config`, every
    /// parameter from `model_weights`, and any masks or codebooks from the compression group.
    ///
    /// Each parameter of the built model must be found in the file under its Keras name (`kernel`,
    /// `bias`, `depthwise_kernel`, `gamma`, `beta`, `moving_mean`, `moving_variance`) with the
    /// same shape; a weight the model has no place for is an error too.
    ///
    /// Nothing is allocated before the architecture is valid (``Architecture/validated()``), fits
    /// ``DenseSizeLimit``, and every weight dataset holds data for its elements (see
    /// ``KerasWeightEntry/maxExpansion``).
    public func loadModel() throws -> Model {
        try loadModelWithState().model
    }

    /// The model as ``loadModel()`` builds it, and the quantization recorded beside its weights
    /// (k-means bits, int8 codes, FP16 storage).
    func loadModelWithState() throws -> (model: Model, state: CompressionState) {
        let architecture = try Architecture(keras: config, file: path)
        let model: Model
        do {
            try DenseSizeLimit.check(parameterCount: architecture.validated().parameterCount, file: path)
            for layer in config.layers {
                for entry in weights[layer.name] ?? [] { try entry.checkStorage(file: path, layer: layer.name) }
            }
            model = try architecture.build(seed: 0)
        } catch let error as ArchitectureError {
            throw ModelFileError(file: path, layer: error.layer, field: "model_config", error.message)
        }
        for entry in model.entries {
            let stored = weights[entry.name] ?? []
            let parameters = entry.layer.parameters
            for parameter in parameters {
                guard let weight = stored.first(where: { $0.name == parameter.name }) else {
                    throw ModelFileError(file: path, layer: entry.name, field: parameter.name, "weight is missing")
                }
                guard weight.shape == parameter.shape else {
                    throw ModelFileError(file: path, layer: entry.name, field: parameter.name,
                                         "has shape \(weight.shape), the architecture needs \(parameter.shape)")
                }
                let values = try readWeight(weight)
                if let bad = values.firstIndex(where: { !$0.isFinite }) {
                    throw ModelFileError(file: path, layer: entry.name, field: parameter.name,
                                         "element \(bad) is \(values[bad]); weights must be finite")
                }
                parameter.value = Tensor(shape: weight.shape, scalars: values)
            }
            if let extra = stored.first(where: { weight in !parameters.contains { $0.name == weight.name } }) {
                throw ModelFileError(file: path, layer: entry.name, field: extra.name, "weight has no place in a \(entry.layer) layer")
            }
        }
        let state = try CompressionMetadata.read(from: hdf5, into: model)
        return (model, state)
    }
}

/// Loads a legacy Keras `.h5` model into the engine.
public func loadKerasModel(path: String, limits: HDF5Limits = .default) throws -> Model {
    try KerasModelFile(path: path, limits: limits).loadModel()
}
