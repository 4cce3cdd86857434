import Compression
import Foundation

/// What `compress quantize` did, per parameter and for the whole model, in a form that encodes to
/// JSON and renders as a table.
///
/// The quantization error (MSE, SQNR) compares each parameter right after quantizing with its
/// value before; fine-tuning moves the shared values afterwards, which the accuracies show.
/// Distinct values are counted in the final weights (a pruned layer's zero included).
public struct QuantizationReport: Codable, Equatable, Sendable {
    /// One quantized parameter.
    public struct Row: Codable, Equatable, Sendable {
        /// The dotted key, `fc1.kernel`.
        public var parameter: String
        public var shape: [Int]
        /// Bits per weight: the k-means index width, 8 or 16.
        public var bits: Int
        /// Distinct values in the final weights.
        public var distinctValues: Int
        /// Non-zero weights in the final weights.
        public var nonZeroWeights: Int
        /// The error quantizing made.
        public var noise: QuantizationNoise
        /// k-means: centroids in the codebook (non-empty clusters) and Lloyd iterations.
        public var centroids: Int?
        public var iterations: Int?
        /// int8: the number of scales (1 per tensor, else one per channel).
        public var scales: Int?
        /// FP16: values saturated to ±65504, values that became subnormal, non-zero values that
        /// became zero.
        public var overflows: Int?
        public var subnormals: Int?
        public var flushedToZero: Int?
    }

    /// `kmeans`, `int8` or `fp16`.
    public var method: String
    /// The settings in words (`bits conv*=8,fc*=5, init linear`).
    public var settings: String
    public var rows: [Row]
    /// Layers with weights that were left as they were (no bits rule matched them).
    public var unquantizedLayers: [String]
    /// Top-1 test accuracy of the model as given; nil when the run had no test data.
    public var testAccuracyBefore: Double?
    /// Top-1 test accuracy right after quantizing; nil when the run had no test data.
    public var testAccuracyQuantized: Double?
    /// Top-1 test accuracy after fine-tuning, when the run fine-tuned.
    public var testAccuracyRetrained: Double?
    /// The test images the accuracies are measured on; nil when the run had no test data.
    public var testImages: Int?

    /// The accuracy of the final model, when measured.
    public var testAccuracyAfter: Double? { testAccuracyRetrained ?? testAccuracyQuantized }

    /// A table of the rows and lines with the accuracies.
    public var text: String {
        var table = TextTable(header: ["parameter", "shape", "bits", "distinct", "non-zero", "MSE", "SQNR dB", "detail"])
        table.rightAligned = [2, 3, 4, 5, 6]
        for row in rows {
            var details: [String] = []
            if let centroids = row.centroids { details.append("\(centroids) centroids") }
            if let iterations = row.iterations { details.append("\(iterations) iterations") }
            if let scales = row.scales { details.append(scales == 1 ? "1 scale" : "\(scales) scales") }
            if let overflows = row.overflows { details.append("\(overflows) overflow") }
            if let subnormals = row.subnormals { details.append("\(subnormals) subnormal") }
            if let flushed = row.flushedToZero { details.append("\(flushed) to zero") }
            table.rows.append([row.parameter, shapeText(row.shape), String(row.bits), groupedDigits(row.distinctValues),
                               groupedDigits(row.nonZeroWeights), String(format: "%.3e", row.noise.meanSquaredError),
                               row.noise.signalToNoiseDecibels.map { String(format: "%.1f", $0) } ?? "inf",
                               details.joined(separator: ", ")])
        }
        var lines = ["\(method): \(settings)", table.render()]
        if !unquantizedLayers.isEmpty { lines.append("left in float32: \(unquantizedLayers.joined(separator: ", "))") }
        func accuracy(_ name: String, _ value: Double) -> String {
            String(format: "%@ %.2f%% (error %.2f%%)", name, value * 100, (1 - value) * 100)
        }
        if let testImages, let testAccuracyBefore, let testAccuracyQuantized {
            var summary = "test accuracy on \(groupedDigits(testImages)) images: " + accuracy("before", testAccuracyBefore)
                + ", " + accuracy("quantized", testAccuracyQuantized)
            if let retrained = testAccuracyRetrained { summary += ", " + accuracy("fine-tuned", retrained) }
            lines.append(summary)
        }
        return lines.joined(separator: "\n")
    }
}
