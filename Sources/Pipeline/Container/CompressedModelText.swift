import Compression
import Foundation
import ModelIO
import NN

/// Renders a compressed model file's contents for `compress huffman` and `compress inspect`: one
/// row per parameter with its shape, encoding, stored values, bits per stored weight (values and
/// index gaps) and bytes, then the totals and the overhead beyond the payload.
public func compressedModelText(_ summary: CompressedModelSummary) -> String {
    var table = TextTable(header: ["parameter", "shape", "encoding", "stored", "density", "weight bits", "index bits", "bytes"],
                          rightAligned: [3, 4, 5, 6, 7])
    for layer in summary.layers {
        for parameter in layer.parameters {
            var encoding = parameter.encoding
            if let k = parameter.centroids { encoding += " k=\(k)" + (parameter.centroidsByUse == true ? " U" : "") }
            if parameter.sparse, let bits = parameter.indexBits {
                encoding += ", sparse b=\(bits)" + (parameter.order == "transposed" ? " T" : "")
            }
            let modes = parameter.valueStreams.map { modeLetter($0.mode) }.joined()
            encoding += " [\(modes)\(parameter.indexStream.map { "/" + modeLetter($0.mode) } ?? "")]"
            let density = parameter.elements == 0 ? 0 : Double(parameter.stored) / Double(parameter.elements)
            table.rows.append([
                "\(layer.name).\(parameter.name)", shapeText(parameter.shape), encoding, groupedDigits(parameter.stored),
                String(format: "%.1f%%", density * 100), String(format: "%.2f", parameter.valueBitsPerStored),
                parameter.indexBitsPerStored.map { String(format: "%.2f", $0) } ?? "-", groupedDigits(parameter.bytes),
            ])
        }
    }
    let float32Bytes = summary.parameterCount * 4
    let ratio = summary.fileBytes == 0 ? 0 : Double(float32Bytes) / Double(summary.fileBytes)
    let weighted = max(summary.layers.count, 1)
    let lines = [
        "compressed model\(summary.name.isEmpty ? "" : " '\(summary.name.escapingControlCharacters)'"), input \(shapeText(summary.inputShape)), \(summary.layerCount) layers (\(summary.layers.count) with weights)",
        table.render(),
        "file \(groupedDigits(summary.fileBytes)) bytes: payload \(groupedDigits(summary.payloadBytes)) (values, indices, codebooks, scales), "
            + "overhead \(groupedDigits(summary.overheadBytes)) = Huffman code tables \(groupedDigits(summary.codeTableBytes)) + format "
            + "\(groupedDigits(summary.overheadBytes - summary.codeTableBytes)) (header \(summary.headerBytes), architecture "
            + "\(summary.architectureBytes), framing and record headers); per layer with weights: "
            + "\(summary.overheadBytes / weighted) (\((summary.overheadBytes - summary.codeTableBytes) / weighted) without code tables)",
        String(format: "%@ parameters, %@ bytes as float32: %.1fx smaller",
               groupedDigits(summary.parameterCount), groupedDigits(float32Bytes), ratio),
        "streams [values/index]: H Huffman, H2 Huffman with a second code after fillers, r raw; T transposed order; U centroids listed by use; "
            + "bits per stored weight (index bits include fillers)",
    ]
    return lines.joined(separator: "\n")
}

private func modeLetter(_ mode: SymbolStreamMode) -> String {
    switch mode {
    case .raw: "r"
    case .huffman: "H"
    case .contextHuffman: "H2"
    }
}
