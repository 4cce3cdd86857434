import Compression
import Testing

@Suite("Magnitude masks")
struct PruningMaskTests {
    @Test("a target sparsity cuts exactly round(s x n) weights, the smallest magnitudes first")
    func targetSparsity() {
        let values: [Float] = [0.5, -0.05, 0.3, 0.1, -0.7, 0.2, -0.01, 0.9, 0.4, -0.6]
        let result = MagnitudeMask(values: values, existing: nil, sparsity: 0.4)
        #expect(result.mask == [1, 0, 1, 0, 1, 0, 0, 1, 1, 1])
        #expect(result.threshold == 0.2)
        #expect(result.sparsity == 0.4)
    }

    @Test("equal magnitudes are cut in position order, so the mask is deterministic")
    func ties() {
        let values: [Float] = [0.1, -0.1, 0.1, 0.5, -0.1]
        #expect(MagnitudeMask(values: values, existing: nil, sparsity: 0.4).mask == [0, 0, 1, 1, 1])
        #expect(MagnitudeMask(values: values, existing: nil, sparsity: 0.6).mask == [0, 0, 0, 1, 1])
    }

    @Test("weights already cut stay cut and count towards the target")
    func existingMask() {
        let values: [Float] = [0.9, 0.1, 0.2, 0.3, 0.4]
        // The largest weight was cut earlier: it stays cut, and one more (the smallest) reaches 40%.
        let result = MagnitudeMask(values: values, existing: [0, 1, 1, 1, 1], sparsity: 0.4)
        #expect(result.mask == [0, 0, 1, 1, 1])
        // Already sparser than asked: nothing changes, nothing comes back.
        let unchanged = MagnitudeMask(values: values, existing: [0, 1, 0, 0, 1], sparsity: 0.2)
        #expect(unchanged.mask == [0, 1, 0, 0, 1])
        #expect(unchanged.threshold == 0)
    }

    @Test("a threshold cuts magnitudes below it and keeps earlier cuts")
    func threshold() {
        let result = MagnitudeMask(values: [0.5, -0.25, 0.3, -0.1], existing: [1, 1, 0, 1], threshold: 0.25)
        #expect(result.mask == [1, 1, 0, 0])
    }

    @Test("a global sparsity uses one threshold across layers")
    func global() {
        let a: [Float] = [0.1, 0.2, 0.3, 0.4]
        let b: [Float] = [0.05, 0.9, 0.8, 0.7, 0.6, 0.5]
        let masks = MagnitudeMask.global(values: [a, b], existing: [nil, nil], sparsity: 0.5)
        #expect(masks[0].mask == [0, 0, 0, 0])
        #expect(masks[1].mask == [0, 1, 1, 1, 1, 1])
        #expect(masks.allSatisfy { $0.threshold == 0.4 })
    }

    @Test("the standard deviation of kept weights ignores cut ones")
    func standardDeviation() {
        #expect(standardDeviationOfKeptWeights([1, -1, 1, -1], mask: nil) == 1)
        // Over 3, -1, 1: mean 1, mean square 11/3, variance 8/3.
        #expect(abs(standardDeviationOfKeptWeights([3, -1, 100, 1], mask: [1, 1, 0, 1]) - Float((8.0 / 3).squareRoot())) < 1e-6)
    }
}
