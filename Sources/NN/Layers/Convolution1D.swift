import TensorCore

/// Keras' padding modes for 1-D convolution: the 2-D ones and `causal`.
public enum Padding1D: String, Sendable, CaseIterable {
    /// No padding.
    case valid
    /// Output length `ceil(length / stride)`, padding split as TensorFlow does (extra at the end).
    case same
    /// All padding before the sequence, `(kernel - 1) * dilation` steps, so an output never sees a
    /// later step.
    case causal
}

/// A 1-D convolution layer over NWC input, as Keras' `Conv1D` (kernel `[k, in / groups, out]`).
///
/// Runs as the 2-D convolution of a one-pixel-high image, so it shares its kernels.
public final class Conv1D: ActivatedLayer {
    public let inputChannels: Int
    public let filters: Int
    public let kernelSize: Int
    public let strides: Int
    public let padding: Padding1D
    /// Keras' `dilation_rate`.
    public let dilationRate: Int
    /// Keras' `groups`.
    public let groups: Int
    public var activation: Activation
    /// `[k, in / groups, out]`.
    public let kernel: Parameter
    /// `[out]`, or nil.
    public let bias: Parameter?

    /// Creates a layer with a Glorot-uniform kernel and a zero bias.
    public convenience init(inputChannels: Int, filters: Int, kernelSize: Int, strides: Int = 1, padding: Padding1D = .valid,
                            dilationRate: Int = 1, groups: Int = 1, activation: Activation = .linear, useBias: Bool = true,
                            generator: inout RandomGenerator) {
        precondition(groups > 0 && inputChannels % groups == 0, "Conv1D: \(groups) groups must divide \(inputChannels) inputs")
        let kernel = glorotUniform(shape: [kernelSize, inputChannels / groups, filters], generator: &generator)
        self.init(kernel: kernel, bias: useBias ? Tensor(zeros: [filters]) : nil, strides: strides, padding: padding,
                  dilationRate: dilationRate, groups: groups, activation: activation)
    }

    /// Creates a layer from given weights (`kernel` `[k, in / groups, out]`, `bias` `[out]`).
    public init(kernel: Tensor, bias: Tensor?, strides: Int = 1, padding: Padding1D = .valid, dilationRate: Int = 1,
                groups: Int = 1, activation: Activation = .linear) {
        precondition(kernel.rank == 3, "Conv1D: kernel must be [k, in / groups, out], got \(kernel.shape)")
        kernelSize = kernel.shape[0]
        inputChannels = kernel.shape[1] * groups
        filters = kernel.shape[2]
        precondition(kernelSize > 0 && inputChannels > 0 && filters > 0 && filters % groups == 0 && strides > 0 && dilationRate > 0,
                     "Conv1D: bad kernel \(kernel.shape), \(groups) groups, strides \(strides) or dilation \(dilationRate)")
        self.strides = strides
        self.padding = padding
        self.dilationRate = dilationRate
        self.groups = groups
        self.activation = activation
        self.kernel = Parameter(name: "kernel", value: kernel)
        self.bias = biasParameter(bias, units: filters, layer: "Conv1D")
    }

    public var parameters: [Parameter] { bias.map { [kernel, $0] } ?? [kernel] }

    /// Steps of causal padding: the dilated extent of the kernel less one.
    private var causalPadding: Int { padding == .causal ? (kernelSize - 1) * dilationRate : 0 }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        precondition(inputShape.count == 2 && inputShape[1] == inputChannels,
                     "Conv1D: input \(inputShape) should be [steps, \(inputChannels)]")
        let extent = (kernelSize - 1) * dilationRate + 1
        let steps = (padding == .same ? Padding.same : .valid).output(input: inputShape[0] + causalPadding, window: extent, stride: strides)
        precondition(steps.extent > 0, "Conv1D: kernel \(extent) does not fit input \(inputShape)")
        return [steps.extent, filters]
    }

    public func forward(_ x: Variable, training: Bool, activation: Activation) -> Variable {
        precondition(x.rank == 3, "Conv1D: expected NWC input, got \(x.shape)")
        let n = x.shape[0]
        var image = x.reshaped([n, 1, x.shape[1], x.shape[2]])
        if padding == .causal { image = zeroPadded2d(image, top: 0, bottom: 0, left: causalPadding, right: 0) }
        let y = conv2d(image, kernel: kernel.variable.reshaped([1] + kernel.shape), bias: bias?.variable, strides: Size2D(1, strides),
                       padding: padding == .same ? .same : .valid, dilation: Size2D(1, dilationRate), groups: groups,
                       activation: activation)
        return y.reshaped([n, y.shape[2], filters])
    }

    public var description: String {
        let extras = (dilationRate == 1 ? "" : ", dilation: \(dilationRate)") + (groups == 1 ? "" : ", groups: \(groups)")
        return "Conv1D(\(inputChannels) -> \(filters), kernel: \(kernelSize), strides: \(strides), padding: \(padding.rawValue)\(extras), activation: \(activation))"
    }
}
