import Testing
import TensorCore
@testable import NN

@Suite("Sequential models and architectures")
struct ModelTests {
    @Test func builtInParameterCounts() throws {
        let lenet300 = try Architecture.lenet300.build(seed: 1)
        #expect(lenet300.parameterCount == 266_610)
        #expect(lenet300.namedParameters.map(\.key) == ["fc1.kernel", "fc1.bias", "fc2.kernel", "fc2.bias", "fc3.kernel", "fc3.bias"])
        #expect(lenet300.parameter(named: "fc1.kernel")!.shape == [784, 300])
        let lenet5 = try Architecture.lenet5.build(seed: 1)
        #expect(lenet5.parameterCount == 431_080)
        #expect(lenet5.parameter(named: "conv2.kernel")!.shape == [5, 5, 20, 50])
        #expect(lenet5.parameter(named: "fc1.kernel")!.shape == [800, 500])
        #expect(lenet5.outputShape == [10])
        #expect(Architecture.named("LeNet5") == Architecture.lenet5)
    }

    @Test func seededInitialisation() throws {
        let a = try Architecture.lenet5.build(seed: 3), b = try Architecture.lenet5.build(seed: 3)
        let c = try Architecture.lenet5.build(seed: 4)
        #expect(a.weights == b.weights)
        #expect(a.weights["conv1.kernel"] != c.weights["conv1.kernel"])
        // Glorot uniform limits, zero biases.
        let kernel = a.parameter(named: "fc1.kernel")!.value.scalars
        let limit = (6.0 / Float(800 + 500)).squareRoot()
        #expect(kernel.allSatisfy { abs($0) <= limit })
        #expect(kernel.map { abs($0) }.max()! > 0.9 * limit)
        #expect(a.parameter(named: "fc1.bias")!.value.scalars.allSatisfy { $0 == 0 })
    }

    @Test func logitsSkipFinalSoftmax() throws {
        let model = try Architecture.lenet300.build(seed: 2)
        let x = randomTensor([3, 28, 28, 1], seed: 100)
        let logits = model.logits(Variable(x)).value
        let probabilities = model.predict(x)
        #expect(model.endsInSoftmax)
        for r in 0..<3 {
            let row = Array(probabilities.scalars[(r * 10)..<(r * 10 + 10)])
            #expect(abs(row.reduce(0, +) - 1) < 1e-5)
            let expected = Variable(Tensor(shape: [1, 10], scalars: Array(logits.scalars[(r * 10)..<(r * 10 + 10)]))).softmax().value.scalars
            expectClose(row, expected)
        }
        // Flat input of the right size is reshaped to the model's input.
        #expect(model.predict(Tensor(shape: [3, 784], scalars: x.scalars)) == probabilities)
    }

