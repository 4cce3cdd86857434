/// A dense, row-major array of `Float` with a shape.
///
/// Storage is a Swift array, so copies share memory until one of them is mutated
/// (copy-on-write). The element at index `(i0, i1, ..., in)` lives at
/// `i0 * strides[0] + ... + in * strides[n]`, with the last axis contiguous.
///
/// ```swift
/// let a = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// let b = a.transposed()        // shape [3, 2]
/// let c = matmul(a, b)          // shape [2, 2]
/// ```
public struct Tensor: Equatable, Sendable {
    /// The extent of each axis; the empty shape is a scalar holding one element.
    public private(set) var shape: [Int]
    /// The elements in row-major order; `scalars.count == shape.reduce(1, *)`.
    ///
    /// Element writes (`t.scalars[i] = x`, `t.scalars.withUnsafeMutableBufferPointer { ... }`)
    /// happen in place when the storage is not shared, from any module. Assigning a new array or
    /// resizing this one must keep the element count.
    public var scalars: [Float] {
        @inlinable get { storage }
        @inlinable set {
            precondition(newValue.count == Tensor.elementCount(shape),
                         "Tensor: shape \(shape) needs \(Tensor.elementCount(shape)) elements, got \(newValue.count)")
            storage = newValue
        }
        // A `didSet` observer would make every write from another module copy the whole array;
        // a modify accessor yields the storage itself and checks the count afterwards.
        @inlinable _modify {
            defer {
                precondition(storage.count == Tensor.elementCount(shape),
                             "Tensor: shape \(shape) needs \(Tensor.elementCount(shape)) elements, got \(storage.count)")
            }
            yield &storage
        }
    }

    /// The elements behind ``scalars``.
    @usableFromInline var storage: [Float]

    /// Creates a tensor from a shape and its elements in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative extent in shape \(shape)")
        precondition(Tensor.elementCount(shape) == scalars.count,
                     "Tensor: shape \(shape) needs \(Tensor.elementCount(shape)) elements, got \(scalars.count)")
        self.shape = shape
        self.storage = scalars
    }

    /// Creates a tensor of the given shape with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, scalars: [Float](repeating: value, count: Tensor.elementCount(shape)))
    }

    /// Creates a tensor of zeros.
    public init(zeros shape: [Int]) {
        self.init(repeating: 0, shape: shape)
    }

    /// Creates a scalar (rank 0) tensor.
    public init(_ value: Float) {
        self.init(shape: [], scalars: [value])
    }

    /// The number of axes.
    public var rank: Int { shape.count }

    /// The number of elements.
    public var count: Int { scalars.count }

    /// The only element of a one-element tensor, such as the result of a full reduction.
    ///
    /// ```swift
    /// let loss = (prediction - target).map { $0 * $0 }.mean().scalar
    /// ```
    public var scalar: Float {
        precondition(count == 1, "Tensor: scalar needs exactly one element, shape is \(shape)")
        return scalars[0]
    }

    /// Row-major strides, in elements.
    public var strides: [Int] { Tensor.strides(for: shape) }

    /// The element at a multi-dimensional index.
    public subscript(index: Int...) -> Float {
        get { scalars[flatIndex(index)] }
        set { scalars[flatIndex(index)] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        precondition(index.count == rank, "Tensor: index \(index) does not fit shape \(shape)")
        var flat = 0
        for (axis, i) in index.enumerated() {
            precondition(i >= 0 && i < shape[axis], "Tensor: index \(index) out of range for shape \(shape)")
            flat = flat * shape[axis] + i
        }
        return flat
    }

    /// The product of the extents of `shape`.
    public static func elementCount(_ shape: [Int]) -> Int {
        shape.reduce(1, *)
    }

    /// Row-major strides for `shape`.
    public static func strides(for shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    /// Replaces the shape without touching the elements; `shape` must hold the same count.
    public mutating func setShape(_ newShape: [Int]) {
        precondition(Tensor.elementCount(newShape) == count,
                     "Tensor: cannot view \(shape) as \(newShape)")
        shape = newShape
    }
}
