import Foundation
import Compression
import TensorCore
import Testing

@Suite("Linear int8 and FP16 quantization")
struct QuantizationLinearTests {
    /// A [3, 4] kernel whose four output channels have very different ranges.
    let kernel = Tensor(shape: [3, 4], scalars: [
        1.0, 0.01, -50, 0,
        -0.5, 0.02, 25, 0,
        0.25, -0.03, 10, 0,
    ])

    @Test("symmetric per tensor: scale = max|w| / 127, codes within ±127, error at most scale / 2")
    func symmetricPerTensor() {
        let q = Int8QuantizedTensor(quantizing: kernel, symmetric: true, axis: nil)
        #expect(q.scales == [Float(50) / 127])
        #expect(q.zeroPoints == [0])
        #expect(q.codes.allSatisfy { (-127...127).contains($0) })
        #expect(q.codes[2] == -127)
        let restored = q.dequantized()
        for (w, r) in zip(kernel.scalars, restored.scalars) { #expect(abs(w - r) <= q.scales[0] / 2 * 1.0001) }
        // The small channel is lost against the large one.
        #expect(restored.scalars[1] == 0)
    }

    @Test("per output channel: each channel gets the scale of its own range")
    func symmetricPerChannel() {
        let q = Int8QuantizedTensor(quantizing: kernel, symmetric: true, axis: 1)
        let expected: [Float] = [1.0 / 127, 0.03 / 127, 50 / 127, 1]   // an all-zero channel gets scale 1
        #expect(q.scales == expected)
        let restored = q.dequantized().scalars
        for i in 0..<12 { #expect(abs(kernel.scalars[i] - restored[i]) <= q.scales[i % 4] / 2 * 1.0001) }
        #expect(abs(restored[1] - 0.01) < 0.001)
        let perTensorError = zip(kernel.scalars, Int8QuantizedTensor(quantizing: kernel, symmetric: true, axis: nil).dequantized().scalars)
            .reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        let perChannelError = zip(kernel.scalars, restored).reduce(Float(0)) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        #expect(perChannelError < perTensorError)
    }

    @Test("per channel along a leading axis picks the right elements")
    func leadingAxis() {
        let q = Int8QuantizedTensor(quantizing: kernel, symmetric: true, axis: 0)
        let expected: [Float] = [50 / 127, 25 / 127, 10 / 127]
        #expect(q.scales == expected)
    }

    @Test("asymmetric: 256 levels over [min, max], zero exact, codes reach both ends")
    func asymmetric() {
        let values = Tensor(shape: [2, 3], scalars: [0.5, 1, 2, 3, 0, 0.1])
        let q = Int8QuantizedTensor(quantizing: values, symmetric: false, axis: nil)
        #expect(q.scales == [Float(3) / 255])
        #expect(q.codes.min() == -128 && q.codes.max() == 127)
        let restored = q.dequantized().scalars
        #expect(restored[4] == 0)
        for (w, r) in zip(values.scalars, restored) { #expect(abs(w - r) <= q.scales[0] / 2 * 1.0001) }
    }

    @Test("stored parts that do not fit are errors naming the part")
    func badParts() {
        func message(_ body: () throws -> Int8QuantizedTensor) -> String {
            do { _ = try body(); return "" } catch { return String(describing: error) }
        }
        let codes = [Int8](repeating: 1, count: 6)
        #expect(message { try Int8QuantizedTensor(shape: [2, 3], codes: codes, scales: [1, 1, 1], zeroPoints: [0, 0, 0], axis: 1) }.isEmpty)
        #expect(message { try Int8QuantizedTensor(shape: [2, 4], codes: codes, scales: [1], zeroPoints: [0], axis: nil) }.hasPrefix("int8_values"))
        #expect(message { try Int8QuantizedTensor(shape: [2, 3], codes: codes, scales: [1, 1], zeroPoints: [0, 0, 0], axis: 1) }.hasPrefix("scales"))
        #expect(message { try Int8QuantizedTensor(shape: [2, 3], codes: codes, scales: [1, 1, 1], zeroPoints: [0], axis: 1) }.hasPrefix("zero_points"))
        #expect(message { try Int8QuantizedTensor(shape: [2, 3], codes: codes, scales: [1], zeroPoints: [0], axis: 2) }.hasPrefix("int8_axis"))
        #expect(message { try Int8QuantizedTensor(shape: [2, 3], codes: codes, scales: [0], zeroPoints: [0], axis: nil) }.hasPrefix("scales"))
        #expect(message { try Int8QuantizedTensor(shape: [2, 3], codes: codes, scales: [1], zeroPoints: [200], axis: nil) }.hasPrefix("zero_points"))
    }

    @Test("FP16 rounds to nearest even and counts overflow, subnormal and flushed values")
    func float16() {
        let values: [Float] = [1 + 0x1p-11, 1 + 3 * 0x1p-11, 70_000, -1e6, 65504, 1e-6, -3e-5, 1e-9, 0, 0.1]
        let rounding = Float16Rounding(values)
        #expect(rounding.values[0] == 1)                   // tie to even
        #expect(rounding.values[1] == 1 + 0x1p-9)          // tie to even, upwards
        #expect(rounding.values[2] == 65504 && rounding.values[3] == -65504)
        #expect(rounding.values[4] == 65504)
        #expect(rounding.values[7] == 0)
        #expect(rounding.values[9] == Float(Float16(0.1)))
        #expect(rounding.overflowCount == 2)
        #expect(rounding.subnormalCount == 2)
        #expect(rounding.flushedToZeroCount == 1)
        #expect(rounding.values.allSatisfy { Float(Float16($0)) == $0 })
    }

    @Test("SQNR is 10 log10 of signal over noise power; no error means no finite SQNR")
    func noise() {
        let noise = QuantizationNoise(original: [3, 4], quantized: [3, 3.9])
        #expect(abs(noise.meanSquaredError - 0.005) < 1e-7)
        #expect(abs(noise.signalToNoiseDecibels! - 10 * log10(25 / 0.01)) < 1e-4)
        #expect(QuantizationNoise(original: [1, 2], quantized: [1, 2]).signalToNoiseDecibels == nil)
        #expect(distinctValueCount([0, -0.0, 1, 1, 2]) == 3)
    }
}
