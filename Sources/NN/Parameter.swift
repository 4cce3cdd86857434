import TensorCore

/// How a parameter's `mask` takes part in training.
public enum MaskMode: String, Sendable {
    /// Pruning: the forward pass uses `value ∘ mask`, the gradient is multiplied by the mask
    /// before the update and the value is multiplied by the mask after it, so pruned weights stay
    /// zero and receive nothing.
    case pruned
    /// Dynamic Network Surgery: the forward pass uses `value ∘ mask`, but the gradient with
    /// respect to the effective weight updates every underlying weight, masked or not, and the
    /// underlying values are kept, so a weight can later be spliced back.
    case surgery
}

/// Weight sharing: every element of a parameter is one entry of a small codebook.
///
/// `value[i] == centroids[assignments[i]]`; an assignment below zero pins the element to zero
/// (a pruned weight that belongs to no cluster). The gradient of a centroid is the sum of the
/// gradients of the weights that use it, and the optimizer updates centroids, not weights.
public struct Codebook: Sendable, Equatable {
    /// For each element of the parameter, its centroid index, or `-1` for a weight fixed at zero.
    public var assignments: [Int32]
    /// The shared values.
    public var centroids: [Float]

    public init(assignments: [Int32], centroids: [Float]) {
        precondition(assignments.allSatisfy { $0 < Int32(centroids.count) },
                     "Codebook: an assignment points past the \(centroids.count) centroids")
        self.assignments = assignments
        self.centroids = centroids
    }

    /// `value[i] = centroids[assignments[i]]` (zero where the assignment is negative).
    public func decoded(shape: [Int]) -> Tensor {
        precondition(Tensor.elementCount(shape) == assignments.count, "Codebook: \(assignments.count) assignments for shape \(shape)")
        return makeTensor(shape: shape) { out in
            for i in 0..<assignments.count {
                let a = Int(assignments[i])
                out[i] = a >= 0 ? centroids[a] : 0
            }
        }
    }

    /// The same codebook with its centroids in ascending order (equal ones keep their order) and
    /// the assignments renumbered to match, so every decoded value stays the same. Fine-tuning can
    /// move centroids past each other; ascending is the canonical order, and the one a compressed
    /// model file stores most compactly. A codebook holding NaN comes back unchanged.
    public func sortedAscending() -> Codebook {
        guard !centroids.contains(where: \.isNaN) else { return self }
        let order = centroids.indices.sorted { (centroids[$0], $0) < (centroids[$1], $1) }
        var position = [Int32](repeating: 0, count: centroids.count)
        for (sortedAt, index) in order.enumerated() { position[index] = Int32(sortedAt) }
        return Codebook(assignments: assignments.map { $0 >= 0 ? position[Int($0)] : $0 }, centroids: order.map { centroids[$0] })
    }

    /// The gradient of each centroid: the scatter-sum of `gradient` by assignment.
    ///
    /// Elements whose assignment is negative, or whose `mask` entry is zero, contribute nothing.
    public func centroidGradient(_ gradient: Tensor, mask: Tensor? = nil) -> [Float] {
        precondition(gradient.count == assignments.count, "Codebook: gradient has \(gradient.count) elements, expected \(assignments.count)")
        var sums = [Double](repeating: 0, count: centroids.count)
        gradient.withScalarPointer { g in
            if let mask {
                mask.withScalarPointer { m in
                    for i in 0..<assignments.count where assignments[i] >= 0 && m[i] != 0 {
                        sums[Int(assignments[i])] += Double(g[i])
                    }
                }
            } else {
                for i in 0..<assignments.count where assignments[i] >= 0 {
                    sums[Int(assignments[i])] += Double(g[i])
                }
            }
        }
        return sums.map { Float($0) }
    }
}

/// A named, trainable tensor of a layer, with the hooks compression needs.
///
/// - Frozen (`isFrozen`): receives no gradient and is not updated.
/// - Masked (`mask`, 0/1 of the same shape): see ``MaskMode``.
/// - Tied to a codebook (`codebook`): see ``Codebook``; the optimizer updates the centroids and
///   rewrites `value`.
///
/// Layers read ``variable`` in their forward pass: a leaf of the autograd graph holding the
/// *effective* value (`value ∘ mask`), whose gradient is this parameter's ``grad``.
///
/// ```swift
/// let kernel = model.parameter(named: "fc1.kernel")!
/// kernel.mask = Tensor(shape: kernel.shape, scalars: keep.map { $0 ? 1 : 0 })
/// kernel.applyMask()            // zero the pruned weights now
/// ```
public final class Parameter {
    /// The name inside its layer (`"kernel"`, `"bias"`, `"gamma"`, `"moving_mean"`, ...).
    public let name: String
    /// Whether the parameter is learned by gradient descent at all (false for batch-norm moving
    /// statistics, which the layer updates itself).
    public let isTrainable: Bool
    /// A frozen parameter gets no gradient and is left alone by optimizers.
    public var isFrozen: Bool = false {
        didSet { if isFrozen != oldValue { rebuildNode() } }
    }
    /// Whether L2 / decoupled weight decay applies (true for kernels, false for biases and
    /// normalization parameters, as in common practice).
    public var decays: Bool

