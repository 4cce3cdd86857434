import TensorCore

/// A node of the dynamic autograd tape: a value, its gradient, and how to pass gradients back.
///
/// Every differentiable operation returns a new `Variable` that remembers its inputs and a
/// backward closure. `backward()` on a scalar result visits the graph in reverse topological
/// order and accumulates `grad` into every variable that requires a gradient, as PyTorch does.
/// Intermediate gradients and saved tensors are released as soon as they have been used, so a
/// graph can be walked backward only once.
///
/// ```swift
/// let x = Variable(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]), requiresGrad: true)
/// let w = Variable(Tensor(shape: [3, 1], scalars: [0.1, 0.2, 0.3]), requiresGrad: true)
/// let loss = (x.matmul(w)).sum()
/// loss.backward()
/// print(w.grad!)   // column sums of x
/// ```
public final class Variable {
    /// The value computed in the forward pass.
    public internal(set) var value: Tensor
    /// The accumulated gradient of the final scalar with respect to `value`, once `backward()` ran.
    ///
    /// Only leaves (variables not produced by an operation) keep their gradient after backward.
    public var grad: Tensor?
    /// Whether gradients flow into (or through) this variable.
    public let requiresGrad: Bool

    /// The inputs of the operation that produced this variable (empty for leaves).
    @usableFromInline var parents: [Variable]
    /// Receives this variable's gradient (which it may overwrite as scratch space) and
    /// accumulates the gradients of `parents`.
    @usableFromInline var backwardFunction: ((inout Tensor) -> Void)?

    /// Creates a leaf variable.
    public init(_ value: Tensor, requiresGrad: Bool = false) {
        self.value = value
        self.requiresGrad = requiresGrad
        self.parents = []
        self.backwardFunction = nil
    }

    @usableFromInline
    init(value: Tensor, parents: [Variable], requiresGrad: Bool, backward: ((inout Tensor) -> Void)?) {
        self.value = value
        self.parents = parents
        self.requiresGrad = requiresGrad
        self.backwardFunction = backward
    }

    /// Records the result of an operation. The backward closure is kept only when some input
    /// requires a gradient; otherwise the result is a constant and the closure is dropped.
    @inlinable
    static func record(_ value: Tensor, parents: [Variable], backward: @escaping (inout Tensor) -> Void) -> Variable {
        let needsGradient = parents.contains { $0.requiresGrad } && !GradientRecording.isDisabled
        return Variable(value: value,
                        parents: needsGradient ? parents : [],
                        requiresGrad: needsGradient,
                        backward: needsGradient ? backward : nil)
    }

    /// The shape of `value`.
    public var shape: [Int] { value.shape }

    /// Whether this variable was produced by an operation (rather than created as a leaf).
    public var isLeaf: Bool { backwardFunction == nil && parents.isEmpty }

    /// Back-propagates from this variable.
    ///
    /// - Parameter seed: the gradient of the final objective with respect to this variable;
    ///   omitted, this variable must hold a single element and the seed is 1.
    public func backward(seed: Tensor? = nil) {
        guard requiresGrad else { return }
        if let seed {
            precondition(seed.shape == value.shape, "backward: seed shape \(seed.shape) differs from value shape \(value.shape)")
        } else {
            precondition(value.count == 1, "backward: needs a scalar or an explicit seed, value has shape \(value.shape)")
        }
        let order = topologicalOrder()
        accumulate(seed ?? Tensor(repeating: 1, shape: value.shape))
        for node in order.reversed() {
            guard let function = node.backwardFunction else { continue }
            node.backwardFunction = nil
            if var gradient = node.grad {
                node.grad = nil
                function(&gradient)
            }
            node.parents = []
        }
    }

    /// Variables that require gradients, each after all of its inputs (iterative depth-first search).
    func topologicalOrder() -> [Variable] {
        var order: [Variable] = []
        var visited = Set<ObjectIdentifier>()
        var stack: [(Variable, Int)] = [(self, 0)]
        visited.insert(ObjectIdentifier(self))
        while let (node, next) = stack.popLast() {
            if next < node.parents.count {
                stack.append((node, next + 1))
                let parent = node.parents[next]
                if parent.requiresGrad, visited.insert(ObjectIdentifier(parent)).inserted {
                    stack.append((parent, 0))
                }
            } else {
                order.append(node)
            }
        }
        return order
    }

    // MARK: Gradient accumulation (used by operations' backward closures)

    /// Adds `gradient` to `grad`; takes the tensor as is when there is no gradient yet.
    @inlinable
    func accumulate(_ gradient: Tensor) {
        precondition(gradient.shape == value.shape, "gradient shape \(gradient.shape) differs from value shape \(value.shape)")
        guard requiresGrad else { return }
        if var existing = grad {
            grad = nil
            existing.withMutableScalarPointer { g in
                gradient.withScalarPointer { d in
                    for i in 0..<gradient.count { g[i] += d[i] }
                }
            }
            grad = existing
        } else {
            grad = gradient
        }
    }

    /// Lets `body` write or add the gradient in place.
    ///
    /// `body` gets a pointer to `value.count` floats and a flag: when `accumulate` is false the
    /// memory is uninitialised and `body` must overwrite every element; when it is true `body`
    /// must add to what is there (BLAS `beta = 1`).
    @inlinable
    func accumulateGradient(_ body: (_ gradient: UnsafeMutablePointer<Float>, _ accumulate: Bool) -> Void) {
        guard requiresGrad else { return }
        if var existing = grad {
            grad = nil
            existing.withMutableScalarPointer { body($0, true) }
            grad = existing
        } else {
            grad = makeTensor(shape: value.shape) { body($0, false) }
        }
    }

    /// Like `accumulateGradient`, but always calls `body`: with nil when no gradient is needed.
    @inlinable
    func withGradientBuffer(_ body: (_ gradient: UnsafeMutablePointer<Float>?, _ accumulate: Bool) -> Void) {
        if requiresGrad { accumulateGradient(body) } else { body(nil, false) }
    }

    /// Forgets the gradient.
    public func zeroGrad() { grad = nil }
}

extension Variable: CustomStringConvertible {
    public var description: String {
        "Variable(shape: \(value.shape)\(requiresGrad ? ", requiresGrad" : ""))"
    }
}

/// Whether operations record the graph for `backward()`; see ``withoutGradients(_:)``.
@usableFromInline
enum GradientRecording {
    @TaskLocal static var disabledFlag = false
    @usableFromInline static var isDisabled: Bool { disabledFlag }
}

/// Runs `body` without recording gradients (as `torch.no_grad()`): every result is a constant,
/// so intermediate tensors are freed as soon as they are used. For inference and evaluation.
///
/// ```swift
/// let probabilities = withoutGradients { model(Variable(images)).value }
/// ```
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientRecording.$disabledFlag.withValue(true) { try body() }
}
