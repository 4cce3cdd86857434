#if canImport(Glibc)
import Glibc
#endif

/// Asks the kernel to back the whole 2 MiB pages inside `buffer` with huge pages, before the buffer
/// is first written: a large buffer then takes far fewer page faults to fill and far fewer TLB
/// misses to read at random. Only a hint (Linux, transparent huge pages in `madvise` mode); the
/// contents are the same either way.
func adviseHugePages<Element>(_ buffer: UnsafeMutableBufferPointer<Element>) {
    #if canImport(Glibc)
    let hugePage = 2 << 20
    let base = Int(bitPattern: buffer.baseAddress)
    let start = (base + hugePage - 1) & ~(hugePage - 1)
    let end = (base + buffer.count * MemoryLayout<Element>.stride) & ~(hugePage - 1)
    if end > start {
        _ = madvise(UnsafeMutableRawPointer(bitPattern: start), end - start, MADV_HUGEPAGE)
    }
    #endif
}
