/// One parameter a layer of an architecture gets: its name in the layer and its shape.
public struct ParameterShape: Sendable, Equatable {
    public var name: String
    public var shape: [Int]

    public init(name: String, shape: [Int]) {
        self.name = name
        self.shape = shape
    }
}

/// What ``Architecture/validated()`` finds: each layer's parameters and their total size.
public struct ValidatedArchitecture: Sendable, Equatable {
    /// The parameters of each layer, in layer order (empty for layers without weights), in the
    /// order the built layer lists them.
    public var parameters: [[ParameterShape]]
    /// Elements of all parameters together.
    public var parameterCount: Int
}

extension Architecture {
    /// Checks the architecture without allocating anything: names (``LayerName``), every extent
    /// and count positive and within ``ArchitectureLimits``, each layer fitting the shape it gets,
    /// products computed with overflow checks; returns the parameter shapes it implies.
    ///
    /// ``build(seed:)`` calls it first, so a model is only allocated once its size is known;
    /// loaders call it to compare that size with their own limits before building.
    ///
    /// - Throws: ``ArchitectureError`` naming the layer at fault.
    public func validated() throws -> ValidatedArchitecture {
        let maxElements = ArchitectureLimits.maxElements, maxExtent = ArchitectureLimits.maxExtent
        if let problem = LayerName.problem(withModelName: name) { throw ArchitectureError(line: nil, message: problem) }
        guard !inputShape.isEmpty, inputShape.count <= 8, inputShape.allSatisfy({ (1...maxExtent).contains($0) }) else {
            throw ArchitectureError(line: nil, message: "input shape \(inputShape) must have 1 to 8 extents, each in 1...\(maxExtent)")
        }
        var shape = inputShape
        var names = Set<String>()
        var parameters: [[ParameterShape]] = []
        var total = 0
        for spec in layers {
            func fail(_ message: String) -> ArchitectureError { ArchitectureError(line: nil, layer: spec.name, message: message) }
            func product(_ values: [Int]) throws -> Int {
                var result = 1
                for value in values {
                    let (next, overflow) = result.multipliedReportingOverflow(by: value)
                    guard !overflow, next <= maxElements else { throw fail("has more than \(maxElements) elements in one shape") }
                    result = next
                }
                return result
            }
            func extent(_ value: Int, _ what: String) throws -> Int {
                guard (1...maxExtent).contains(value) else { throw fail("\(what) \(value) is outside 1...\(maxExtent)") }
                return value
            }
            func window(_ input: Int, _ size: Int, _ stride: Int, _ padding: Padding) throws -> Int {
                _ = try extent(size, "window")
                _ = try extent(stride, "stride")
                let output = padding.output(input: input, window: size, stride: stride).extent
                guard output >= 1 else { throw fail("window \(size) is larger than input extent \(input)") }
                return output
            }
            func spatial(_ what: String) throws -> (Int, Int, Int) {
                guard shape.count == 3 else { throw fail("\(what) needs [h, w, c] input, got \(shape)") }
                return (shape[0], shape[1], shape[2])
            }
            if let problem = LayerName.problem(with: spec.name) { throw fail(problem) }
            guard names.insert(spec.name).inserted else { throw fail("a second layer with this name") }
            var layerParameters: [ParameterShape] = []
            func parameter(_ name: String, _ parameterShape: [Int]) throws {
                _ = try product(parameterShape)
                layerParameters.append(ParameterShape(name: name, shape: parameterShape))
            }
            let features = shape[shape.count - 1]
            switch spec.kind {
            case let .dense(units, _, useBias):
                try parameter("kernel", [features, try extent(units, "units")])
                if useBias { try parameter("bias", [units]) }
                shape[shape.count - 1] = units
            case let .conv2d(filters, kernel, strides, padding, _, useBias):
                let (h, w, c) = try spatial("conv2d")
                try parameter("kernel", [kernel.height, kernel.width, c, try extent(filters, "filters")])
                if useBias { try parameter("bias", [filters]) }
                shape = [try window(h, kernel.height, strides.height, padding), try window(w, kernel.width, strides.width, padding), filters]
            case let .depthwiseConv2d(kernel, strides, padding, multiplier, _, useBias):
                let (h, w, c) = try spatial("depthwiseconv2d")
                let channels = try product([c, try extent(multiplier, "depth multiplier")])
                try parameter("depthwise_kernel", [kernel.height, kernel.width, c, multiplier])
                if useBias { try parameter("bias", [channels]) }
                shape = [try window(h, kernel.height, strides.height, padding), try window(w, kernel.width, strides.width, padding), channels]
            case let .maxPool2d(pool, strides, padding), let .averagePool2d(pool, strides, padding):
                let (h, w, c) = try spatial(spec.kind.keyword)
                let strides = strides ?? pool
                shape = [try window(h, pool.height, strides.height, padding), try window(w, pool.width, strides.width, padding), c]
            case .globalAveragePool2d:
                shape = [try spatial("globalavgpool2d").2]
            case .flatten:
                shape = [try product(shape)]
            case let .reshape(target):
                let count = try product(shape)
                let unknowns = target.filter { $0 == -1 }.count
                guard !target.isEmpty, target.count <= 8, target.allSatisfy({ (1...maxExtent).contains($0) || $0 == -1 }), unknowns <= 1 else {
                    throw fail("cannot reshape \(shape) to \(target)")
                }
                let known = try product(target.filter { $0 != -1 })
                guard unknowns == 1 ? count % known == 0 : known == count else { throw fail("cannot reshape \(shape) to \(target)") }
                shape = target.map { $0 == -1 ? count / known : $0 }
            case let .dropout(rate):
                guard rate >= 0, rate < 1 else { throw fail("dropout rate \(rate) is outside [0, 1)") }
            case let .batchNormalization(epsilon, momentum, center, scale):
                guard epsilon.isFinite, epsilon >= 0, momentum.isFinite else { throw fail("epsilon and momentum must be finite, epsilon not negative") }
                if scale { try parameter("gamma", [features]) }
                if center { try parameter("beta", [features]) }
                try parameter("moving_mean", [features])
                try parameter("moving_variance", [features])
            case .activation:
                break
            case let .zeroPadding2d(top, bottom, left, right):
                let (h, w, c) = try spatial("zeropad2d")
                guard [top, bottom, left, right].allSatisfy({ (0...maxExtent).contains($0) }) else {
                    throw fail("padding must be in 0...\(maxExtent)")
                }
                shape = [h + top + bottom, w + left + right, c]
            }
            guard shape.allSatisfy({ (1...maxExtent).contains($0) }) else {
                throw fail("gives an output shape \(shape) with an extent outside 1...\(maxExtent)")
            }
            _ = try product(shape)
            for parameter in layerParameters {
                let (sum, overflow) = total.addingReportingOverflow(parameter.shape.reduce(1, *))
                guard !overflow, sum <= maxElements else { throw fail("brings the model over \(maxElements) parameters") }
                total = sum
            }
            parameters.append(layerParameters)
        }
        return ValidatedArchitecture(parameters: parameters, parameterCount: total)
    }
}
