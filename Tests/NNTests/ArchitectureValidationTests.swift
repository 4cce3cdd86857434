import NN
import Testing

/// `Architecture.validated()` checks names and sizes before anything is allocated, and gives the
/// parameter shapes the built model has.
@Suite("Architecture validation")
struct ArchitectureValidationTests {
    static let zoo = Architecture(name: "zoo", inputShape: [8, 8, 2], layers: [
        LayerSpec("pad", ZeroPadding2D.self, ["padding": [1, 1, 0, 1]]),
        LayerSpec("conv", Conv2D.self, ["filters": 3, "kernel_size": 3, "padding": "same", "activation": "relu"]),
        LayerSpec("norm", BatchNormalization.self, ["center": false]),
        LayerSpec("depthwise", DepthwiseConv2D.self, ["kernel_size": 2, "depth_multiplier": 2]),
        LayerSpec("pool", MaxPool2D.self, ["pool_size": 2]),
        LayerSpec("reshape", Reshape.self, ["target_shape": [-1, 6]]),
        LayerSpec("flatten", Flatten.self),
        LayerSpec("dense", Dense.self, ["units": 4, "use_bias": false]),
    ])

    @Test("the parameter shapes are those of the built model")
    func shapesMatchTheBuiltModel() throws {
        for architecture in [Self.zoo, Architecture.lenet5, Architecture.lenet300] {
            let validated = try architecture.validated()
            let model = try architecture.build(seed: 1)
            #expect(validated.parameters == model.entries.map { $0.layer.parameters.map { ParameterShape($0.name, $0.shape) } })
            #expect(validated.parameterCount == model.parameterCount)
        }
    }

    @Test("sizes out of range are refused naming the layer, before allocating", arguments: [
        (LayerSpec("bad", Dense.self, ["units": 1_000_000_000_000]), "units 1000000000000 is outside"),
        (LayerSpec("bad", Dense.self, ["units": -4]), "units must be a positive integer"),
        (LayerSpec("bad", Dense.self, ["units": .int(1 << 24)]), "outside the limits"),   // 2^24 x 2^24 kernel: past the element limit
        (LayerSpec("bad", Reshape.self, ["target_shape": [-1, -1]]), "cannot reshape"),
        (LayerSpec("bad", Dropout.self, ["rate": 2]), "rate 2.0 is outside"),
        (LayerSpec("bad", BatchNormalization.self, ["epsilon": .double(.infinity)]), "finite"),
    ])
    func sizesOutOfRange(spec: LayerSpec, fragment: String) {
        let architecture = Architecture(name: "m", inputShape: [1 << 24], layers: [spec])
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
        let architecture = Architecture(name: "m", inputShape: shape, layers: [LayerSpec("fc", Dense.self, ["units": 2])])
        #expect(throws: ArchitectureError.self) { try architecture.validated() }
    }

    @Test("layer names: non-empty, unique, no '/', '.' or control characters, at most 255 bytes",
          arguments: ["", "a/b", "a.b", "esc\u{1B}[31m", "bell\u{07}", "new\nline", "nul\u{0}", String(repeating: "x", count: 256)])
    func badNames(name: String) {
        #expect(LayerName.problem(with: name) != nil)
        let architecture = Architecture(name: "m", inputShape: [4], layers: [LayerSpec(name, Dense.self, ["units": 2])])
        #expect(throws: ArchitectureError.self) { try architecture.validated() }
    }

    @Test("good names pass; a model name may be empty or dotted")
    func goodNames() throws {
        for name in ["fc1", "conv2d_10", "a|b", "é", String(repeating: "x", count: 255)] { #expect(LayerName.problem(with: name) == nil) }
        #expect(LayerName.problem(withModelName: "") == nil)
        #expect(LayerName.problem(withModelName: "lenet.v2") == nil)
        #expect(LayerName.problem(withModelName: "a/b") != nil)
        let duplicate = Architecture(name: "m", inputShape: [4], layers: [LayerSpec("fc", Dense.self, ["units": 2]), LayerSpec("fc", Dense.self, ["units": 2])])
        #expect(throws: ArchitectureError.self) { try duplicate.validated() }
    }

    @Test("control characters are escaped for display, other text is left alone")
    func escaping() {
        #expect("fc\u{1B}[31m1\n".escapingControlCharacters == "fc\\u{1B}[31m1\\n")
        #expect("a\u{07}\t\r\u{0}\u{7F}\u{85}\u{2028}".escapingControlCharacters == "a\\u{7}\\t\\r\\u{0}\\u{7F}\\u{85}\\u{2028}")
        #expect("plain é | \\".escapingControlCharacters == "plain é | \\")
    }
}
