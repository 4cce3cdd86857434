import Compression
import ModelIO
import NN
import TensorCore

/// The outcome of ``quantizeModel(_:settings:train:test:onEvent:)``.
public struct QuantizationOutcome: Sendable {
    /// The quantization to store beside the weights (`saveKerasModel(_:name:to:protecting:compressionState:)`).
    public var state: CompressionState
    /// What was done and measured.
    public var report: QuantizationReport
}

/// Quantizes `model` in place as `settings` say, measures its test accuracy before and after
/// (when `test` is given), and, for k-means with `settings.retraining`, fine-tunes the shared
/// values on `train`.
///
/// - k-means: each layer's kernel with a bit width gets a codebook of at most `2^bits` shared
///   values (see `WeightSharing`); fine-tuning trains the centroids and keeps the assignments,
///   so every layer still has at most `2^bits` distinct (non-zero) values afterwards.
/// - int8: every kernel becomes its dequantized int8 values; the codes and scales go in the state.
/// - FP16: every parameter (a codebook's centroids, when it has one) is rounded to half precision.
///
/// Masks are kept: pruned weights stay zero with every method.
///
/// ```swift
/// var settings = QuantizationSettings(method: .int8)
/// settings.perChannel = true
/// let outcome = try quantizeModel(model, settings: settings, train: nil, test: test)
/// try saveKerasModel(model, name: "lenet5", to: "lenet5-int8.h5", compressionState: outcome.state)
/// ```
public func quantizeModel(_ model: Model, settings: QuantizationSettings, train: Dataset?, test: Dataset?,
                          onEvent: (TrainingEvent) -> Void = { _ in }) throws -> QuantizationOutcome {
    try settings.validate()
    if let test { try checkModelFitsData(model, test) }
    if settings.retraining != nil && train == nil {
        throw CompressionError("fine-tuning needs training data")
    }
    func testAccuracy() -> Double? { test.map { evaluateModel(model, on: $0).top1Accuracy } }
    let accuracyBefore = testAccuracy()
    var state = CompressionState()
    var quantized: [(parameter: Parameter, row: QuantizationReport.Row)] = []
    var unquantizedLayers: [String] = []
    let description: String
    switch settings.method {
    case .kmeans:
        let weights = model.quantizableWeights
        let bitsByLayer = try settings.bitWidths.bits(forLayers: weights.map(\.layer))
        for weight in weights {
            guard let bits = bitsByLayer[weight.layer] else {
                unquantizedLayers.append(weight.layer)
                continue
            }
            let original = weight.parameter.effectiveValue.scalars
            let sharing = try WeightSharing(bits: bits, initialization: settings.initialization, seed: settings.seed)
            guard let outcome = sharing.apply(to: weight.parameter) else {
                unquantizedLayers.append(weight.layer)   // every weight pruned: nothing to share
                continue
            }
            state.quantization[weight.key] = .weightSharing(bits: bits)
            var row = QuantizationReport.Row(weight.key, weight.parameter, bits: bits, original: original)
            row.centroids = outcome.centroidCount
            row.iterations = outcome.iterations
            quantized.append((weight.parameter, row))
        }
        description = "bits \(settings.bitWidths), init \(settings.initialization.rawValue)"
            + (settings.retraining.map { ", fine-tuned \($0.epochs) epochs" } ?? "")
    case .int8:
        for weight in model.quantizableWeights {
            let parameter = weight.parameter
            let original = parameter.effectiveValue.scalars
            let codes = Int8QuantizedTensor(quantizing: parameter.effectiveValue, symmetric: settings.symmetric,
                                            axis: settings.perChannel ? weight.outputChannelAxis : nil)
            parameter.codebook = nil
            parameter.value = codes.dequantized()
            state.quantization[weight.key] = .int8(codes)
            var row = QuantizationReport.Row(weight.key, parameter, bits: 8, original: original)
            row.scales = codes.scales.count
            quantized.append((parameter, row))
        }
        description = (settings.perChannel ? "per output channel" : "per tensor") + ", "
            + (settings.symmetric ? "symmetric" : "asymmetric")
    case .fp16:
        for (key, parameter) in model.namedParameters {
            let original = parameter.effectiveValue.scalars
            let rounding: Float16Rounding
            if var codebook = parameter.codebook {
                rounding = Float16Rounding(codebook.centroids)
                codebook.centroids = rounding.values
                parameter.codebook = codebook
            } else {
                rounding = Float16Rounding(original)
                parameter.value = Tensor(shape: parameter.shape, scalars: rounding.values)
            }
            state.quantization[key] = .float16
            var row = QuantizationReport.Row(key, parameter, bits: 16, original: original)
            row.overflows = rounding.overflowCount
            row.subnormals = rounding.subnormalCount
            row.flushedToZero = rounding.flushedToZeroCount
            quantized.append((parameter, row))
        }
        description = "IEEE half precision, round to nearest even"
    }
    let accuracyQuantized = testAccuracy()
    var accuracyRetrained: Double?
    if let retraining = settings.retraining, let train {
        let result = try trainModel(model, train: train, test: test, settings: retraining, onEvent: onEvent)
        accuracyRetrained = result.finalTest?.top1Accuracy ?? testAccuracy()
        // Fine-tuning may have moved centroids past each other: back to ascending order.
        for (parameter, _) in quantized { parameter.codebook = parameter.codebook?.sortedAscending() }
    }
    let rows = quantized.map { parameter, row in
        var row = row
        let values = parameter.value.scalars
        row.distinctValues = distinctValueCount(values)
        row.nonZeroWeights = values.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
        return row
    }
    let report = QuantizationReport(method: settings.method.rawValue, settings: description, rows: rows,
                                    unquantizedLayers: unquantizedLayers, testAccuracyBefore: accuracyBefore,
                                    testAccuracyQuantized: accuracyQuantized, testAccuracyRetrained: accuracyRetrained,
                                    testImages: test?.count)
    return QuantizationOutcome(state: state, report: report)
}

private extension QuantizationReport.Row {
    /// A row for a parameter just quantized from `original`; the final counts come later.
    init(_ key: String, _ parameter: Parameter, bits: Int, original: [Float]) {
        self.init(parameter: key, shape: parameter.shape, bits: bits, distinctValues: 0, nonZeroWeights: 0,
                  noise: QuantizationNoise(original: original, quantized: parameter.value.scalars))
    }
}
