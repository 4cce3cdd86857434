import TensorCore

/// `activation(x · kernel + bias)`: one sgemm with the bias pre-filled and the activation fused.
///
/// `x` has shape `[..., in]` (every leading axis is a row), `kernel` `[in, out]`, `bias` `[out]`.
/// The backward pass computes `dKernel = xᵀ · dz` and `dx = dz · kernelᵀ` with BLAS transpose
/// flags, accumulating with `beta = 1`, and skips whatever needs no gradient.
public func dense(_ x: Variable, kernel: Variable, bias: Variable?, activation: Activation = .linear) -> Variable {
    precondition(kernel.rank == 2, "dense: kernel must be [in, out], got \(kernel.shape)")
    if activation.derivativeNeedsInput { return dense(x, kernel: kernel, bias: bias).activated(activation) }
    let inputCount = kernel.shape[0], units = kernel.shape[1]
    precondition(x.shape.last == inputCount, "dense: input \(x.shape) does not end in \(inputCount)")
    if let bias { precondition(bias.shape == [units], "dense: bias \(bias.shape) should be [\(units)]") }
    let rows = x.value.count / Swift.max(inputCount, 1)
    let xValue = x.value, w = kernel.value, b = bias?.value
    var outputShape = x.shape
    outputShape[outputShape.count - 1] = units
    // Work is split so each worker reads its share of the larger operand: by rows when the
    // input is larger than the kernel, else by output columns (each worker then packs only its
    // half of the kernel). Softmax needs whole rows.
    let parts = partitionCount(rows, costPerItem: inputCount * units)
    let splitColumns = parts > 1 && rows * inputCount < inputCount * units && activation != .softmax && units >= 2 * parts
    let y = makeTensor(shape: outputShape) { out in
        let o = SendablePointer(out)
        xValue.withScalarPointer { px in w.withScalarPointer { pw in
            let biasValues = b?.scalars ?? []
            biasValues.withUnsafeBufferPointer { pb in
                let biasPointer = b == nil ? nil : pb.baseAddress
                runParts(parts) { part in
                    if splitColumns {
                        let u = partRange(part, of: parts, count: units)
                        sgemm(m: rows, n: u.count, k: inputCount, a: px, lda: inputCount, b: pw + u.lowerBound, ldb: units,
                              c: o.pointer + u.lowerBound, ldc: units)
                        activation.applySerial(o.pointer + u.lowerBound, rows: rows, rowLength: u.count, stride: units,
                                               bias: biasPointer.map { $0 + u.lowerBound })
                    } else {
                        let r = partRange(part, of: parts, count: rows)
                        let block = o.pointer + r.lowerBound * units
                        sgemm(m: r.count, n: units, k: inputCount, a: px + r.lowerBound * inputCount, lda: inputCount,
                              b: pw, ldb: units, c: block, ldc: units)
                        activation.applySerial(block, rows: r.count, rowLength: units, bias: biasPointer)
                    }
                }
            }
        } }
    }
    let parents = bias.map { [x, kernel, $0] } ?? [x, kernel]
    return Variable.record(y, parents: parents) { gradient in
        gradient.withMutableScalarPointer { dzMutable in
            let dz = SendablePointer(dzMutable)
            xValue.withScalarPointer { px in w.withScalarPointer { pw in y.withScalarPointer { py in
                // 1. dz = activation'(y) ∘ gradient, and the bias gradient (column sums of dz).
                let rowParts = partitionCount(rows, costPerItem: units * 4)
                let biasPartials = UnsafeMutablePointer<Float>.allocate(capacity: rowParts * units)
                defer { biasPartials.deallocate() }
                runParts(rowParts) { part in
                    let r = partRange(part, of: rowParts, count: rows)
                    let block = dz.pointer + r.lowerBound * units
                    activation.backwardSerial(output: py + r.lowerBound * units, gradient: block, rows: r.count, rowLength: units)
                    if bias != nil {
                        accumulateColumnSums(block, rows: r.count, columns: units, into: biasPartials + part * units, accumulate: false)
                    }
                }
                bias?.accumulateGradient { d, add in
                    if !add { d.update(repeating: 0, count: units) }
                    for part in 0..<rowParts {
                        let p = biasPartials + part * units
                        for j in 0..<units { d[j] += p[j] }
                    }
                }
                // 2. By input features f: dx[:, f] = dz · W[f, :]ᵀ and dW[f, :] = x[:, f]ᵀ · dz; each
                //    worker reads and writes only its rows of W and dW.
                kernel.withGradientBuffer { dwPointer, addW in
                    x.withGradientBuffer { dxPointer, addX in
                        let dw = dwPointer.map(SendablePointer.init), dx = dxPointer.map(SendablePointer.init)
                        let featureParts = partitionCount(inputCount, costPerItem: rows * units * ((dw == nil ? 0 : 1) + (dx == nil ? 0 : 1)))
                        runParts(featureParts) { part in
                            let f = partRange(part, of: featureParts, count: inputCount)
                            if let dx {
                                sgemm(m: rows, n: f.count, k: units, a: dz.pointer, lda: units, b: pw + f.lowerBound * units,
                                      ldb: units, transposeB: true, c: dx.pointer + f.lowerBound, ldc: inputCount, beta: addX ? 1 : 0)
                            }
                            if let dw {
                                sgemm(m: f.count, n: units, k: rows, a: px + f.lowerBound, lda: inputCount, transposeA: true,
                                      b: dz.pointer, ldb: units, c: dw.pointer + f.lowerBound * units, ldc: units, beta: addW ? 1 : 0)
                            }
                        }
                    }
                }
            } } }
        }
    }
}

