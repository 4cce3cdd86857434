import TensorCore

/// Flattens every axis but the batch axis, as Keras' `Flatten` (NHWC flattens in h, w, c order).
public final class Flatten: Layer {
    public init() {}
    public func outputShape(for inputShape: [Int]) -> [Int] { [inputShape.reduce(1, *)] }
    public func callAsFunction(_ x: Variable, training: Bool) -> Variable { x.flattened() }
    public var description: String { "Flatten()" }
}

/// Views each example with another shape, as Keras' `Reshape` (`-1` allowed once).
public final class Reshape: Layer {
    /// The shape of one example (without the batch axis).
    public let targetShape: [Int]
    public init(_ targetShape: [Int]) { self.targetShape = targetShape }
    public func outputShape(for inputShape: [Int]) -> [Int] {
        Variable.resolve(targetShape, count: inputShape.reduce(1, *))
    }
    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        x.reshaped([x.shape.first ?? 1] + targetShape)
    }
    public var description: String { "Reshape(\(targetShape))" }
}

/// A standalone activation, as Keras' `Activation` (and `ReLU`, `Softmax`) layers.
public final class ActivationLayer: Layer {
    public let activation: Activation
    public init(_ activation: Activation) { self.activation = activation }
    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }
    public func callAsFunction(_ x: Variable, training: Bool) -> Variable { x.activated(activation) }
    public var description: String { "Activation(\(activation))" }
}

/// Inverted dropout, as Keras' `Dropout`: in training each element is zeroed with probability
/// `rate` and the survivors are scaled by `1 / (1 - rate)`; in inference it is the identity.
public final class Dropout: Layer {
    public let rate: Float
    /// The generator drawing the masks; seeded when the layer is built, so runs repeat.
    public var generator: RandomGenerator

    public init(rate: Float, seed: UInt64 = 0) {
        precondition(rate >= 0 && rate < 1, "Dropout: rate must be in [0, 1), got \(rate)")
        self.rate = rate
        generator = RandomGenerator(seed: seed)
    }

    public func outputShape(for inputShape: [Int]) -> [Int] { inputShape }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        guard training, rate > 0 else { return x }
        let keep = 1 - rate, scale = 1 / keep
        var mask = [Float](repeating: 0, count: x.value.count)
        for i in 0..<mask.count where generator.nextUnitFloat() < keep { mask[i] = scale }
        return x * Variable(Tensor(shape: x.shape, scalars: mask))
    }

    public var description: String { "Dropout(rate: \(rate))" }
}

/// Zero padding of NHWC input along height and width, as Keras' `ZeroPadding2D`.
public func zeroPadded2d(_ x: Variable, top: Int, bottom: Int, left: Int, right: Int) -> Variable {
    precondition(x.rank == 4, "zeroPadded2d: expected NHWC input, got \(x.shape)")
    precondition(top >= 0 && bottom >= 0 && left >= 0 && right >= 0, "zeroPadded2d: padding must be non-negative")
    let n = x.shape[0], h = x.shape[1], w = x.shape[2], c = x.shape[3]
    let oh = h + top + bottom, ow = w + left + right
    let xValue = x.value
    var out = Tensor(zeros: [n, oh, ow, c])
    out.withMutableScalarPointer { o in
        xValue.withScalarPointer { px in
            for b in 0..<n {
                for i in 0..<h {
                    (o + ((b * oh + i + top) * ow + left) * c).update(from: px + (b * h + i) * w * c, count: w * c)
                }
            }
        }
    }
    return Variable.record(out, parents: [x]) { gradient in
        x.accumulateGradient { dx, add in
            gradient.withScalarPointer { g in
                for b in 0..<n {
                    for i in 0..<h {
                        let src = g + ((b * oh + i + top) * ow + left) * c, dst = dx + (b * h + i) * w * c
                        for t in 0..<(w * c) { dst[t] = add ? dst[t] + src[t] : src[t] }
                    }
                }
            }
        }
    }
}

/// Zero padding along height and width, as Keras' `ZeroPadding2D(((top, bottom), (left, right)))`.
public final class ZeroPadding2D: Layer {
    public let top: Int, bottom: Int, left: Int, right: Int

    public init(top: Int, bottom: Int, left: Int, right: Int) {
        precondition(top >= 0 && bottom >= 0 && left >= 0 && right >= 0, "ZeroPadding2D: padding must be non-negative")
        self.top = top; self.bottom = bottom; self.left = left; self.right = right
    }

    /// The same padding on all four sides.
    public convenience init(_ padding: Int) { self.init(top: padding, bottom: padding, left: padding, right: padding) }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape.count == 3, "ZeroPadding2D: input \(inputShape) should be [h, w, c]")
        return [inputShape[0] + top + bottom, inputShape[1] + left + right, inputShape[2]]
    }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        zeroPadded2d(x, top: top, bottom: bottom, left: left, right: right)
    }

    public var description: String { "ZeroPadding2D(top: \(top), bottom: \(bottom), left: \(left), right: \(right))" }
}

extension Flatten: DescribedLayer {
    public static var kerasClassName: String { "Flatten" }

    public static func plan(_ config: LayerConfig, inputShapes: [[Int]]) throws -> LayerPlan {
        let input = try singleInput(inputShapes)
        try config.requireChannelsLast()
        guard let count = checkedProduct(input, limit: ArchitectureLimits.maxElements) else {
            throw LayerShapeError(layer: kerasClassName, "input \(input) has too many elements")
        }
        return LayerPlan(outputShape: [count], config: [:])
    }

