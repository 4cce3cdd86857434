import Foundation

/// A seeded, deterministic pseudo-random generator (xoshiro256**, seeded through SplitMix64).
///
/// The same seed gives the same sequence on every machine and every run; every random choice
/// in the tool goes through one of these.
///
/// ```swift
/// var rng = RandomGenerator(seed: 42)
/// let w = rng.normal(shape: [784, 300], mean: 0, standardDeviation: 0.05)
/// ```
public struct RandomGenerator: RandomNumberGenerator, Sendable {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Creates a generator whose whole sequence is fixed by `seed`.
    public init(seed: UInt64) {
        var splitMix = seed
        func next() -> UInt64 {
            splitMix &+= 0x9E37_79B9_7F4A_7C15
            var z = splitMix
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        state = (next(), next(), next(), next())
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        let result = rotateLeft(state.1 &* 5, 7) &* 9
        let t = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= t
        state.3 = rotateLeft(state.3, 45)
        return result
    }

    private func rotateLeft(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }

    /// A uniform `Float` in `[0, 1)` with 24 random bits.
    public mutating func nextUnitFloat() -> Float {
        Float(next() >> 40) * (1.0 / 16_777_216.0)
    }

    /// A uniform `Double` in `[0, 1)` with 53 random bits.
    public mutating func nextUnitDouble() -> Double {
        Double(next() >> 11) * (1.0 / 9_007_199_254_740_992.0)
    }

    /// A uniform integer in `0..<upperBound`, without modulo bias.
    public mutating func nextInt(below upperBound: Int) -> Int {
        precondition(upperBound > 0, "RandomGenerator: upper bound must be positive")
        let bound = UInt64(upperBound)
        let threshold = (0 &- bound) % bound
        while true {
            let r = next()
            if r >= threshold { return Int(r % bound) }
        }
    }

    /// A standard normal sample (Box-Muller, computed in Double).
    public mutating func nextNormal() -> Float {
        var u1 = nextUnitDouble()
        while u1 <= 0 { u1 = nextUnitDouble() }
        let u2 = nextUnitDouble()
        return Float((-2 * log(u1)).squareRoot() * cos(2 * Double.pi * u2))
    }

    /// A tensor of uniform samples in `[low, high)`.
    ///
    /// - Precondition: `low < high` and `high - low` is finite.
    public mutating func uniform(shape: [Int], low: Float = 0, high: Float = 1) -> Tensor {
        precondition(low < high && (high - low).isFinite,
                     "RandomGenerator: uniform needs low < high with a finite width, got \(low) and \(high)")
        // `low + width * u` can round up to `high` itself; keep the interval half-open.
        let largest = high.nextDown
        let n = Tensor.elementCount(shape)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = Swift.min(low + (high - low) * nextUnitFloat(), largest) }
        return Tensor(shape: shape, scalars: values)
    }

    /// A tensor of normal samples.
    public mutating func normal(shape: [Int], mean: Float = 0, standardDeviation: Float = 1) -> Tensor {
        let n = Tensor.elementCount(shape)
        var values = [Float](repeating: 0, count: n)
        for i in 0..<n { values[i] = mean + standardDeviation * nextNormal() }
        return Tensor(shape: shape, scalars: values)
    }

    /// A uniformly random permutation of `0..<count` (Fisher-Yates).
    public mutating func permutation(_ count: Int) -> [Int] {
        var p = Array(0..<count)
        if count < 2 { return p }
        for i in stride(from: count - 1, to: 0, by: -1) {
            p.swapAt(i, nextInt(below: i + 1))
        }
        return p
    }
}
