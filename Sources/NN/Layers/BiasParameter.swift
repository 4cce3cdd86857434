import TensorCore

/// The `bias` parameter of a layer with `units` outputs, from given values; nil without them.
func biasParameter(_ bias: Tensor?, units: Int, layer: String) -> Parameter? {
    guard let bias else { return nil }
    precondition(bias.shape == [units], "\(layer): bias \(bias.shape) should be [\(units)]")
    return Parameter(name: "bias", value: bias)
}
