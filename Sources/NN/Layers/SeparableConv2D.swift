import TensorCore

/// A depthwise convolution followed by a pointwise (1x1) one, as Keras' `SeparableConv2D`.
///
/// Parameters, in Keras' order: `depthwise_kernel` `[kh, kw, in, multiplier]` (no bias of its
/// own), `pointwise_kernel` `[1, 1, in * multiplier, filters]`, `bias` `[filters]`. Strides,
/// padding and dilation belong to the depthwise step; the activation follows the pointwise one.
public final class SeparableConv2D: ActivatedLayer {
    public let inputChannels: Int
    public let filters: Int
    public let depthMultiplier: Int
    public let kernelSize: Size2D
    public let strides: Size2D
    public let padding: Padding
    /// Keras' `dilation_rate` of the depthwise step.
    public let dilationRate: Size2D
    public var activation: Activation
    /// `[kh, kw, in, multiplier]`.
    public let depthwiseKernel: Parameter
    /// `[1, 1, in * multiplier, filters]`.
    public let pointwiseKernel: Parameter
    /// `[filters]`, or nil.
    public let bias: Parameter?

    /// Creates a layer with Glorot-uniform kernels and a zero bias.
    public convenience init(inputChannels: Int, filters: Int, kernelSize: Size2D, strides: Size2D = Size2D(1), padding: Padding = .valid,
                            depthMultiplier: Int = 1, dilationRate: Size2D = Size2D(1), activation: Activation = .linear,
                            useBias: Bool = true, generator: inout RandomGenerator) {
        let depthwise = glorotUniform(shape: [kernelSize.height, kernelSize.width, inputChannels, depthMultiplier], generator: &generator)
        let pointwise = glorotUniform(shape: [1, 1, inputChannels * depthMultiplier, filters], generator: &generator)
        self.init(depthwiseKernel: depthwise, pointwiseKernel: pointwise, bias: useBias ? Tensor(zeros: [filters]) : nil,
                  strides: strides, padding: padding, dilationRate: dilationRate, activation: activation)
    }

    /// Creates a layer from given weights.
    public init(depthwiseKernel: Tensor, pointwiseKernel: Tensor, bias: Tensor?, strides: Size2D = Size2D(1),
                padding: Padding = .valid, dilationRate: Size2D = Size2D(1), activation: Activation = .linear) {
        precondition(depthwiseKernel.rank == 4 && pointwiseKernel.rank == 4, "SeparableConv2D: kernels must have rank 4")
        kernelSize = Size2D(depthwiseKernel.shape[0], depthwiseKernel.shape[1])
        inputChannels = depthwiseKernel.shape[2]
        depthMultiplier = depthwiseKernel.shape[3]
        filters = pointwiseKernel.shape[3]
        precondition(pointwiseKernel.shape == [1, 1, inputChannels * depthMultiplier, filters],
                     "SeparableConv2D: pointwise kernel \(pointwiseKernel.shape) should be [1, 1, \(inputChannels * depthMultiplier), out]")
        precondition(inputChannels > 0 && depthMultiplier > 0 && filters > 0, "SeparableConv2D: channel counts must be positive")
        precondition(dilationRate.height > 0 && dilationRate.width > 0, "SeparableConv2D: dilation must be positive")
        self.strides = strides
        self.padding = padding
        self.dilationRate = dilationRate
        self.activation = activation
        self.depthwiseKernel = Parameter(name: "depthwise_kernel", value: depthwiseKernel)
        self.pointwiseKernel = Parameter(name: "pointwise_kernel", value: pointwiseKernel)
        self.bias = biasParameter(bias, units: filters, layer: "SeparableConv2D")
    }

    public var parameters: [Parameter] { [depthwiseKernel, pointwiseKernel] + (bias.map { [$0] } ?? []) }

    public func outputShape(for inputShape: [Int]) -> [Int] {
        convolvedShape(inputShape, layer: "SeparableConv2D", inputChannels: inputChannels,
                       kernelSize: kernelSize.dilated(by: dilationRate), strides: strides, padding: padding, outputChannels: filters)
    }

    public func forward(_ x: Variable, training: Bool, activation: Activation) -> Variable {
        let depthwise = depthwiseConv2d(x, kernel: dilatedKernel(depthwiseKernel.variable, rate: dilationRate), bias: nil,
                                        strides: strides, padding: padding)
        return conv2d(depthwise, kernel: pointwiseKernel.variable, bias: bias?.variable, activation: activation)
    }

    public var description: String {
        let dilation = dilationRate == Size2D(1) ? "" : ", dilation: \(dilationRate)"
        return "SeparableConv2D(\(inputChannels) x \(depthMultiplier) -> \(filters), kernel: \(kernelSize), strides: \(strides), padding: \(padding.rawValue)\(dilation), activation: \(activation))"
    }
}
