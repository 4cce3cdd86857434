/// How a zip entry's data is stored: the two methods ``ZipArchive`` reads and ``ZipWriter`` writes.
public enum ZipCompressionMethod: UInt16, Sendable, CaseIterable {
    /// Method 0: the bytes as they are.
    case stored = 0
    /// Method 8: raw deflate (RFC 1951), through zlib.
    case deflated = 8
}
