import TensorCore

// 1-D pooling over NWC input runs as 2-D pooling of one-pixel-high images.

/// `[n, steps, c]` viewed as `[n, 1, steps, c]`, pooled by `pool`, and viewed back as `[n, steps', c]`.
private func pooledAsImage(_ x: Variable, _ pool: (Variable) -> Variable) -> Variable {
    precondition(x.rank == 3, "1-D pooling: expected NWC input, got \(x.shape)")
    let y = pool(x.reshaped([x.shape[0], 1, x.shape[1], x.shape[2]]))
    return y.reshaped([x.shape[0], y.shape[2], x.shape[2]])
}

/// A window sliding over the steps of NWC input: the common part of ``MaxPool1D`` and
/// ``AveragePool1D`` (`strides` default to `poolSize`).
public class WindowPool1D: Layer {
    public let poolSize: Int
    public let strides: Int
    public let padding: Padding
    /// The 2-D pooling of the one-pixel-high view.
    private let pool2d: (Variable, Size2D, Size2D?, Padding) -> Variable

    init(poolSize: Int, strides: Int?, padding: Padding, pool2d: @escaping (Variable, Size2D, Size2D?, Padding) -> Variable) {
        self.poolSize = poolSize
        self.strides = strides ?? poolSize
        self.padding = padding
        self.pool2d = pool2d
    }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape.count == 2, "\(type(of: self)): input \(inputShape) should be [steps, c]")
        let steps = padding.output(input: inputShape[0], window: poolSize, stride: strides)
        precondition(steps.extent > 0, "\(type(of: self)): window \(poolSize) does not fit input \(inputShape)")
        return [steps.extent, inputShape[1]]
    }

    public func callAsFunction(_ x: Variable, training: Bool) -> Variable {
        pooledAsImage(x) { pool2d($0, Size2D(1, poolSize), Size2D(1, strides), padding) }
    }

    public var description: String { "\(type(of: self))(size: \(poolSize), strides: \(strides), padding: \(padding.rawValue))" }
}

/// Max pooling over steps, as Keras' `MaxPooling1D`.
public final class MaxPool1D: WindowPool1D {
    public init(poolSize: Int = 2, strides: Int? = nil, padding: Padding = .valid) {
        super.init(poolSize: poolSize, strides: strides, padding: padding, pool2d: maxPool2d)
    }
}

/// Average pooling over steps, as Keras' `AveragePooling1D` (with `same` padding a window
/// averages only its steps inside the input).
public final class AveragePool1D: WindowPool1D {
    public init(poolSize: Int = 2, strides: Int? = nil, padding: Padding = .valid) {
        super.init(poolSize: poolSize, strides: strides, padding: padding, pool2d: averagePool2d)
    }
}

/// The mean over steps, as Keras' `GlobalAveragePooling1D`.
public final class GlobalAveragePool1D: GlobalPool {
    public init(keepDims: Bool = false) { super.init(spatialAxes: 1, keepDims: keepDims, pool2d: globalAveragePool2d) }
}

/// The maximum over steps, as Keras' `GlobalMaxPooling1D`.
public final class GlobalMaxPool1D: GlobalPool {
    public init(keepDims: Bool = false) { super.init(spatialAxes: 1, keepDims: keepDims, pool2d: globalMaxPool2d) }
}
