// Eight floats at a time through raw pointers: the vector width of AVX2, which every x86-64 CPU
// we run on has; on narrower machines LLVM splits the operations.

/// Eight floats from `p` (no alignment needed).
@inlinable @inline(__always)
func load8(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// Eight floats from `p` (no alignment needed).
@inlinable @inline(__always)
func load8(_ p: UnsafeMutablePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
}

/// Writes eight floats at `p` (no alignment needed).
@inlinable @inline(__always)
func store8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
}
