import Compression
import Testing

@Suite("Layer selection by glob")
struct LayerSelectionTests {
    let layers = ["conv1", "pool1", "conv2", "pool2", "flatten", "fc1", "fc2"]

    @Test func globsSelectInModelOrder() throws {
        #expect(try LayerSelection("conv*").select(from: layers) == ["conv1", "conv2"])
        #expect(try LayerSelection("fc?,conv1").select(from: layers) == ["conv1", "fc1", "fc2"])
        #expect(try LayerSelection("fc[2-9]").select(from: layers) == ["fc2"])
        #expect(try LayerSelection("*").select(from: layers) == layers)
    }

    @Test func aPatternMatchingNothingIsAnError() {
        #expect(throws: CompressionError.self) { try LayerSelection("dense*").select(from: layers) }
        #expect(throws: CompressionError.self) { try LayerSelection("fc1,fc9").select(from: layers) }
    }
}
