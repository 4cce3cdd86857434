import Compression
import Testing

@Suite("Bits per layer")
struct QuantizationBitWidthsTests {
    let lenet5 = ["conv1", "conv2", "fc1", "fc2"]

    @Test("one number for every layer")
    func uniform() throws {
        #expect(try BitWidths(parsing: "6").bits(forLayers: lenet5) == ["conv1": 6, "conv2": 6, "fc1": 6, "fc2": 6])
    }

    @Test("globs per layer, last match wins (as for --sparsity and in recipes), unmatched layers stay unquantized")
    func globs() throws {
        let widths = try BitWidths(parsing: "conv*=8, fc*=5, fc1=4")
        #expect(try widths.bits(forLayers: lenet5) == ["conv1": 8, "conv2": 8, "fc1": 4, "fc2": 5])
        #expect(try BitWidths(parsing: "*=5,conv1=8").bits(forLayers: lenet5) == ["conv1": 8, "conv2": 5, "fc1": 5, "fc2": 5])
        #expect(try BitWidths(parsing: "conv2=8").bits(forLayers: lenet5) == ["conv2": 8])
        #expect(widths.description == "conv*=8,fc*=5,fc1=4")
    }

    @Test("a bare number covers the layers no glob matches")
    func defaultWithOverrides() throws {
        #expect(try BitWidths(parsing: "5,conv*=8").bits(forLayers: lenet5) == ["conv1": 8, "conv2": 8, "fc1": 5, "fc2": 5])
    }

    @Test("bad texts are errors", arguments: ["0", "17", "-3", "abc", "conv*=", "=5", "conv*=x", "5,6", "", "a=1=2", "5,"])
    func badTexts(text: String) {
        #expect(throws: CompressionError.self) { try BitWidths(parsing: text) }
    }

    @Test("every width from 1 to 16 parses")
    func allWidths() throws {
        for bits in 1...16 { #expect(try BitWidths(parsing: "fc*=\(bits)").rules.first?.bits == bits) }
    }

    @Test("a glob that matches no layer is an error")
    func unmatchedGlob() throws {
        let widths = try BitWidths(parsing: "dense*=5")
        #expect(throws: CompressionError.self) { try widths.bits(forLayers: lenet5) }
    }
}
