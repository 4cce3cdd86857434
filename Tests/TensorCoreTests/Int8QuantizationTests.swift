import Testing
import TensorCore

@Test func symmetricRoundTripIsWithinHalfAStep() {
    var generator = RandomGenerator(seed: 21)
    let x = generator.normal(shape: [1000], standardDeviation: 0.3)
    let quantization = Int8Quantization.symmetric(fitting: x.scalars)
    let largest = x.scalars.map(\.magnitude).max()!
    #expect(quantization.scale == largest / 127)
    #expect(quantization.zeroPoint == 0 && quantization.isSymmetric)
    let codes = quantization.quantize(x)
    #expect(codes.allSatisfy { $0 >= -127 })
    #expect(codes.map { abs(Int($0)) }.max() == 127)
    let restored = quantization.dequantize(codes, shape: x.shape)
    #expect(maxAbsoluteDifference(restored.scalars, x.scalars) <= quantization.scale / 2 * 1.0001)
}

@Test func asymmetricRoundTripIsWithinHalfAStepAndKeepsZeroExact() {
    var generator = RandomGenerator(seed: 22)
    let x = generator.uniform(shape: [1000], low: -0.5, high: 3)
    let quantization = Int8Quantization.asymmetric(fitting: x.scalars)
    #expect(!quantization.isSymmetric)
    let low = x.scalars.min()!, high = x.scalars.max()!
    #expect(abs(quantization.scale - (high - low) / 255) <= 1e-6 * quantization.scale)
    #expect(quantization.quantize(low) == -128)
    #expect(quantization.quantize(high) == 127)
    #expect(quantization.dequantize(quantization.quantize(0)) == 0)
    let codes = quantization.quantize(x.scalars)
    #expect(maxAbsoluteDifference(quantization.dequantize(codes), x.scalars) <= quantization.scale / 2 * 1.0001)
}

@Test func asymmetricRangeIncludesZero() {
    let positive = Int8Quantization.asymmetric(fitting: [1, 2, 3])
    #expect(positive.zeroPoint == -128)
    #expect(positive.quantize(3) == 127)
    let negative = Int8Quantization.asymmetric(fitting: [-4, -1])
    #expect(negative.zeroPoint == 127)
    #expect(negative.quantize(-4) == -128)
}

@Test func quantizationSaturatesAndRoundsHalfToEven() {
    let symmetric = Int8Quantization.symmetric(scale: 1)
    #expect(symmetric.quantize([0.5, 1.5, 2.5, -2.5, -0.5, 126.6]) == [0, 2, 2, -2, 0, 127])
    #expect(symmetric.quantize([1000, -1000, .infinity, -.infinity]) == [127, -127, 127, -127])
    let asymmetric = Int8Quantization.asymmetric(scale: 0.5, zeroPoint: 10)
    #expect(asymmetric.quantize([0, 1, -1000, 1000]) == [10, 12, -128, 127])
    #expect(asymmetric.dequantize([10, 12, -128]) == [0, 1, -69])
    #expect(asymmetric.range == -128...127 && symmetric.range == -127...127)
}

@Test func degenerateInputsGetScaleOne() {
    #expect(Int8Quantization.symmetric(fitting: [0, 0]) == .symmetric(scale: 1))
    #expect(Int8Quantization.asymmetric(fitting: []) == .asymmetric(scale: 1, zeroPoint: -128))
    let huge = Int8Quantization.asymmetric(fitting: [-.greatestFiniteMagnitude, .greatestFiniteMagnitude])
    #expect(huge.scale.isFinite && huge.quantize(.greatestFiniteMagnitude) == 127)
}