    /// The underlying (dense) value. Setting it must keep the shape.
    public var value: Tensor {
        get { storage }
        set {
            precondition(newValue.shape == storage.shape, "Parameter \(name): shape \(storage.shape) cannot become \(newValue.shape)")
            storage = newValue
            isEffectiveStale = true
        }
    }
    private var storage: Tensor

    /// A 0/1 tensor of the same shape, or nil.
    public var mask: Tensor? {
        didSet {
            if let mask { precondition(mask.shape == value.shape, "Parameter \(name): mask shape \(mask.shape) differs from \(value.shape)") }
            isEffectiveStale = true
        }
    }
    /// How the mask acts on training; `.pruned` by default.
    public var maskMode: MaskMode = .pruned

    /// Weight sharing; setting it rewrites `value` from the centroids.
    public var codebook: Codebook? {
        didSet {
            if let codebook {
                precondition(codebook.assignments.count == value.count, "Parameter \(name): codebook has \(codebook.assignments.count) assignments for \(value.count) weights")
                value = codebook.decoded(shape: value.shape)
                if let mask, maskMode == .pruned { value = Parameter.multiply(value, mask) }
            }
        }
    }

    private var node: Variable
    private var isEffectiveStale = true

    /// Creates a parameter.
    public init(name: String, value: Tensor, isTrainable: Bool = true, decays: Bool? = nil) {
        self.name = name
        self.storage = value
        self.isTrainable = isTrainable
        self.decays = decays ?? (name == "kernel" || name == "depthwise_kernel" || name == "weight")
        self.node = Variable(value, requiresGrad: isTrainable)
    }

    /// The shape of `value`.
    public var shape: [Int] { value.shape }
    /// The number of elements.
    public var count: Int { value.count }

    /// Whether the parameter takes gradients (trainable and not frozen).
    public var requiresGrad: Bool { isTrainable && !isFrozen }

    /// The value the forward pass uses: `value ∘ mask` (or `value` without a mask).
    public var effectiveValue: Tensor {
        if let mask { return Parameter.multiply(value, mask) }
        return value
    }

    /// The autograd leaf for the forward pass: holds ``effectiveValue``; backward fills ``grad``.
    public var variable: Variable {
        if isEffectiveStale {
            node.value = effectiveValue
            isEffectiveStale = false
        }
        return node
    }

    /// The gradient of the loss with respect to the effective value, after `backward()`.
    public var grad: Tensor? {
        get { node.grad }
        set { node.grad = newValue }
    }

    /// Forgets the gradient.
    public func zeroGrad() { node.grad = nil }

    /// Multiplies `value` by `mask` now (no-op without a mask).
    public func applyMask() {
        if let mask { value = Parameter.multiply(value, mask) }
    }

    /// The gradient the optimizer should apply to the trained values, or nil when there is none.
    ///
    /// - For a codebook: the per-centroid scatter-sum (masked-out and unassigned weights excluded).
    /// - For a mask in `.pruned` mode: `grad ∘ mask`.
    /// - Otherwise (`.surgery` included): `grad` as is.
    public func optimizerGradient() -> [Float]? {
        guard requiresGrad, let grad = node.grad else { return nil }
        if let codebook {
            return codebook.centroidGradient(grad, mask: mask)
        }
        if let mask, maskMode == .pruned {
            return Parameter.multiply(grad, mask).scalars
        }
        return grad.scalars
    }

    /// Calls `body` with the trained values (the centroids for a codebook, else `value`) for an
    /// in-place update, then restores the invariants: rewrites weights from the centroids, and
    /// re-applies the mask in `.pruned` mode.
    public func updateTrainedValues(_ body: (UnsafeMutablePointer<Float>, Int) -> Void) {
        if var codebook {
            codebook.centroids.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
            self.codebook = codebook   // rewrites value (and masks it in .pruned mode)
            return
        }
        // Move the storage out (and drop the graph leaf's reference) so it is mutated in place.
        var v = storage
        storage = Tensor(shape: [0], scalars: [])
        node.value = storage
        isEffectiveStale = true
        let n = v.count
        v.withMutableScalarPointer { p in
            body(p, n)
            if let mask, maskMode == .pruned {
                mask.withScalarPointer { m in for i in 0..<n { p[i] *= m[i] } }
            }
        }
        storage = v
    }

    /// The trained values as an array: the centroids for a codebook, else the elements of `value`.
    public var trainedValues: [Float] {
        codebook?.centroids ?? value.scalars
    }

    /// A stable key for optimizer state.
    var identifier: ObjectIdentifier { ObjectIdentifier(self) }

    private func rebuildNode() {
        node = Variable(node.value, requiresGrad: requiresGrad)
    }

    static func multiply(_ a: Tensor, _ b: Tensor) -> Tensor {
        makeTensor(shape: a.shape) { o in
            a.withScalarPointer { pa in b.withScalarPointer { pb in
                for i in 0..<a.count { o[i] = pa[i] * pb[i] }
            } }
        }
    }
}

extension Parameter: CustomStringConvertible {
    public var description: String {
        var flags: [String] = []
        if !isTrainable { flags.append("non-trainable") }
        if isFrozen { flags.append("frozen") }
        if mask != nil { flags.append("masked(\(maskMode.rawValue))") }
        if let codebook { flags.append("codebook(\(codebook.centroids.count))") }
        return "Parameter(\(name), shape: \(shape)\(flags.isEmpty ? "" : ", " + flags.joined(separator: ", ")))"
    }
}
