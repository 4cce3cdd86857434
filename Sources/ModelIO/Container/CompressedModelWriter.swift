import Compression
import Foundation
import NN

/// Choices of the compressed model encoder.
public struct CompressedModelSettings: Equatable, Sendable {
    /// Bits per index gap of sparse Dense (and other non-convolution) parameters; the paper's 5.
    public var denseIndexBits: Int
    /// Bits per index gap of sparse Conv2D and DepthwiseConv2D parameters; the paper's 8.
    public var convIndexBits: Int
    /// Try every width from 2 to 8 for each sparse parameter and keep the smallest record,
    /// instead of the two widths above.
    public var automaticIndexBits: Bool
    /// Store the model's name. Off by default: the name rebuilds nothing and costs its length in
    /// bytes; a decoded model without one is named after the file it is written to.
    public var keepModelName: Bool

    public init(denseIndexBits: Int = 5, convIndexBits: Int = 8, automaticIndexBits: Bool = false, keepModelName: Bool = false) {
        self.denseIndexBits = denseIndexBits
        self.convIndexBits = convIndexBits
        self.automaticIndexBits = automaticIndexBits
        self.keepModelName = keepModelName
    }

    /// Throws when an index width is outside 2...8.
    public func validate() throws {
        for (name, bits) in [("dense", denseIndexBits), ("conv", convIndexBits)] where !SparseRelativeIndex.indexBitsRange.contains(bits) {
            throw CompressionError("\(name) index bits must be in 2...8, got \(bits)")
        }
    }

    /// The index widths to try for a layer's sparse parameters.
    func indexBits(for layer: any ModelLayer) -> [Int] {
        if automaticIndexBits { return Array(SparseRelativeIndex.indexBitsRange) }
        return [layer is Conv2D || layer is DepthwiseConv2D ? convIndexBits : denseIndexBits]
    }
}

/// Encodes a model as the bytes of a compressed model file (docs/FORMAT.md).
///
/// Each parameter is stored with what its compression left: a mask becomes a relative index of
/// the kept weights, a codebook becomes Huffman-coded centroid indices, int8 codes and FP16
/// halves are Huffman-coded byte by byte, plain floats too; each stream is stored raw where
/// Huffman coding does not pay. Decoding gives back every weight bit for bit, except that cut
/// (masked) weights come back as +0.0 (see docs/FORMAT.md on -0.0 and surgery masks).
///
/// ```swift
/// let (model, state) = try loadModelWithCompressionState(path: "lenet300-pruned-6bit.h5")
/// let (bytes, summary) = try encodeCompressedModel(model, name: "lenet300", state: state)
/// ```
///
/// - Parameters:
///   - name: the model's name, stored only with `settings.keepModelName`.
///   - sourceFile: named in errors (the file the model came from).
/// - Throws: ``ModelFileError`` naming the layer and parameter whose weights do not match their
///   codebook or int8 codes, or a layer the format cannot describe.
public func encodeCompressedModel(_ model: Model, name: String, state: CompressionState = CompressionState(),
                                  settings: CompressedModelSettings = CompressedModelSettings(),
                                  sourceFile: String = "model") throws -> (bytes: [UInt8], summary: CompressedModelSummary) {
    do { try settings.validate() } catch let error as CompressionError {
        throw ModelFileError(file: sourceFile, error.description)
    }
    let name = settings.keepModelName ? name : ""
    let architecture = try Architecture(model: model, name: name)
    if let (layer, reason) = ArchitectureCoding.unstorableLayer(architecture) {
        throw ModelFileError(file: sourceFile, layer: layer, "\(reason) cannot be stored in a compressed model file (version \(CompressedModelFormat.version))")
    }
    if let problem = LayerName.problem(withModelName: name) { throw ModelFileError(file: sourceFile, problem) }
    var file = ByteWriter()
    file.append(contentsOf: CompressedModelFormat.magic)
    file.append(CompressedModelFormat.version)
    var architectureBody = ByteWriter()
    ArchitectureCoding.write(architecture, to: &architectureBody)
    let architectureBytes = appendSection(architectureBody.bytes, to: &file)

    var layers: [CompressedLayerSummary] = []
    for (entry, spec) in zip(model.entries, architecture.layers) where !entry.layer.parameters.isEmpty {
        var body = ByteWriter()
        var parameters: [CompressedParameterSummary] = []
        for parameter in entry.layer.parameters {
            let key = "\(entry.name).\(parameter.name)"
            do {
                let (bytes, summary) = try ParameterRecord.encode(parameter, quantization: state.quantization[key],
                                                                  indexBits: settings.indexBits(for: entry.layer))
                body.append(contentsOf: bytes)
                parameters.append(summary)
            } catch let error as EncodedDataError {
                throw ModelFileError(file: sourceFile, layer: entry.name, field: error.field, error.message)
            }
        }
        let bytes = appendSection(body.bytes, to: &file)
        layers.append(CompressedLayerSummary(name: entry.name, type: spec.layerType?.keyword ?? spec.type, parameters: parameters, bytes: bytes))
    }
    let summary = CompressedModelSummary(name: name, inputShape: model.inputShape, layerCount: model.entries.count, layers: layers,
                                         architectureBytes: architectureBytes, fileBytes: file.count)
    return (file.bytes, summary)
}

/// Writes a model as a compressed model file, atomically; see ``encodeCompressedModel(_:name:state:settings:sourceFile:)``.
@discardableResult
public func saveCompressedModel(_ model: Model, name: String, state: CompressionState = CompressionState(),
                                settings: CompressedModelSettings = CompressedModelSettings(),
                                to path: String, protecting inputs: [String] = []) throws -> CompressedModelSummary {
    let (bytes, summary) = try encodeCompressedModel(model, name: name, state: state, settings: settings,
                                                     sourceFile: inputs.first ?? path)
    try writeAtomically(to: path, protecting: inputs) { temporary in
        guard FileManager.default.createFile(atPath: temporary, contents: Data(bytes)) else {
            throw ModelFileError(file: path, "cannot be written")
        }
    }
    return summary
}

/// Appends `varint length, body, CRC32(body)`; returns the bytes appended.
private func appendSection(_ body: [UInt8], to file: inout ByteWriter) -> Int {
    let start = file.count
    file.appendVarint(body.count)
    file.append(contentsOf: body)
    file.appendUInt32(CompressedModelFormat.crc32(body, range: 0..<body.count))
    return file.count - start
}
