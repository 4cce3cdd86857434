import Foundation
import NN

/// How `compress report` prints a report.
public enum ReportFormat: String, CaseIterable, Sendable {
    case text, markdown, json
}

extension ModelReport {
    /// The report as plain text: a title, the layer table with a total row, sizes, accuracy.
    public var text: String {
        render(markdown: false)
    }

    /// The report as GitHub-flavoured markdown: the same content, the table as a markdown table.
    public var markdown: String {
        render(markdown: true)
    }

    private var header: [String] {
        ["layer", "type", "shape", "parameters", "non-zeros", "kept", "bits/weight", "index bits", "codebook", "bytes", "ratio"]
    }

    private var rows: [[String]] {
        var rows = layers.map { layer in
            [layer.name, layer.type, shapeText(layer.shape), groupedDigits(layer.parameters), groupedDigits(layer.nonZeros),
             String(format: "%.2f%%", layer.keptPercent), String(layer.bitsPerWeight), layer.indexBits.map(String.init) ?? "-",
             layer.codebookSize.map(String.init) ?? "-", layer.bytes.map(groupedDigits) ?? "-",
             layer.compressionRatio.map { String(format: "%.1fx", $0) } ?? "-"]
        }
        let bytes = layers.allSatisfy { $0.bytes != nil } ? layers.reduce(0) { $0 + ($1.bytes ?? 0) } : nil
        rows.append(["total", "", "", groupedDigits(parameters), groupedDigits(nonZeros), String(format: "%.2f%%", keptPercent),
                     "", "", "", bytes.map(groupedDigits) ?? "-",
                     bytes.map { $0 > 0 ? String(format: "%.1fx", Double(4 * parameters) / Double($0)) : "-" } ?? "-"])
        return rows
    }

    private func render(markdown: Bool) -> String {
        var blocks: [String] = []
        let kind = format == "dcz" ? "compressed model (.dcz)" : "Keras model (.h5)"
        blocks.append(markdown ? "## \(file.escapingControlCharacters): \(kind)" : "\(file.escapingControlCharacters): \(kind)")
        if markdown {
            var table = ["| " + header.joined(separator: " | ") + " |",
                         "|" + header.indices.map { $0 < 3 ? " --- |" : " ---: |" }.joined()]
            table += rows.map(markdownTableRow)
            blocks.append(table.joined(separator: "\n"))
        } else {
            var table = TextTable(header: header, rightAligned: Set(3..<header.count))
            table.rows = rows
            blocks.append(table.render())
        }
        var size = "file: \(groupedDigits(fileBytes)) bytes"
        if format != "dcz" {
            if let compressedBytes {
                size += String(format: "; as .dcz (compress huffman): %@ bytes, %.1fx smaller than the .h5", groupedDigits(compressedBytes),
                               Double(fileBytes) / Double(max(compressedBytes, 1)))
            } else if let encodingProblem {
                size += "; cannot be encoded as .dcz: \(encodingProblem)"
            }
        }
        size += String(format: "; %@ parameters as float32: %@ bytes", groupedDigits(parameters), groupedDigits(4 * parameters))
        blocks.append(size)
        blocks.append(String(format: "non-zeros: %@ of %@ (%.2f%%), %.1fx fewer weights", groupedDigits(nonZeros), groupedDigits(parameters),
                             keptPercent, nonZeros > 0 ? Double(parameters) / Double(nonZeros) : 0))
        if let baseline {
            var line = "baseline \(baseline.file): \(groupedDigits(baseline.fileBytes)) bytes, \(groupedDigits(baseline.parameters)) parameters; "
            line += "this file: " + sizeComparison(baseline.fileBytes, fileBytes)
            if format != "dcz", let compressedBytes { line += "; as .dcz: " + sizeComparison(baseline.fileBytes, compressedBytes) }
            blocks.append(line)
        }
        if let accuracy {
            var line = String(format: "accuracy on %@ (%@ test images): top-1 %.2f%%, top-5 %.2f%%", data ?? "the test set",
                              groupedDigits(accuracy.images), accuracy.top1 * 100, accuracy.top5 * 100)
            if let reference = baseline?.accuracy {
                line += String(format: "; baseline top-1 %.2f%%, top-5 %.2f%% (top-1 %+.2f points)",
                               reference.top1 * 100, reference.top5 * 100, (accuracy.top1 - reference.top1) * 100)
            }
            blocks.append(line)
        }
        return blocks.joined(separator: markdown ? "\n\n" : "\n")
    }
}

/// `12.3x smaller` or `1.5x larger`: `size` against `reference`.
private func sizeComparison(_ reference: Int, _ size: Int) -> String {
    guard reference > 0, size > 0 else { return "-" }
    return size <= reference ? String(format: "%.1fx smaller", Double(reference) / Double(size))
        : String(format: "%.1fx larger", Double(size) / Double(reference))
}
