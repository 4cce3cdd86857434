import Foundation
import ModelIO

/// What `compress decompress` did.
public struct DecompressionReport: Codable, Equatable, Sendable {
    /// The compressed model file read.
    public var input: String
    public var inputBytes: Int
    /// The Keras `.h5` written.
    public var output: String
    public var outputBytes: Int
    /// The model name in the `.h5`'s configuration: the one stored in the compressed file, or,
    /// when it holds none, the output file's name without its extension.
    public var name: String
    /// Elements of every parameter.
    public var parameterCount: Int
}

/// Decodes a compressed model file into a Keras-loadable `.h5` at `output` (atomically), with its
/// masks, codebooks and quantization state in the `/compression` group, so later passes can go
/// on from it.
///
/// ```swift
/// try decompressModelFile(input: "lenet300.dcz", output: "lenet300-dense.h5")
/// ```
public func decompressModelFile(input: String, output: String) throws -> DecompressionReport {
    let compressed = try loadCompressedModel(path: input)
    let name = compressed.name.isEmpty ? defaultModelName(forFile: output) : compressed.name
    try saveKerasModel(compressed.model, name: name, to: output, protecting: [input], compressionState: compressed.state)
    let outputBytes = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? Int) ?? 0
    return DecompressionReport(input: input, inputBytes: compressed.summary.fileBytes, output: output, outputBytes: outputBytes,
                               name: name, parameterCount: compressed.summary.parameterCount)
}
