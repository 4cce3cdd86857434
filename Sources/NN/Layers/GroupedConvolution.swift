import TensorCore

extension Size2D {
    /// The extent a kernel of this size covers with `rate - 1` pixels between its taps: `(k - 1) * rate + 1`.
    public func dilated(by rate: Size2D) -> Size2D {
        Size2D((height - 1) * rate.height + 1, (width - 1) * rate.width + 1)
    }
}

/// A `[kh, kw, ...]` kernel with `rate - 1` zero taps between its taps: the kernel of extent
/// `(k - 1) * rate + 1` that convolves as the original one dilated by `rate`.
func dilatedKernel(_ kernel: Variable, rate: Size2D) -> Variable {
    precondition(kernel.rank == 4, "dilatedKernel: kernel must be [kh, kw, a, b], got \(kernel.shape)")
    if rate == Size2D(1) { return kernel }
    let kh = kernel.shape[0], kw = kernel.shape[1], tap = kernel.shape[2] * kernel.shape[3]
    let extent = Size2D(kh, kw).dilated(by: rate), eh = extent.height, ew = extent.width
    // The offset of tap (i, j) in the dilated kernel.
    @inline(__always) func offset(_ i: Int, _ j: Int) -> Int { (i * rate.height * ew + j * rate.width) * tap }
    var out = Tensor(zeros: [eh, ew, kernel.shape[2], kernel.shape[3]])
    out.withMutableScalarPointer { o in
        kernel.value.withScalarPointer { k in
            for i in 0..<kh { for j in 0..<kw { (o + offset(i, j)).update(from: k + (i * kw + j) * tap, count: tap) } }
        }
    }
    return Variable.record(out, parents: [kernel]) { gradient in
        kernel.accumulateGradient { d, add in
            gradient.withScalarPointer { g in
                for i in 0..<kh {
                    for j in 0..<kw {
                        let dst = d + (i * kw + j) * tap, src = g + offset(i, j)
                        for t in 0..<tap { dst[t] = add ? dst[t] + src[t] : src[t] }
                    }
                }
            }
        }
    }
}

/// 2-D convolution with Keras' `dilation_rate` and `groups`: `kernel` is `[kh, kw, in / groups, out]`
/// and output channels `[k * out / groups, (k + 1) * out / groups)` see only input channels
/// `[k * in / groups, (k + 1) * in / groups)`.
///
/// A dilated convolution is computed as the ordinary one with ``dilatedKernel(_:rate:)``, which
/// also gives TensorFlow's `same` padding for the dilated extent; groups are sliced, convolved
/// and concatenated, then activated (softmax spans all groups). With rate 1 and one group this is ``conv2d(_:kernel:bias:strides:padding:activation:)``.
public func conv2d(_ x: Variable, kernel: Variable, bias: Variable?, strides: Size2D = Size2D(1), padding: Padding = .valid,
                   dilation: Size2D, groups: Int, activation: Activation = .linear) -> Variable {
    precondition(kernel.rank == 4 && groups > 0, "conv2d: kernel must be [kh, kw, in / groups, out], got \(kernel.shape)")
    let outChannels = kernel.shape[3], groupInputs = kernel.shape[2], groupOutputs = outChannels / groups
    precondition(x.rank == 4 && x.shape[3] == groupInputs * groups && outChannels % groups == 0,
                 "conv2d: input \(x.shape) and kernel \(kernel.shape) do not make \(groups) groups")
    let k = dilatedKernel(kernel, rate: dilation)
    if groups == 1 { return conv2d(x, kernel: k, bias: bias, strides: strides, padding: padding, activation: activation) }
    let outputs = (0..<groups).map { group in
        conv2d(x.slicedLastAxis(group * groupInputs..<(group + 1) * groupInputs),
               kernel: k.slicedLastAxis(group * groupOutputs..<(group + 1) * groupOutputs),
               bias: bias?.slicedLastAxis(group * groupOutputs..<(group + 1) * groupOutputs),
               strides: strides, padding: padding)
    }
    return concatenate(outputs).activated(activation)
}
