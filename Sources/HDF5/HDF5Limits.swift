/// Bounds on what a read may allocate, checked before any buffer is allocated.
///
/// Every ``HDF5File`` carries its own limits, so they are safe to use from any thread.
/// A dataset or attribute is refused with ``HDF5Error/Kind/tooLarge`` when the memory needed
/// to read it exceeds ``maxDatasetBytes``.
///
/// ```swift
/// let file = try HDF5File.open("model.h5", limits: HDF5Limits(maxDatasetBytes: 256 << 20))
/// ```
public struct HDF5Limits: Equatable, Sendable {
    /// The largest read, in bytes of the requested in-memory type, that is allowed.
    public var maxDatasetBytes: Int

    /// Creates limits; the default allows reads of up to 2 GiB.
    public init(maxDatasetBytes: Int = 2 << 30) {
        precondition(maxDatasetBytes >= 0, "maxDatasetBytes must be non-negative")
        self.maxDatasetBytes = maxDatasetBytes
    }

    /// 2 GiB per read.
    public static let `default` = HDF5Limits()
}