    @Test func setWeightsByKey() throws {
        let model = try Architecture.lenet300.build(seed: 2)
        try model.setWeights(["fc3.bias": Tensor(repeating: 0.5, shape: [10])])
        #expect(model.parameter(named: "fc3.bias")!.value.scalars.allSatisfy { $0 == 0.5 })
        #expect(throws: ModelError.unknownParameter("fc9.bias")) { try model.setWeights(["fc9.bias": Tensor(zeros: [10])]) }
        #expect(throws: ModelError.shapeMismatch(key: "fc3.bias", expected: [10], got: [9])) {
            try model.setWeights(["fc3.bias": Tensor(zeros: [9])])
        }
    }

    @Test func buildFromCode() {
        var rng = RandomGenerator(seed: 1)
        let model = Model(inputShape: [4], layers: [
            ("hidden", Dense(inputCount: 4, units: 8, activation: .relu, generator: &rng)),
            ("drop", Dropout(rate: 0.2)),
            ("out", Dense(inputCount: 8, units: 3, generator: &rng)),
            ("probabilities", ActivationLayer(.softmax)),
        ])
        #expect(model.parameterCount == 4 * 8 + 8 + 8 * 3 + 3)
        #expect(model.endsInSoftmax)
        #expect(model.logits(Variable(Tensor(zeros: [2, 4]))).shape == [2, 3])
        #expect(model.layerNames == ["hidden", "drop", "out", "probabilities"])
        #expect(model.summary.contains("Total params: 67"))
    }

    @Test func textFormatRoundTrips() throws {
        let text = """
            # a comment line
            input 28x28x1
            conv2d conv1 filters=20 kernel=5 stride=1 padding=valid   # trailing comment
            maxpool2d pool1 size=2
            conv2d conv2 filters=50 kernel=5
            maxpool2d pool2 size=2
            flatten

            dense fc1 units=500 activation=relu
            dense fc2 units=10 activation=softmax
            """
        let parsed = try Architecture(parsing: text, name: "lenet5")
        #expect(parsed.layers.map(\.name) == Architecture.lenet5.layers.map(\.name))
        #expect(try parsed.build(seed: 9).weights == Architecture.lenet5.build(seed: 9).weights)
        let again = try Architecture(parsing: parsed.text, name: "lenet5")
        #expect(again == parsed)
        let lenet300 = try Architecture(parsing: Architecture.lenet300.text, name: "lenet300")
        #expect(lenet300 == Architecture.lenet300)
    }

    @Test func textFormatDefaultsAndNames() throws {
        let parsed = try Architecture(parsing: """
            input 8x8x3
            conv2d filters=4 kernel=3x1 stride=2 padding=same activation=relu6 bias=false
            depthwiseconv2d kernel=3 multiplier=2 padding=same
            batchnorm momentum=0.9
            activation function=relu
            avgpool2d size=2 stride=1
            globalavgpool2d
            reshape shape=2x-1
            flatten
            dropout rate=0.25
            dense units=10
            dense units=2 activation=sigmoid
            """)
        let padded = try Architecture(parsing: "input 4x4x1\nzeropad2d pad=1,2\nzeropad2d z pad=0,1,2,3\nflatten")
        #expect(try padded.outputShape() == [(4 + 2 + 1) * (4 + 4 + 2 + 3)])
        #expect(try Architecture(parsing: padded.text) == padded)
        #expect(parsed.layers.map(\.name) == ["conv2d", "depthwiseconv2d", "batchnorm", "activation", "avgpool2d",
                                              "globalavgpool2d", "reshape", "flatten", "dropout", "dense", "dense_1"])
        #expect(parsed.layers[0].config == ["filters": 4, "kernel_size": [3, 1], "strides": [2, 2], "padding": "same",
                                            "dilation_rate": [1, 1], "groups": 1, "activation": "relu6", "use_bias": false])
        let model = try parsed.build(seed: 1)
        #expect(model.outputShape == [2])
        #expect(model.layerInputShapes[6] == [[8]])
        #expect(try Architecture(parsing: parsed.text) == parsed)
    }

    @Test(arguments: [
        ("dense fc units=3", 1, "input"),
        ("input 4\ninput 4", 2, "second input"),
        ("input 4\ndense fc", 2, "units is missing"),
        ("input 4\nwidget w", 2, "unknown layer type"),
        ("input 4\ndense fc units=3 colour=red", 2, "unknown option"),
        ("input 4\ndense fc units=3 activation=swishy", 2, "not a supported activation"),
        ("input 4\ndense fc units=3\ndense fc units=2", 3, "a second layer with this name"),
        ("input 4\n\n# comment\nconv2d c filters=2 kernel=3", 4, "needs [h, w, c] input"),
        ("input 4x4x1\nconv2d c filters=2 kernel=5", 2, "larger than input"),
        ("input 4x4x1\nmaxpool2d p size=2 padding=diagonal", 2, "padding must be valid or same"),
        ("input 4x4x1\ndense d units=x", 2, "must be an integer"),
    ])
    func textFormatErrorsNameTheLine(_ text: String, _ line: Int, _ fragment: String) {
        do {
            _ = try Architecture(parsing: text)
            Issue.record("no error for \(text)")
        } catch let error as ArchitectureError {
            if line == 1 && fragment == "input" {
                #expect(error.description.contains("input"))
            } else {
                #expect(error.line == line, "\(error)")
                #expect(error.description.contains(fragment), "\(error)")
                #expect(error.description.hasPrefix("line \(line):"))
            }
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }
}
