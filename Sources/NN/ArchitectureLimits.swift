/// The sizes an ``Architecture`` may have, checked by ``Architecture/validated()`` before anything
/// is allocated (docs/LIMITS.md).
public enum ArchitectureLimits {
    /// Largest extent of any axis, and of a layer's units, filters, kernel, stride or padding.
    public static let maxExtent = 1 << 24
    /// Largest number of elements of any shape (input, output or parameter), and of all
    /// parameters together.
    public static let maxElements = 1 << 34
}
