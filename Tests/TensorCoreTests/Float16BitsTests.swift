import Testing
import TensorCore

@Test func decodingMatchesSwiftFloat16ForEveryPattern() {
    for bits in UInt16.min...UInt16.max {
        let decoded = Float16Bits.decode(bits)
        let expected = Float(Float16(bitPattern: bits))
        if expected.isNaN {
            #expect(decoded.isNaN, "pattern \(bits)")
        } else {
            #expect(decoded.bitPattern == expected.bitPattern, "pattern \(bits)")
            #expect(Float16Bits.encode(decoded) == bits, "pattern \(bits) does not round-trip")
        }
    }
}

@Test func halfwayValuesRoundToEven() {
    // Between every pair of adjacent finite halves (subnormals included), the midpoint goes to
    // the one with an even mantissa and anything off the midpoint to the nearer one.
    for bits in UInt16(0)..<0x7BFF {
        let low = Float16Bits.decode(bits), high = Float16Bits.decode(bits + 1)
        let midpoint = (low + high) / 2
        #expect(Float16Bits.encode(midpoint) == (bits & 1 == 0 ? bits : bits + 1), "midpoint above \(bits)")
        #expect(Float16Bits.encode(midpoint.nextDown) == bits)
        #expect(Float16Bits.encode(midpoint.nextUp) == bits + 1)
        #expect(Float16Bits.encode(-midpoint) == 0x8000 | (bits & 1 == 0 ? bits : bits + 1))
    }
    #expect(Float16Bits.encode(1 + 0x1p-11) == 0x3C00)
    #expect(Float16Bits.encode(1 + 3 * 0x1p-11) == 0x3C02)
}

@Test func rangeEdges() {
    #expect(Float16Bits.encode(65504) == 0x7BFF)
    #expect(Float16Bits.decode(0x7BFF) == 65504)
    #expect(Float16Bits.encode(Float(65520).nextDown) == 0x7BFF)
    #expect(Float16Bits.encode(65520) == 0x7C00)
    #expect(Float16Bits.encode(1e10) == 0x7C00)
    #expect(Float16Bits.encode(-1e10) == 0xFC00)
    #expect(Float16Bits.encode(.infinity) == 0x7C00)
    #expect(Float16Bits.encode(-.infinity) == 0xFC00)
    #expect(Float16Bits.encode(.greatestFiniteMagnitude) == 0x7C00)
    // Smallest subnormal 2^-24; 2^-25 is the tie to zero; anything above it rounds up.
    #expect(Float16Bits.encode(0x1p-24) == 0x0001)
    #expect(Float16Bits.decode(0x0001) == 0x1p-24)
    #expect(Float16Bits.encode(0x1p-25) == 0x0000)
    #expect(Float16Bits.encode(Float(0x1p-25).nextUp) == 0x0001)
    #expect(Float16Bits.encode(-0x1p-26) == 0x8000)
    #expect(Float16Bits.encode(.leastNonzeroMagnitude) == 0x0000)
    // Largest subnormal and smallest normal.
    #expect(Float16Bits.encode(1023 * 0x1p-24) == 0x03FF)
    #expect(Float16Bits.encode(0x1p-14) == 0x0400)
    #expect(Float16Bits.encode(-0.0) == 0x8000)
    #expect(Float16Bits.decode(0x8000).sign == .minus)
}

@Test func nanStaysNaN() {
    for value in [Float.nan, -Float.nan, Float.signalingNaN, Float(bitPattern: 0x7F80_0001), Float(nan: 0x1FF, signaling: false)] {
        let bits = Float16Bits.encode(value)
        #expect(bits & 0x7C00 == 0x7C00 && bits & 0x03FF != 0, "NaN \(value.bitPattern) became \(bits)")
        #expect(bits & 0x0200 != 0, "NaN \(value.bitPattern) should be quiet")
        #expect(Float16Bits.decode(bits).isNaN)
    }
}

@Test func encodingMatchesSwiftFloat16OnRandomFloats() {
    var generator = RandomGenerator(seed: 16)
    for _ in 0..<20_000 {
        // Random bit patterns cover every exponent; scaled normals cover the half range densely.
        let pattern = Float(bitPattern: UInt32(truncatingIfNeeded: generator.next()))
        let scaled = generator.nextNormal() * 1000
        for value in [pattern, scaled] where !value.isNaN {
            #expect(Float16Bits.encode(value) == Float16(value).bitPattern, "value \(value)")
        }
    }
}

@Test func tensorRoundTrip() {
    let x = Tensor(shape: [2, 2], scalars: [0.1, -2, 65504, 1e-8])
    let bits = x.float16Bits()
    #expect(bits == Float16Bits.encode(x.scalars))
    let restored = Tensor(shape: [2, 2], float16Bits: bits)
    #expect(restored.shape == [2, 2])
    #expect(restored.scalars == [Float(Float16(0.1)), -2, 65504, Float(Float16(1e-8))])
}
