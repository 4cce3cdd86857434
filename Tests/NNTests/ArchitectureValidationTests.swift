import NN
import Testing

/// `Architecture.validated()` checks names and sizes before anything is allocated, and gives the
/// parameter shapes the built model has.
@Suite("Architecture validation")
struct ArchitectureValidationTests {
    static let zoo = Architecture(name: "zoo", inputShape: [8, 8, 2], layers: [
        LayerSpec("pad", .zeroPadding2d(top: 1, bottom: 1, left: 0, right: 1)),
        LayerSpec("conv", .conv2d(filters: 3, kernelSize: Size2D(3), padding: .same, activation: .relu)),
        LayerSpec("norm", .batchNormalization(center: false)),
        LayerSpec("depthwise", .depthwiseConv2d(kernelSize: Size2D(2), depthMultiplier: 2)),
        LayerSpec("pool", .maxPool2d(poolSize: Size2D(2))),
        LayerSpec("reshape", .reshape([-1, 6])),
        LayerSpec("flatten", .flatten),
        LayerSpec("dense", .dense(units: 4, useBias: false)),
    ])

    @Test("the parameter shapes are those of the built model")
    func shapesMatchTheBuiltModel() throws {
        for architecture in [Self.zoo, Architecture.lenet5, Architecture.lenet300] {
            let validated = try architecture.validated()
            let model = try architecture.build(seed: 1)
            #expect(validated.parameters == model.entries.map { $0.layer.parameters.map { ParameterShape(name: $0.name, shape: $0.shape) } })
            #expect(validated.parameterCount == model.parameterCount)
        }
    }

    @Test("sizes out of range are refused naming the layer, before allocating", arguments: [
        (LayerSpec.Kind.dense(units: 1_000_000_000_000), "units 1000000000000 is outside"),
        (.dense(units: -4), "units -4 is outside"),
        (.dense(units: 1 << 24), "more than"),   // 2^24 x 2^24 kernel: past the element limit
        (.reshape([-1, -1]), "cannot reshape"),
        (.dropout(rate: 2), "dropout rate"),
        (.batchNormalization(epsilon: .infinity), "finite"),
    ])
    func sizesOutOfRange(kind: LayerSpec.Kind, fragment: String) {
        let architecture = Architecture(name: "m", inputShape: [1 << 24], layers: [LayerSpec("bad", kind)])
        #expect {
            try architecture.validated()
        } throws: { error in
            guard let error = error as? ArchitectureError else { return false }
            return error.layer == "bad" && error.message.contains(fragment)
        }
        #expect(throws: ArchitectureError.self) { try architecture.build(seed: 0) }
    }

    @Test("input shapes must be positive and within the extent limit", arguments: [[-8], [0], [1_000_000_000], [], [Int](repeating: 1, count: 9)])
    func inputShapes(shape: [Int]) {
        let architecture = Architecture(name: "m", inputShape: shape, layers: [LayerSpec("fc", .dense(units: 2))])
        #expect(throws: ArchitectureError.self) { try architecture.validated() }
    }

    @Test("layer names: non-empty, unique, no '/', '.' or control characters, at most 255 bytes",
          arguments: ["", "a/b", "a.b", "esc\u{1B}[31m", "bell\u{07}", "new\nline", "nul\u{0}", String(repeating: "x", count: 256)])
    func badNames(name: String) {
        #expect(LayerName.problem(with: name) != nil)
        let architecture = Architecture(name: "m", inputShape: [4], layers: [LayerSpec(name, .dense(units: 2))])
        #expect(throws: ArchitectureError.self) { try architecture.validated() }
    }

    @Test("good names pass; a model name may be empty or dotted")
    func goodNames() throws {
        for name in ["fc1", "conv2d_10", "a|b", "é", String(repeating: "x", count: 255)] { #expect(LayerName.problem(with: name) == nil) }
        #expect(LayerName.problem(withModelName: "") == nil)
        #expect(LayerName.problem(withModelName: "lenet.v2") == nil)
        #expect(LayerName.problem(withModelName: "a/b") != nil)
        let duplicate = Architecture(name: "m", inputShape: [4], layers: [LayerSpec("fc", .dense(units: 2)), LayerSpec("fc", .dense(units: 2))])
        #expect(throws: ArchitectureError.self) { try duplicate.validated() }
    }

    @Test("control characters are escaped for display, other text is left alone")
    func escaping() {
        #expect("fc\u{1B}[31m1\n".escapingControlCharacters == "fc\\u{1B}[31m1\\n")
        #expect("a\u{07}\t\r\u{0}\u{7F}\u{85}\u{2028}".escapingControlCharacters == "a\\u{7}\\t\\r\\u{0}\\u{7F}\\u{85}\\u{2028}")
        #expect("plain é | \\".escapingControlCharacters == "plain é | \\")
    }
}
