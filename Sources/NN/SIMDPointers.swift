// Eight values at a time through raw pointers: eight floats are the vector width of AVX2, which
// every x86-64 CPU we run on has; on narrower machines LLVM splits the operations.

/// Eight values from `p` (no alignment needed).
@inlinable @inline(__always)
func load8<T: SIMDScalar>(_ p: UnsafePointer<T>) -> SIMD8<T> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<T>.self)
}

/// Eight values from `p` (no alignment needed).
@inlinable @inline(__always)
func load8<T: SIMDScalar>(_ p: UnsafeMutablePointer<T>) -> SIMD8<T> {
    load8(UnsafePointer(p))
}

/// Writes eight values at `p` (no alignment needed).
@inlinable @inline(__always)
func store8<T: SIMDScalar>(_ v: SIMD8<T>, _ p: UnsafeMutablePointer<T>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<T>.self)
}
