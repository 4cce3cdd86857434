import Foundation

/// How far quantized weights are from the originals: mean squared error and signal-to-quantization-
/// noise ratio, `SQNR = 10 log10(Σ w² / Σ (w − ŵ)²)` dB, both summed in `Double`.
///
/// ```swift
/// let noise = QuantizationNoise(original: before, quantized: after.scalars)
/// noise.signalToNoiseDecibels     // nil when nothing changed
/// ```
public struct QuantizationNoise: Sendable, Equatable, Codable {
    /// The mean of `(w − ŵ)²` over every element.
    public var meanSquaredError: Double
    /// The SQNR in decibels; nil when the error is zero (an infinite ratio).
    public var signalToNoiseDecibels: Double?

    /// Compares `quantized` with `original`, element by element.
    ///
    /// - Precondition: both have the same count.
    public init(original: [Float], quantized: [Float]) {
        precondition(original.count == quantized.count, "QuantizationNoise: \(original.count) and \(quantized.count) values")
        var signal = 0.0, noise = 0.0
        for (w, q) in zip(original, quantized) {
            let x = Double(w), e = Double(w) - Double(q)
            signal += x * x
            noise += e * e
        }
        meanSquaredError = original.isEmpty ? 0 : noise / Double(original.count)
        signalToNoiseDecibels = noise > 0 ? 10 * log10(signal / noise) : nil
    }
}

/// The number of distinct values among `values` (`-0` and `+0` count as one).
public func distinctValueCount(_ values: [Float]) -> Int {
    Set(values.map { $0 == 0 ? 0 : $0.bitPattern }).count
}