/// A fully connected layer, as Keras' `Dense`: `y = activation(x · kernel + bias)`.
///
/// ```swift
/// var rng = RandomGenerator(seed: 1)
/// let fc1 = Dense(inputCount: 784, units: 300, activation: .relu, generator: &rng)
/// fc1.kernel.value.shape   // [784, 300]
/// ```
public final class Dense: ActivatedLayer {
    /// The input features.
    public let inputCount: Int
    /// The output features.
    public let units: Int
    /// The fused output activation.
    public var activation: Activation
    /// `[in, out]`.
    public let kernel: Parameter
    /// `[out]`, or nil without bias.
    public let bias: Parameter?

    /// Creates a layer with a Glorot-uniform kernel and a zero bias.
    public init(inputCount: Int, units: Int, activation: Activation = .linear, useBias: Bool = true,
                generator: inout RandomGenerator) {
        precondition(inputCount > 0 && units > 0, "Dense: sizes must be positive, got \(inputCount) -> \(units)")
        self.inputCount = inputCount
        self.units = units
        self.activation = activation
        kernel = Parameter(name: "kernel", value: glorotUniform(shape: [inputCount, units], generator: &generator))
        bias = useBias ? Parameter(name: "bias", value: Tensor(zeros: [units])) : nil
    }

    /// Creates a layer from given weights (`kernel` `[in, out]`, `bias` `[out]`).
    public init(kernel: Tensor, bias: Tensor?, activation: Activation = .linear) {
        precondition(kernel.rank == 2, "Dense: kernel must be [in, out], got \(kernel.shape)")
        inputCount = kernel.shape[0]
        units = kernel.shape[1]
        self.activation = activation
        self.kernel = Parameter(name: "kernel", value: kernel)
        if let bias {
            precondition(bias.shape == [units], "Dense: bias \(bias.shape) should be [\(units)]")
            self.bias = Parameter(name: "bias", value: bias)
        } else {
            self.bias = nil
        }
    }

    public var parameters: [Parameter] { bias.map { [kernel, $0] } ?? [kernel] }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape.last == inputCount, "Dense: input \(inputShape) does not end in \(inputCount)")
        return inputShape.dropLast() + [units]
    }

    public func forward(_ x: Variable, training: Bool, activation: Activation) -> Variable {
        dense(x, kernel: kernel.variable, bias: bias?.variable, activation: activation)
    }

    public var description: String {
        "Dense(\(inputCount) -> \(units), activation: \(activation)\(bias == nil ? ", no bias" : ""))"
    }
}

extension Dense: DescribedLayer {
    public static var kerasClassName: String { "Dense" }

    public static func plan(_ config: LayerConfig, inputShapes: [[Int]]) throws -> LayerPlan {
        let input = try singleInput(inputShapes)
        let units = try config.positiveInt("units"), useBias = try config.bool("use_bias", default: true)
        let canonical: LayerConfig = ["units": .int(units), "activation": .string(try config.activation().rawValue), "use_bias": .bool(useBias)]
        return LayerPlan(outputShape: input.dropLast() + [units],
                         parameters: [ParameterShape("kernel", [input.last!, units])] + (useBias ? [ParameterShape("bias", [units])] : []),
                         config: canonical)
    }

    public static func make(_ config: LayerConfig, inputShapes: [[Int]], generator: inout RandomGenerator) throws -> any ModelLayer {
        _ = try plan(config, inputShapes: inputShapes)
        return Dense(inputCount: inputShapes[0].last!, units: try config.positiveInt("units"), activation: try config.activation(),
                     useBias: try config.bool("use_bias", default: true), generator: &generator)
    }

    public var config: LayerConfig { ["units": .int(units), "activation": .string(activation.rawValue), "use_bias": .bool(bias != nil)] }
}
