/// What ``Architecture/validated()`` finds: the architecture in canonical form, how its layers
/// connect, and each layer's shapes and parameters.
public struct ValidatedArchitecture: Sendable, Equatable {
    /// The architecture with every configuration in canonical form (``LayerPlan/config``).
    public var architecture: Architecture
    /// For each layer, the indices of the layers it takes, in order; -1 is the model's input.
    public var inputs: [[Int]]
    /// The shape of each layer's output example.
    public var outputShapes: [[Int]]
    /// The parameters of each layer, in layer order (empty for layers without weights), in the
    /// order the built layer lists them.
    public var parameters: [[ParameterShape]]
    /// Elements of all parameters together.
    public var parameterCount: Int
}

extension Architecture {
    /// Checks the architecture without allocating anything: names (``LayerName``), every
    /// layer's type known and its inputs earlier layers, every configured integer, extent and
    /// count within ``ArchitectureLimits``, each layer fitting the shapes it gets (its
    /// ``DescribedLayer/plan(_:inputShapes:)``), products computed with overflow checks.
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
        if let problem = LayerName.problem(with: inputName) { throw ArchitectureError(line: nil, layer: inputName, message: problem) }
        guard !layers.isEmpty else { throw ArchitectureError(line: nil, message: "has no layers") }
        var result = ValidatedArchitecture(architecture: self, inputs: [], outputShapes: [], parameters: [], parameterCount: 0)
        var indices: [String: Int] = [inputName: -1]
        var consumed = Set<Int>()
        for (index, spec) in layers.enumerated() {
            func fail(_ message: String) -> ArchitectureError { ArchitectureError(line: nil, layer: spec.name, message: message) }
            if let problem = LayerName.problem(with: spec.name) { throw fail(problem) }
            guard indices[spec.name] == nil else { throw fail("a second layer with this name") }
            guard let type = spec.layerType else { throw fail("layer type '\(spec.type)' is not supported") }
            try Architecture.checkIntegers(spec.config, fail: fail)
            let inputs = try spec.inputs.isEmpty ? [index - 1] : spec.inputs.map { input in
                guard let source = indices[input] else { throw fail("takes input from '\(input)', which is not an earlier layer") }
                return source
            }
            consumed.formUnion(inputs)
            let shapes = inputs.map { $0 < 0 ? inputShape : result.outputShapes[$0] }
            let plan: LayerPlan
            do {
                plan = try type.plan(spec.config, inputShapes: shapes)
            } catch {
                throw fail("on input \(shapes.count == 1 ? "\(shapes[0])" : "\(shapes)"): \(error)")
            }
            guard !plan.outputShape.isEmpty, plan.outputShape.count <= 8, plan.outputShape.allSatisfy({ (1...maxExtent).contains($0) }) else {
                throw fail("gives an output shape \(plan.outputShape) with an extent outside 1...\(maxExtent)")
            }
            guard checkedProduct(plan.outputShape, limit: maxElements) != nil else { throw fail("has more than \(maxElements) elements in its output") }
            for parameter in plan.parameters {
                guard parameter.shape.allSatisfy({ (1...maxExtent).contains($0) }),
                      let count = checkedProduct(parameter.shape, limit: maxElements) else {
                    throw fail("parameter \(parameter.name) has shape \(parameter.shape), outside the limits")
                }
                let (sum, overflow) = result.parameterCount.addingReportingOverflow(count)
                guard !overflow, sum <= maxElements else { throw fail("brings the model over \(maxElements) parameters") }
                result.parameterCount = sum
            }
            result.architecture.layers[index].config = plan.config
            result.architecture.layers[index].inputs = isChainLink(inputs, at: index) ? [] : inputs.map { $0 < 0 ? inputName : layers[$0].name }
            result.inputs.append(inputs)
            result.outputShapes.append(plan.outputShape)
            result.parameters.append(plan.parameters)
            indices[spec.name] = index
        }
        if let unused = layers.indices.dropLast().first(where: { !consumed.contains($0) }) {
            throw ArchitectureError(line: nil, layer: layers[unused].name, message: "its output goes nowhere (only one model output is supported)")
        }
        return result
    }

    /// Whether `inputs` is just the previous layer (the model's input for the first).
    private func isChainLink(_ inputs: [Int], at index: Int) -> Bool { inputs == [index - 1] }

    /// Throws unless every integer in `config` (in lists too) is within ±``ArchitectureLimits/maxExtent``,
    /// so that products of a few of them cannot overflow.
    static func checkIntegers(_ config: LayerConfig, fail: (String) -> ArchitectureError) throws {
        func check(_ value: ConfigValue, _ key: String) throws {
            switch value {
            case .int(let int):
                guard abs(int) <= ArchitectureLimits.maxExtent else {
                    throw fail("\(key) \(int) is outside ±\(ArchitectureLimits.maxExtent)")
                }
            case .list(let values): for value in values { try check(value, key) }
            default: break
            }
        }
        for (key, value) in config.entries { try check(value, key) }
    }

    /// The shape of one output example; throws naming the first layer that does not fit its inputs.
    public func outputShape() throws -> [Int] { try validated().outputShapes.last! }
}

/// The product of `values` when it is at most `limit`, without overflowing.
func checkedProduct(_ values: [Int], limit: Int) -> Int? {
    var result = 1
    for value in values {
        let (next, overflow) = result.multipliedReportingOverflow(by: value)
        guard !overflow, next <= limit else { return nil }
        result = next
    }
    return result
}
