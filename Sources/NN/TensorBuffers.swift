import TensorCore

// Internal helpers to build and mutate tensors through raw pointers without redundant copies:
// storage is moved out of the tensor, mutated while uniquely referenced, and put back.

/// A tensor whose elements are written by `body`, which must initialise all of them.
@inlinable
func makeTensor(shape: [Int], _ body: (UnsafeMutablePointer<Float>) -> Void) -> Tensor {
    let n = Tensor.elementCount(shape)
    let values = [Float](unsafeUninitializedCapacity: n) { buffer, count in
        if n > 0 { body(buffer.baseAddress!) }
        count = n
    }
    return Tensor(shape: shape, scalars: values)
}

extension Tensor {
    /// Calls `body` with mutable access to the elements, without copying uniquely owned storage.
    @inlinable
    mutating func withMutableScalarPointer<R>(_ body: (UnsafeMutablePointer<Float>) throws -> R) rethrows -> R {
        let savedShape = shape
        var values = scalars
        self = Tensor(shape: [0], scalars: [])
        defer { self = Tensor(shape: savedShape, scalars: values) }
        return try values.withUnsafeMutableBufferPointer { buffer in
            // An empty array may have no base address; hand out a dangling but unused pointer.
            try body(buffer.baseAddress ?? UnsafeMutablePointer(bitPattern: 16)!)
        }
    }

    /// Calls `body` with a pointer to the elements.
    @inlinable
    func withScalarPointer<R>(_ body: (UnsafePointer<Float>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer { buffer in
            try body(buffer.baseAddress ?? UnsafePointer(bitPattern: 16)!)
        }
    }
}

/// A pointer that may cross into `DispatchQueue.concurrentPerform` workers.
///
/// Each worker must touch a disjoint part of the memory.
@usableFromInline
struct SendablePointer<T>: @unchecked Sendable {
    @usableFromInline let pointer: UnsafeMutablePointer<T>
    @inlinable init(_ pointer: UnsafeMutablePointer<T>) { self.pointer = pointer }
    @inlinable init(_ pointer: UnsafePointer<T>) { self.pointer = UnsafeMutablePointer(mutating: pointer) }
}

/// Calls `body` with a pointer to the elements of each tensor, in order.
@inlinable
func withScalarPointers<R>(_ tensors: [Tensor], _ body: ([UnsafePointer<Float>]) throws -> R) rethrows -> R {
    func nest(_ index: Int, _ pointers: [UnsafePointer<Float>]) throws -> R {
        guard index < tensors.count else { return try body(pointers) }
        return try tensors[index].withScalarPointer { try nest(index + 1, pointers + [$0]) }
    }
    return try nest(0, [])
}
