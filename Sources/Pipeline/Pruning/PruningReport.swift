import Foundation

/// What `compress prune` did: per-layer counts and thresholds, totals, and test error before and
/// after; encodes to JSON and renders as text.
public struct PruningReport: Codable, Sendable, Equatable {
    /// One pruned layer.
    public struct Layer: Codable, Sendable, Equatable {
        public var layer: String
        /// Weights considered (the kernel, plus the bias when biases are pruned).
        public var parameters: Int
        /// Of those, the ones left non-zero.
        public var nonZeros: Int
        /// `100 × nonZeros / parameters`.
        public var keptPercent: Double
        /// The magnitude the layer was cut at (DNS: the cut threshold `a`); nil when nothing was cut.
        public var threshold: Float?
        /// DNS: the splice threshold `b`.
        public var spliceThreshold: Float?
    }

    /// A step of the run, for the log and the JSON: how much of the chosen layers is kept and
    /// the test error at that point.
    public struct Stage: Codable, Sendable, Equatable {
        public var name: String
        public var keptPercent: Double
        /// Nil without test data.
        public var testError: Double?
    }

    /// The input model file, when the run read one.
    public var model: String?
    /// The output model file, when the run wrote one.
    public var output: String?
    public var method: PruningMethod
    public var layers: [Layer]
    /// Weights, non-zeros and kept percentage over the pruned layers.
    public var prunedParameters: Int
    public var prunedNonZeros: Int
    public var prunedKeptPercent: Double
    /// All parameters of the model (Keras' total), how many are non-zero, and their percentage.
    public var modelParameters: Int
    public var modelNonZeros: Int
    public var modelKeptPercent: Double
    /// Top-1 test error before pruning and at the end, with test data.
    public var testErrorBefore: Double?
    public var testErrorAfter: Double?
    /// Training epochs run (0 without training).
    public var epochs: Int
    public var stages: [Stage]
    /// Wall-clock seconds of pruning, training and evaluation.
    public var seconds: Double

    /// How many times fewer non-zero weights the model has than parameters.
    public var weightReduction: Double { modelNonZeros > 0 ? Double(modelParameters) / Double(modelNonZeros) : .infinity }

    /// The report as text: a table of layers with a total row, the model line, and the error line.
    public var text: String {
        var table = TextTable(header: ["layer", "parameters", "non-zeros", "kept", "threshold"], rightAligned: [1, 2, 3, 4])
        for row in layers {
            var threshold = row.threshold.map(thresholdText) ?? "-"
            if let splice = row.spliceThreshold { threshold += " / " + thresholdText(splice) }
            table.rows.append([row.layer, groupedDigits(row.parameters), groupedDigits(row.nonZeros),
                               String(format: "%.2f%%", row.keptPercent), threshold])
        }
        table.rows.append(["total", groupedDigits(prunedParameters), groupedDigits(prunedNonZeros),
                           String(format: "%.2f%%", prunedKeptPercent), ""])
        var lines: [String] = []
        var title = "\(method.rawValue) pruning"
        if let model { title += " of \(model)" }
        if let output { title += " -> \(output)" }
        if epochs > 0 { title += ", \(epochs) epoch\(epochs == 1 ? "" : "s") of training" }
        lines.append(title + String(format: ", %@", durationText(seconds)))
        if method == .dns { lines.append("threshold column: cut / splice thresholds (a / b)") }
        lines.append(table.render())
        lines.append(String(format: "model: %@ parameters, %@ non-zero (%.2f%%), %.1fx fewer weights",
                            groupedDigits(modelParameters), groupedDigits(modelNonZeros), modelKeptPercent, weightReduction))
        if let before = testErrorBefore, let after = testErrorAfter {
            lines.append(String(format: "test error: %.2f%% before, %.2f%% after", before * 100, after * 100))
        }
        return lines.joined(separator: "\n")
    }

    private func thresholdText(_ value: Float) -> String { String(format: "%.4g", value) }

    /// `100 × part / whole`, 0 for an empty whole.
    static func percent(_ part: Int, of whole: Int) -> Double {
        whole > 0 ? 100 * Double(part) / Double(whole) : 0
    }
}
