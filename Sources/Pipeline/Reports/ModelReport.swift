import Compression
import Foundation
import ModelIO
import NN

/// What a model file holds and costs, layer by layer, for `compress report`: parameters,
/// non-zeros, bits per weight, index bits, codebook size and bytes in the compressed format, with
/// the real file size and, given data, the accuracy (and those of a baseline model).
///
/// For a `.dcz` file the bytes are the file's own records. For a Keras `.h5` they are what
/// `compress huffman` would write for the model as it is (encoded in memory), so the report
/// shows what the model will cost once deployed; the `.h5` file's own size is given too.
public struct ModelReport: Codable, Sendable, Equatable {
    /// One layer with parameters.
    public struct Layer: Codable, Sendable, Equatable {
        public var name: String
        /// The layer's type: `Dense`, `Conv2D`, ...
        public var type: String
        /// The kernel's shape (the first parameter's when there is no kernel).
        public var shape: [Int]
        /// Every parameter of the layer, biases included.
        public var parameters: Int
        /// Parameters whose value in the forward pass is not zero.
        public var nonZeros: Int
        /// `100 × nonZeros / parameters`.
        public var keptPercent: Double
        /// Bits per kernel weight as stored: 32 for float32, 16 for FP16, 8 for int8, the index
        /// width for k-means weight sharing.
        public var bitsPerWeight: Int
        /// Bits per relative-index gap of a sparse kernel in the compressed format; nil when dense.
        public var indexBits: Int?
        /// Shared values of a k-means kernel; nil without a codebook.
        public var codebookSize: Int?
        /// Bytes of the layer in the compressed format; nil when the model could not be encoded.
        public var bytes: Int?
        /// `4 × parameters / bytes`: how many times smaller than dense float32.
        public var compressionRatio: Double?
    }

    /// Accuracy on a test set.
    public struct Accuracy: Codable, Sendable, Equatable {
        public var top1: Double
        public var top5: Double
        public var images: Int
    }

    /// The model a report compares against (`--baseline`).
    public struct Baseline: Codable, Sendable, Equatable {
        public var file: String
        public var fileBytes: Int
        public var parameters: Int
        public var accuracy: Accuracy?
    }

    public var file: String
    /// `keras-h5` or `dcz`.
    public var format: String
    /// The size of the file, in bytes.
    public var fileBytes: Int
    /// The size in the compressed format: the file itself for `.dcz`, the in-memory encoding for
    /// `.h5`; nil when the model could not be encoded (the reason is in ``encodingProblem``).
    public var compressedBytes: Int?
    public var encodingProblem: String?
    public var layers: [Layer]
    /// Over all layers.
    public var parameters: Int
    public var nonZeros: Int
    public var accuracy: Accuracy?
    /// The data set the accuracy was measured on.
    public var data: String?
    public var baseline: Baseline?

    /// `100 × nonZeros / parameters` over the model.
    public var keptPercent: Double { parameters > 0 ? 100 * Double(nonZeros) / Double(parameters) : 0 }
}

/// Builds the ``ModelReport`` of the model file at `path` (a Keras `.h5` or a `.dcz`) and
/// returns the model with it, for plots.
///
/// With `test` the model's (and the baseline's) top-1 and top-5 accuracy are measured on it.
public func makeModelReport(path: String, baseline: String? = nil, test: Dataset? = nil, data: String? = nil,
                            batchSize: Int = 1000) throws -> (report: ModelReport, model: Model) {
    let model: Model, state: CompressionState, summary: CompressedModelSummary?, format: String
    var encodingProblem: String?
    if CompressedModelFormat.hasMagic(path: path) {
        let compressed = try loadCompressedModel(path: path)
        (model, state, summary, format) = (compressed.model, compressed.state, compressed.summary, "dcz")
    } else {
        (model, state) = try loadModelWithCompressionState(path: path)
        format = "keras-h5"
        do {
            let name = try KerasModelFile(path: path).config.name
            summary = try encodeCompressedModel(model, name: name, state: state, sourceFile: path).summary
        } catch {
            summary = nil
            encodingProblem = String(describing: error)
        }
    }
    let recordsByLayer = Dictionary(uniqueKeysWithValues: (summary?.layers ?? []).map { ($0.name, $0) })
    var layers: [ModelReport.Layer] = []
    for entry in model.entries where !entry.layer.parameters.isEmpty {
        let parameters = entry.layer.parameters
        let kernel = parameters.first { ["kernel", "depthwise_kernel"].contains($0.name) } ?? parameters[0]
        let count = parameters.reduce(0) { $0 + $1.count }
        let nonZeros = parameters.reduce(0) { $0 + nonZeroCount($1) }
        let record = recordsByLayer[entry.name]
        let kernelRecord = record?.parameters.first { $0.name == kernel.name }
        layers.append(ModelReport.Layer(
            name: entry.name, type: String(describing: type(of: entry.layer)), shape: kernel.shape, parameters: count,
            nonZeros: nonZeros, keptPercent: count > 0 ? 100 * Double(nonZeros) / Double(count) : 0,
            bitsPerWeight: bitsPerWeight(kernel, quantization: state.quantization["\(entry.name).\(kernel.name)"]),
            indexBits: kernelRecord?.sparse == true ? kernelRecord?.indexBits : nil,
            codebookSize: kernel.codebook?.centroids.count, bytes: record?.bytes,
            compressionRatio: record.map { $0.bytes > 0 ? Double(4 * count) / Double($0.bytes) : 0 }))
    }
    var report = ModelReport(
        file: path, format: format, fileBytes: try fileSize(path), compressedBytes: summary?.fileBytes,
        encodingProblem: encodingProblem, layers: layers, parameters: model.parameterCount,
        nonZeros: model.parameters.reduce(0) { $0 + nonZeroCount($1) }, accuracy: nil, data: data, baseline: nil)
    if let test {
        try checkModelFitsData(model, test)
        report.accuracy = accuracy(of: model, on: test, batchSize: batchSize)
    }
    if let baseline {
        let reference = try loadModel(path: baseline)
        var entry = ModelReport.Baseline(file: baseline, fileBytes: try fileSize(baseline), parameters: reference.parameterCount, accuracy: nil)
        if let test {
            try checkModelFitsData(reference, test)
            entry.accuracy = accuracy(of: reference, on: test, batchSize: batchSize)
        }
        report.baseline = entry
    }
    return (report, model)
}

/// Bits per stored weight of `parameter`: its quantization's, or the codebook's index width, or 32.
func bitsPerWeight(_ parameter: Parameter, quantization: ParameterQuantization?) -> Int {
    switch quantization {
    case .weightSharing(let bits)?: return bits
    case .int8?: return 8
    case .float16?: return 16
    case nil:
        if let codebook = parameter.codebook { return max(1, Int(ceil(log2(Double(max(codebook.centroids.count, 2)))))) }
        return 32
    }
}

/// Elements whose forward-pass value is not zero.
func nonZeroCount(_ parameter: Parameter) -> Int {
    parameter.effectiveValue.scalars.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
}

private func accuracy(of model: Model, on test: Dataset, batchSize: Int) -> ModelReport.Accuracy {
    let evaluation = evaluateModel(model, on: test, batchSize: batchSize)
    return ModelReport.Accuracy(top1: evaluation.top1Accuracy, top5: evaluation.top5Accuracy, images: evaluation.count)
}

/// The size of the file at `path` in bytes.
func fileSize(_ path: String) throws -> Int {
    do {
        return (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue ?? 0
    } catch {
        throw ModelFileError(file: path, "cannot be read")
    }
}
