import Compression
import Foundation
import NN
import TensorCore

/// A decoded compressed model file: the model with its masks and codebooks, the quantization
/// state beside it, and what the file holds.
public struct CompressedModel {
    /// The model name stored in the file; empty when it holds none (the default).
    public var name: String
    /// The model, weights set, masks and codebooks restored.
    public var model: Model
    /// The k-means bit widths, int8 codes and FP16 storage of its parameters.
    public var state: CompressionState
    /// Layers, encodings and sizes.
    public var summary: CompressedModelSummary
}

/// Decodes the bytes of a compressed model file (docs/FORMAT.md).
///
/// The bytes are untrusted: every length and count is checked against the bytes that remain
/// before it is used, every section's CRC32 is checked, and the model is only built once its
/// architecture is valid (``Architecture/validated()``), its size is justified by the size of
/// the file (at most ``CompressedModelFormat/maxElementsPerFileByte`` weights per byte) and fits
/// ``DenseSizeLimit``. Anything else is a ``ModelFileError`` naming `file`, the layer and the field.
public func decodeCompressedModel(_ bytes: [UInt8], file: String) throws -> CompressedModel {
    let decoded = try decodeCompressedFile(bytes, file: file, expand: true)
    guard let model = decoded.model else { throw ModelFileError(file: file, "no model was built") }
    return CompressedModel(name: decoded.summary.name, model: model, state: decoded.state, summary: decoded.summary)
}

/// What a compressed model file holds (``decodeCompressedModel(_:file:)`` checks every byte the
/// same way), without building the model: memory stays proportional to the size of the file,
/// however many weights its sparse layers span.
public func decodeCompressedModelSummary(_ bytes: [UInt8], file: String) throws -> CompressedModelSummary {
    try decodeCompressedFile(bytes, file: file, expand: false).summary
}

/// Reads every section; with `expand`, builds the model and sets its weights as decoded.
private func decodeCompressedFile(_ bytes: [UInt8], file: String, expand: Bool) throws
    -> (model: Model?, state: CompressionState, summary: CompressedModelSummary) {
    var currentLayer: String?
    do {
        var cursor = ByteCursor(bytes)
        guard bytes.count >= CompressedModelFormat.headerBytes,
              Array(bytes.prefix(CompressedModelFormat.magic.count)) == CompressedModelFormat.magic else {
            throw EncodedDataError(field: "magic", "is not a compressed model file (no \\x89DCZ magic)")
        }
        _ = try cursor.skip("magic", count: CompressedModelFormat.magic.count)
        let version = try cursor.readByte("version")
        guard version == CompressedModelFormat.version else {
            throw EncodedDataError(field: "version", "version \(version) is not supported (this tool reads version \(CompressedModelFormat.version))")
        }

        let architectureStart = cursor.position
        var architectureCursor = try readSection(&cursor, bytes: bytes, name: "architecture")
        let architecture = try ArchitectureCoding.read(from: &architectureCursor)
        guard architectureCursor.isAtEnd else {
            throw EncodedDataError(field: "architecture", "has \(architectureCursor.remaining) bytes after its last layer")
        }
        let architectureBytes = cursor.position - architectureStart
        let validated: ValidatedArchitecture
        do {
            validated = try architecture.validated()
        } catch let error as ArchitectureError {
            currentLayer = error.layer
            throw EncodedDataError(field: "architecture", error.message)
        }
        let elements = validated.parameterCount
        guard elements <= CompressedModelFormat.maxElementsPerFileByte * bytes.count else {
            throw EncodedDataError(field: "architecture", "declares \(elements) weights, more than a file of \(bytes.count) bytes can hold")
        }
        var model: Model?
        if expand {
            try DenseSizeLimit.check(parameterCount: elements, file: file)
            model = try architecture.build(seed: 0)
        }

        var state = CompressionState()
        var layers: [CompressedLayerSummary] = []
        for (index, spec) in architecture.layers.enumerated() where !validated.parameters[index].isEmpty {
            currentLayer = spec.name
            let sectionStart = cursor.position
            var section = try readSection(&cursor, bytes: bytes, name: "section")
            var parameters: [CompressedParameterSummary] = []
            for (position, parameter) in validated.parameters[index].enumerated() {
                let (decoded, summary) = try ParameterRecord.decode(from: &section, name: parameter.name, shape: parameter.shape, expand: expand)
                if let decoded, let target = model?.entries[index].layer.parameters[position] {
                    apply(decoded, to: target)
                    if let quantization = decoded.quantization { state.quantization["\(spec.name).\(parameter.name)"] = quantization }
                }
                parameters.append(summary)
            }
            guard section.isAtEnd else { throw EncodedDataError(field: "section", "has \(section.remaining) bytes after its last parameter") }
            layers.append(CompressedLayerSummary(name: spec.name, type: spec.layerType?.keyword ?? spec.type, parameters: parameters,
                                                 bytes: cursor.position - sectionStart))
        }
        currentLayer = nil
        guard cursor.isAtEnd else { throw EncodedDataError(field: "end", "\(cursor.remaining) bytes follow the last section") }
        let summary = CompressedModelSummary(name: architecture.name, inputShape: architecture.inputShape, layerCount: architecture.layers.count,
                                             layers: layers, architectureBytes: architectureBytes, fileBytes: bytes.count)
        return (model, state, summary)
    } catch let error as EncodedDataError {
        throw ModelFileError(file: file, layer: currentLayer, field: error.field, error.message)
    }
}

/// Reads a compressed model file; see ``decodeCompressedModel(_:file:)``.
public func loadCompressedModel(path: String) throws -> CompressedModel {
    try decodeCompressedModel(readCompressedFile(path: path), file: path)
}

/// Reads what a compressed model file holds; see ``decodeCompressedModelSummary(_:file:)``.
public func loadCompressedModelSummary(path: String) throws -> CompressedModelSummary {
    try decodeCompressedModelSummary(readCompressedFile(path: path), file: path)
}

private func readCompressedFile(path: String) throws -> [UInt8] {
    guard FileManager.default.fileExists(atPath: path) else { throw ModelFileError(file: path, "no such file") }
    guard let data = FileManager.default.contents(atPath: path) else { throw ModelFileError(file: path, "cannot be read") }
    return [UInt8](data)
}

/// Reads `varint length, body, CRC32` and checks the CRC; returns a cursor over the body.
private func readSection(_ cursor: inout ByteCursor, bytes: [UInt8], name: String) throws -> ByteCursor {
    let length = try cursor.readVarint("\(name) length", max: max(0, cursor.remaining - CompressedModelFormat.checksumBytes))
    let body = try cursor.skip(name, count: length)
    let stored = try cursor.readUInt32("\(name) CRC32")
    let computed = CompressedModelFormat.crc32(bytes, range: body)
    guard stored == computed else {
        throw EncodedDataError(field: "\(name) CRC32", "is \(String(stored, radix: 16)), the content gives \(String(computed, radix: 16)) (corrupt file)")
    }
    return ByteCursor(bytes, range: body)
}

/// Sets a parameter's mask, codebook and weights as decoded; the weights last, so they are
/// exactly the stored ones.
private func apply(_ decoded: DecodedParameter, to parameter: Parameter) {
    parameter.maskMode = decoded.maskMode
    parameter.mask = decoded.mask.map { Tensor(shape: parameter.shape, scalars: $0) }
    parameter.codebook = decoded.codebook
    parameter.value = Tensor(shape: parameter.shape, scalars: decoded.values)
}