    public static func make(_ config: LayerConfig, inputShapes: [[Int]], generator: inout RandomGenerator) throws -> any ModelLayer {
        _ = try plan(config, inputShapes: inputShapes)
        return Flatten()
    }

    public var config: LayerConfig { [:] }
}

extension Reshape: DescribedLayer {
    public static var kerasClassName: String { "Reshape" }

    public static func plan(_ config: LayerConfig, inputShapes: [[Int]]) throws -> LayerPlan {
        let input = try singleInput(inputShapes)
        let target = try config.ints("target_shape")
        let unknowns = target.filter { $0 == -1 }.count
        guard let count = checkedProduct(input, limit: ArchitectureLimits.maxElements), !target.isEmpty, target.count <= 8,
              target.allSatisfy({ $0 > 0 || $0 == -1 }), unknowns <= 1,
              let known = checkedProduct(target.filter { $0 != -1 }, limit: ArchitectureLimits.maxElements),
              unknowns == 1 ? count % known == 0 : known == count else {
            throw LayerConfigError(field: "target_shape", "cannot reshape \(input) to \(target)")
        }
        return LayerPlan(outputShape: target.map { $0 == -1 ? count / known : $0 },
                         config: ["target_shape": .list(target.map { .int($0) })])
    }

    public static func make(_ config: LayerConfig, inputShapes: [[Int]], generator: inout RandomGenerator) throws -> any ModelLayer {
        _ = try plan(config, inputShapes: inputShapes)
        return Reshape(try config.ints("target_shape"))
    }

    public var config: LayerConfig { ["target_shape": .list(targetShape.map { .int($0) })] }
}

extension ActivationLayer: DescribedLayer {
    public static var kerasClassName: String { "Activation" }

    public static func plan(_ config: LayerConfig, inputShapes: [[Int]]) throws -> LayerPlan {
        LayerPlan(outputShape: try singleInput(inputShapes), config: ["activation": .string(try config.activation().rawValue)])
    }

    public static func make(_ config: LayerConfig, inputShapes: [[Int]], generator: inout RandomGenerator) throws -> any ModelLayer {
        _ = try plan(config, inputShapes: inputShapes)
        return ActivationLayer(try config.activation())
    }

    public var config: LayerConfig { ["activation": .string(activation.rawValue)] }
}

extension Dropout: DescribedLayer {
    public static var kerasClassName: String { "Dropout" }

    public static func plan(_ config: LayerConfig, inputShapes: [[Int]]) throws -> LayerPlan {
        let rate = try config.float("rate")
        guard rate >= 0, rate < 1 else { throw LayerConfigError(field: "rate", "\(rate) is outside [0, 1)") }
        return LayerPlan(outputShape: try singleInput(inputShapes), config: ["rate": .float(rate)])
    }

    public static func make(_ config: LayerConfig, inputShapes: [[Int]], generator: inout RandomGenerator) throws -> any ModelLayer {
        _ = try plan(config, inputShapes: inputShapes)
        return Dropout(rate: try config.float("rate"), seed: generator.next())
    }

    public var config: LayerConfig { ["rate": .float(rate)] }
}

extension ZeroPadding2D: DescribedLayer {
    public static var kerasClassName: String { "ZeroPadding2D" }
    public static var keyword: String { "zeropad2d" }

    /// Keras's `padding`: `p`, `[v, h]`, `[[top, bottom], [left, right]]`, or `[top, bottom, left, right]`.
    static func padding(_ config: LayerConfig) throws -> (top: Int, bottom: Int, left: Int, right: Int) {
        let value = config.value("padding") ?? .int(1)
        var flat: [Int] = []
        if case .list(let items) = value, items.allSatisfy({ if case .list = $0 { return true } else { return false } }) {
            for item in items { flat += item.intList ?? [-1] }
            guard items.count == 2, flat.count == 4 else { throw LayerConfigError(field: "padding", "must be [[top, bottom], [left, right]], got \(value)") }
        } else {
            guard let list = value.intList else { throw LayerConfigError(field: "padding", "must be integers, got \(value)") }
            switch list.count {
            case 1: flat = Array(repeating: list[0], count: 4)
            case 2: flat = [list[0], list[0], list[1], list[1]]
            case 4: flat = list
            default: throw LayerConfigError(field: "padding", "must be 1, 2 or 4 integers, got \(list)")
            }
        }
        guard flat.allSatisfy({ $0 >= 0 }) else { throw LayerConfigError(field: "padding", "must not be negative, got \(value)") }
        return (flat[0], flat[1], flat[2], flat[3])
    }

    static func paddingConfig(top: Int, bottom: Int, left: Int, right: Int) -> LayerConfig {
        ["padding": [[.int(top), .int(bottom)], [.int(left), .int(right)]]]
    }

    public static func plan(_ config: LayerConfig, inputShapes: [[Int]]) throws -> LayerPlan {
        let (height, width, channels) = try imageInput(inputShapes)
        try config.requireChannelsLast()
        let p = try padding(config)
        return LayerPlan(outputShape: [height + p.top + p.bottom, width + p.left + p.right, channels],
                         config: paddingConfig(top: p.top, bottom: p.bottom, left: p.left, right: p.right))
    }

    public static func make(_ config: LayerConfig, inputShapes: [[Int]], generator: inout RandomGenerator) throws -> any ModelLayer {
        _ = try plan(config, inputShapes: inputShapes)
        let p = try padding(config)
        return ZeroPadding2D(top: p.top, bottom: p.bottom, left: p.left, right: p.right)
    }

    public var config: LayerConfig { Self.paddingConfig(top: top, bottom: bottom, left: left, right: right) }
}
