import Compression
import Foundation
import ModelIO
import NN

/// What `compress huffman` did: the file written and what it holds.
public struct HuffmanEncodingReport: Codable, Equatable, Sendable {
    /// The model file read.
    public var input: String
    /// Its size in bytes.
    public var inputBytes: Int
    /// The compressed model file written.
    public var output: String
    /// Its layers, encodings and sizes.
    public var summary: CompressedModelSummary
    /// Whether decoding the written bytes gave back every weight, mask, codebook and
    /// quantization bit for bit (always true: a mismatch is an error).
    public var verified: Bool
}

/// Encodes a model file (Keras `.h5` with its compression metadata, or a compressed model file
/// to re-encode) as a compressed model file at `output`, written atomically, then decodes the
/// bytes again and checks that they give back the model bit for bit.
///
/// ```swift
/// let report = try huffmanEncodeModelFile(input: "lenet300-6bit.h5", output: "lenet300.dcz")
/// print(report.summary.fileBytes)
/// ```
public func huffmanEncodeModelFile(input: String, output: String,
                                   settings: CompressedModelSettings = CompressedModelSettings()) throws -> HuffmanEncodingReport {
    try requireModelFile(input)
    let model: Model, state: CompressionState, name: String
    if CompressedModelFormat.hasMagic(path: input) {
        let compressed = try loadCompressedModel(path: input)
        (model, state, name) = (compressed.model, compressed.state, compressed.name)
    } else {
        (model, state) = try loadModelWithCompressionState(path: input)
        name = try KerasModelFile(path: input).config.name
    }
    let (bytes, summary) = try encodeCompressedModel(model, name: name, state: state, settings: settings, sourceFile: input)
    let decoded = try decodeCompressedModel(bytes, file: output)
    try checkRoundTrip(original: model, state: state, decoded: decoded, file: output)
    try writeAtomically(to: output, protecting: [input]) { temporary in try writeNewFile(bytes, to: temporary) }
    let inputBytes = (try? FileManager.default.attributesOfItem(atPath: input)[.size] as? Int) ?? 0
    return HuffmanEncodingReport(input: input, inputBytes: inputBytes, output: output, summary: summary, verified: true)
}

/// Checks that a decoded compressed model equals the model it was encoded from: every weight bit
/// for bit (cut weights as +0.0), masks and their mode, codebooks (indices of kept weights, -1 for
/// cut ones) and the quantization state (int8 codes of kept weights).
func checkRoundTrip(original: Model, state: CompressionState, decoded: CompressedModel, file: String) throws {
    let decodedParameters = Dictionary(uniqueKeysWithValues: decoded.model.namedParameters.map { ($0.key, $0.parameter) })
    for (key, parameter) in original.namedParameters {
        let layer = String(key.split(separator: ".")[0])
        func fail(_ what: String) -> ModelFileError {
            ModelFileError(file: file, layer: layer, field: parameter.name, "decodes differently from the model (\(what)); this is a bug in the encoder")
        }
        guard let back = decodedParameters[key], back.shape == parameter.shape else { throw fail("missing or reshaped") }
        let kept = parameter.mask?.scalars.map { $0 != 0 }
        let original = parameter.value.scalars, restored = back.value.scalars
        for i in 0..<original.count {
            let expected: Float = kept?[i] == false ? 0 : original[i]
            guard restored[i].bitPattern == expected.bitPattern else { throw fail("element \(i): \(restored[i]) instead of \(expected)") }
        }
        guard (back.mask?.scalars.map { $0 != 0 }) == kept, back.mask == nil || back.maskMode == parameter.maskMode else {
            throw fail("mask")
        }
        if let codebook = parameter.codebook {
            guard let restoredCodebook = back.codebook,
                  restoredCodebook.centroids.map(\.bitPattern) == codebook.centroids.map(\.bitPattern) else { throw fail("centroids") }
            for i in 0..<codebook.assignments.count where restoredCodebook.assignments[i] != (kept?[i] == false ? -1 : codebook.assignments[i]) {
                throw fail("centroid index of element \(i)")
            }
        } else if back.codebook != nil {
            throw fail("a codebook appeared")
        }
        switch (state.quantization[key], decoded.state.quantization[key]) {
        case let (.int8(a)?, .int8(b)?):
            guard a.scales.map(\.bitPattern) == b.scales.map(\.bitPattern), a.zeroPoints == b.zeroPoints, a.axis == b.axis,
                  (0..<a.codes.count).allSatisfy({ kept?[$0] == false || a.codes[$0] == b.codes[$0] }) else { throw fail("int8 codes") }
        case let (expected, restored):
            guard expected == restored else { throw fail("quantization state") }
        }
    }
}
