/// Encoded bytes that cannot be decoded: truncated, corrupt or inconsistent, with the field at fault.
///
/// Decoders in this module treat their input as hostile and throw this instead of trapping or
/// allocating what the input cannot justify. The container reader adds the file and layer.
public struct EncodedDataError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What was being read (`gap stream`, `code lengths`, ...).
    public var field: String
    /// What is wrong.
    public var message: String

    public init(field: String, _ message: String) {
        self.field = field
        self.message = message
    }

    public var description: String { "\(field): \(message)" }
}
