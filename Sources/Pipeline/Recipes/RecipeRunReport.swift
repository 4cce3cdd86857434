import Foundation
import NN

/// What `compress run` did: each stage's accuracy, size and time, the outputs written, and the
/// final model's layer-by-layer report.
public struct RecipeRunReport: Codable, Sendable, Equatable {
    /// A stage's record and whether it came from the cache.
    public struct Stage: Codable, Sendable, Equatable {
        public var record: StageRecord
        public var cached: Bool
    }

    /// The recipe file.
    public var recipe: String
    public var name: String
    public var data: String
    public var trainImages: Int?
    public var testImages: Int
    /// Parameters of the starting model (the `model:` file, or the first stage's trained model).
    public var startParameters: Int
    public var stages: [Stage]
    /// Files written, in order.
    public var outputs: [String]
    /// The final model (the compressed file when there is one).
    public var finalModel: ModelReport?

    /// The starting model as dense float32: 4 bytes per parameter.
    public var float32Bytes: Int { 4 * startParameters }

    /// Bars from the float32 model to each stage's size as a `.dcz` file.
    public var sizeChart: StageSizeChart {
        var bars = [(name: "fp32", bytes: float32Bytes)]
        for stage in stages {
            if let bytes = stage.record.compressedBytes { bars.append((name: "\(stage.record.number) \(stage.record.label)", bytes: bytes)) }
        }
        return StageSizeChart(stages: bars, title: "\(name.escapingControlCharacters): size per stage (as .dcz)")
    }

    private var header: [String] {
        ["#", "stage", "top-1", "top-5", "non-zeros", ".dcz bytes", "vs fp32", "time", ""]
    }

    private var rows: [[String]] {
        stages.map { stage in
            let record = stage.record
            return [String(record.number), record.label, String(format: "%.2f%%", record.top1 * 100), String(format: "%.2f%%", record.top5 * 100),
                    groupedDigits(record.nonZeros), record.compressedBytes.map(groupedDigits) ?? "-",
                    record.compressedBytes.map { String(format: "%.1fx", Double(float32Bytes) / Double(max($0, 1))) } ?? "-",
                    stage.cached ? "-" : durationText(record.seconds), stage.cached ? "cached" : ""]
        }
    }

    private var summaryLines: [String] {
        var lines = ["recipe \(name.escapingControlCharacters) (\(recipe.escapingControlCharacters)); data \(data.escapingControlCharacters): " + (trainImages.map { "\(groupedDigits($0)) training, " } ?? "")
                     + "\(groupedDigits(testImages)) test images"]
        lines.append("fp32: \(groupedDigits(float32Bytes)) bytes (\(groupedDigits(startParameters)) parameters x 4)")
        if let last = stages.last?.record, let bytes = last.compressedBytes {
            lines.append(String(format: "final: %@ bytes as .dcz, %.1fx smaller than fp32; top-1 %.2f%% (error %.2f%%), top-5 %.2f%%",
                                groupedDigits(bytes), Double(float32Bytes) / Double(max(bytes, 1)), last.top1 * 100,
                                (1 - last.top1) * 100, last.top5 * 100))
        }
        return lines
    }

    /// The report as text: summary, stage table, stage settings, the final model's layers.
    public var text: String {
        var table = TextTable(header: header, rightAligned: [0, 2, 3, 4, 5, 6, 7])
        table.rows = rows
        var blocks = [summaryLines.joined(separator: "\n"), table.render()]
        blocks.append(stages.map { "\($0.record.number) \($0.record.label) [\($0.record.key)]: \($0.record.settings)" }.joined(separator: "\n"))
        if let finalModel { blocks.append(finalModel.text) }
        if !outputs.isEmpty { blocks.append("wrote " + outputs.joined(separator: ", ")) }
        return blocks.joined(separator: "\n\n")
    }

    /// The report as markdown: the same content with markdown tables, and each stage's pass report.
    public var markdown: String {
        var blocks = ["# \(name.escapingControlCharacters)", summaryLines.joined(separator: "  \n")]
        var table = ["| " + header.dropLast().joined(separator: " | ") + " | |", "|" + header.indices.map { [1, 8].contains($0) ? " --- |" : " ---: |" }.joined()]
        table += rows.map(markdownTableRow)
        blocks.append(table.joined(separator: "\n"))
        blocks.append("## Stages")
        for stage in stages {
            blocks.append("### \(stage.record.number). \(stage.record.label)\n\n\(stage.record.settings) (cache key `\(stage.record.key)`)"
                          + "\n\n```text\n\(stage.record.detail)\n```")
        }
        if let finalModel { blocks.append(finalModel.markdown) }
        return blocks.joined(separator: "\n\n")
    }

    /// The report as pretty JSON with sorted keys.
    public func json() throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(self), as: UTF8.self)
    }
}
