import Compression
import Foundation

/// What `compress svd` or `compress flatten` did: per layer the rank, sizes and approximation
/// error, totals, and test accuracy before, right after factorizing and after retraining;
/// encodes to JSON and renders as text.
public struct LowRankReport: Codable, Sendable, Equatable {
    /// One selected layer.
    public struct Layer: Codable, Sendable, Equatable {
        public var layer: String
        /// `Dense`, `Conv2D`, or the type of a selected layer the pass does not apply to.
        public var type: String
        public var kernelShape: [Int]
        /// The rank (or number of rank-1 terms) chosen; 0 when none was.
        public var rank: Int
        /// `gesdd`, `randomized`, `cp-als`; empty when left alone.
        public var method: String
        /// Parameters (kernel and bias) of the layer, and of the layers replacing it.
        public var parametersBefore: Int
        public var parametersAfter: Int
        /// `‖W − Ŵ‖_F / ‖W‖_F` before retraining; nil when left alone.
        public var relativeError: Double?
        /// SVD: the fraction of `Σσ²` dropped.
        public var discardedEnergy: Double?
        /// The layers replacing it, in order; empty when left alone.
        public var replacement: [String]
        /// Why the layer was left alone; nil when factorized.
        public var leftAloneReason: String?

        public init(_ outcome: LayerFactorization) {
            layer = outcome.layer
            type = outcome.type
            kernelShape = outcome.kernelShape
            rank = outcome.rank
            method = outcome.method
            parametersBefore = outcome.parametersBefore
            parametersAfter = outcome.parametersAfter
            relativeError = outcome.relativeError
            discardedEnergy = outcome.discardedEnergy
            replacement = outcome.replacement
            if case .leftAlone(let reason) = outcome.status { leftAloneReason = reason }
        }

        /// Whether the layer was replaced by its factors.
        public var isFactorized: Bool { leftAloneReason == nil }
    }

    /// The input model file, when the run read one.
    public var model: String?
    /// The output model file, when the run wrote one.
    public var output: String?
    /// `svd` or `flatten`.
    public var pass: String
    /// The rank rule: `rank 32`, `energy 0.95`, `ratio 4.0`.
    public var rankRule: String
    public var layers: [Layer]
    /// All parameters of the model before and after (Keras' totals).
    public var modelParametersBefore: Int
    public var modelParametersAfter: Int
    /// Top-1 test accuracy of the input model, of the factorized model before retraining, and
    /// after retraining; nil without test data (or without retraining, for the last).
    public var testAccuracyBefore: Double?
    public var testAccuracyFactorized: Double?
    public var testAccuracyRetrained: Double?
    /// Fine-tuning epochs run (0 without retraining).
    public var epochs: Int
    /// Wall-clock seconds of factorizing, training and evaluation.
    public var seconds: Double

    /// Parameters of the factorized layers before, and of the layers replacing them.
    public var factorizedParametersBefore: Int { layers.filter(\.isFactorized).reduce(0) { $0 + $1.parametersBefore } }
    public var factorizedParametersAfter: Int { layers.filter(\.isFactorized).reduce(0) { $0 + $1.parametersAfter } }

    /// The report as text: a table of layers, the layers left alone with the reason, the
    /// parameter totals and the accuracy line.
    public var text: String {
        var table = TextTable(header: ["layer", "kernel", "rank", "method", "params before", "params after", "fewer",
                                       "rel. error", "energy dropped", "new layers"],
                              rightAligned: [2, 4, 5, 6, 7, 8])
        for row in layers where row.isFactorized {
            table.rows.append([row.layer, shapeText(row.kernelShape), String(row.rank), row.method,
                               groupedDigits(row.parametersBefore), groupedDigits(row.parametersAfter),
                               reduction(row.parametersBefore, row.parametersAfter),
                               row.relativeError.map { String(format: "%.4f", $0) } ?? "-",
                               row.discardedEnergy.map { String(format: "%.2f%%", $0 * 100) } ?? "-",
                               row.replacement.joined(separator: ", ")])
        }
        var lines: [String] = []
        var title = "\(pass) (\(rankRule))"
        if let model { title += " of \(model)" }
        if let output { title += " -> \(output)" }
        if epochs > 0 { title += ", \(epochs) epoch\(epochs == 1 ? "" : "s") of retraining" }
        lines.append(title + ", " + durationText(seconds))
        if !table.rows.isEmpty { lines.append(table.render()) }
        for row in layers where !row.isFactorized {
            lines.append("\(row.layer) (\(row.type)\(row.kernelShape.isEmpty ? "" : " " + shapeText(row.kernelShape))) left alone: \(row.leftAloneReason!)")
        }
        if factorizedParametersBefore > 0 {
            lines.append(String(format: "factorized layers: %@ -> %@ parameters (%@ fewer)",
                                groupedDigits(factorizedParametersBefore), groupedDigits(factorizedParametersAfter),
                                reduction(factorizedParametersBefore, factorizedParametersAfter)))
        }
        lines.append(String(format: "model: %@ -> %@ parameters (%@ fewer)", groupedDigits(modelParametersBefore),
                            groupedDigits(modelParametersAfter), reduction(modelParametersBefore, modelParametersAfter)))
        var accuracies: [String] = []
        func describe(_ accuracy: Double?, _ stage: String) {
            if let accuracy {
                accuracies.append(String(format: "%.2f%% %@ (error %.2f%%)", accuracy * 100, stage, (1 - accuracy) * 100))
            }
        }
        describe(testAccuracyBefore, "before")
        describe(testAccuracyFactorized, "factorized")
        describe(testAccuracyRetrained, "retrained")
        if !accuracies.isEmpty { lines.append("test accuracy: " + accuracies.joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }

    /// `4.02x`: how many times fewer.
    private func reduction(_ before: Int, _ after: Int) -> String {
        after > 0 ? String(format: "%.2fx", Double(before) / Double(after)) : "-"
    }
}
